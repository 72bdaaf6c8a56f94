// The user service's base URL is env.DB_CONNECTION_URI (e.g. https://users.example.com/api),
// or else http://DB_HOST:DB_PORT. env.API_KEY, when set, is sent as a bearer token. fetch
// keeps connections alive between calls, so there is no pool to set up here.

async function exportUsers(cursor, limit, context) {
  // The profile fields a result may carry; anything else a record holds is left behind. The
  // hash goes separately, as `passwordHash`: this is the one script that hands it over, so
  // the users it exports keep their passwords in Gatehouse.
  const PROFILE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp', 'createdAt', 'updatedAt'
  ];

  // Keyset paging, done by the service: the users after the last id of the previous page
  // (`after`), so users added or deleted during the export shift nothing.
  const querystring = require('querystring');
  const size = Math.min(1000, Math.max(1, Math.floor(Number(limit)) || 100));
  const params = cursor == null ? { limit: size } : { after: String(cursor), limit: size };
  const answer = await callService('GET', 'users/export?' + querystring.stringify(params));
  return {
    list: answer.list.map(toExported),
    nextCursor: answer.nextCursor == null ? null : String(answer.nextCursor),
    ...(typeof answer.totalCount === 'number' ? { totalCount: answer.totalCount } : {}),
  };

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

  // A record as the profile (only profile fields, the id as text, timestamps as ISO 8601
  // text) with the service's password hash as Gatehouse's `passwordHash`.
  function toExported(record) {
    const profile = { id: String(record.id) };
    for (const field of PROFILE_FIELDS) {
      const value = record[field];
      profile[field] = value === undefined ? null : value instanceof Date ? value.toISOString() : value;
    }
    const hash = passwordHashOf(record.passwordHash);
    if (hash) profile.passwordHash = hash;
    return profile;
  }

  // The algorithm told by the hash's own prefix; a hash of any other kind (or none) is left
  // out, so that user is imported without a password and sets one by a reset, or keeps
  // signing in through the login script while the connection is on.
  function passwordHashOf(stored) {
    if (typeof stored !== 'string') return null;
    if (/^\$2[aby]\$\d\d\$/.test(stored)) return { algorithm: 'bcrypt', hash: stored };
    if (/^\$argon2(id|i|d)\$/.test(stored)) return { algorithm: 'argon2', hash: stored };
    return null;
  }
}
