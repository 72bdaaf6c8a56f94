// The user service's base URL is env.DB_CONNECTION_URI (e.g. https://users.example.com/api),
// or else http://DB_HOST:DB_PORT. env.API_KEY, when set, is sent as a bearer token. fetch
// keeps connections alive between calls, so there is no pool to set up here.

async function searchUser(keyword, context) {
  // The profile fields a result may carry; anything else a record holds (the password hash
  // above all) is left behind.
  const PROFILE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp', 'createdAt', 'updatedAt'
  ];

  const querystring = require('querystring');
  const paging = pageOf(context && context.page, context && context.limit);
  const params = { keyword: keyword == null ? '' : String(keyword), page: paging.page, limit: paging.limit };
  return toList(await callService('GET', 'users/search?' + querystring.stringify(params)));

  // One request to the user service; the JSON answer, or the matching error.
  async function callService(method, path, body) {
    const base = env.DB_CONNECTION_URI || 'http://' + env.DB_HOST + ':' + (Number(env.DB_PORT) || 80);
    // Resolved against the base with a trailing slash, so a base path such as /api is kept.
    const url = new URL(path, base.endsWith('/') ? base : base + '/');
    const headers = { accept: 'application/json' };
    if (env.API_KEY) headers.authorization = 'Bearer ' + env.API_KEY;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    let answer = null;
    try {
      answer = text === '' ? null : JSON.parse(text);
    } catch {
      if (response.ok) throw new Error('user service: ' + method + ' ' + url.pathname + ' answered non-JSON');
    }
    if (response.ok) return answer;
    const code = answer && answer.error;
    const message = 'user service: ' + method + ' ' + url.pathname + ' answered ' + response.status +
      (answer && answer.message ? ' (' + answer.message + ')' : '');
    // Only the service's own verdicts about a user become typed errors. Anything else (a wrong
    // base URL, a rejected API key, a 5xx) is a failure of the connection, not an answer.
    if (response.status === 404 && code === 'user_not_found') throw new UserNotFoundError(message);
    if (response.status === 401 && code === 'wrong_username_or_password') throw new WrongUsernameOrPasswordError(message);
    if (response.status === 403 && code === 'account_blocked') throw new AccountBlockedError(message);
    if (response.status === 409 && code === 'user_exists') throw new UserExistsError(message);
    throw new Error(message);
  }

  // 1-based page; 10 a page unless asked, never more than 100.
  function pageOf(page, limit) {
    const number = Math.max(1, Math.floor(Number(page)) || 1);
    const size = Math.min(100, Math.max(1, Math.floor(Number(limit)) || 10));
    return { page: number, limit: size, offset: (number - 1) * size };
  }

  function toList(answer) {
    return { totalCount: answer.totalCount, list: answer.list.map((user) => toProfile(user, user.id)) };
  }

  // A record as the profile: only profile fields, the id as text, timestamps as ISO 8601 text.
  function toProfile(record, id) {
    const profile = { id: String(id) };
    for (const field of PROFILE_FIELDS) {
      const value = record[field];
      profile[field] = value === undefined ? null : value instanceof Date ? value.toISOString() : value;
    }
    return profile;
  }
}
