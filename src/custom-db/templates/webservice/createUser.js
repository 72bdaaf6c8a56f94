// The user service's base URL is env.DB_CONNECTION_URI (e.g. https://users.example.com/api),
// or else http://DB_HOST:DB_PORT. env.API_KEY, when set, is sent as a bearer token. fetch
// keeps connections alive between calls, so there is no pool to set up here.

async function createUser(userinfo, context) {
  // The profile fields a result may carry; anything else a record holds (the password hash
  // above all) is left behind.
  const PROFILE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp', 'createdAt', 'updatedAt'
  ];

  // The fields a caller may write; other keys of the input are ignored, so no input key ever
  // becomes a column or field name.
  const WRITABLE_FIELDS = [
    'username', 'email', 'emailVerified', 'phone', 'phoneVerified', 'nickname', 'photo', 'name',
    'givenName', 'familyName', 'middleName', 'preferredUsername', 'profile', 'website', 'gender',
    'birthdate', 'zoneinfo', 'locale', 'address', 'formatted', 'streetAddress', 'locality',
    'region', 'postalCode', 'city', 'province', 'country', 'company', 'blocked', 'loginsCount',
    'lastLogin', 'lastIP', 'signedUp'
  ];

  const user = await callService('POST', 'users', withPassword(writableFields(userinfo), userinfo));
  return toProfile(user, user.id);

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

  // The whitelisted fields present in input; emails lower-case, timestamps as Date.
  function writableFields(input) {
    const TIMESTAMPS = ['lastLogin', 'signedUp', 'createdAt', 'updatedAt'];
    const fields = {};
    for (const field of WRITABLE_FIELDS) {
      if (input == null || input[field] === undefined) continue;
      let value = input[field];
      if (field === 'email' && typeof value === 'string') value = value.toLowerCase();
      if (TIMESTAMPS.includes(field) && value !== null) {
        value = new Date(value);
        if (Number.isNaN(value.getTime())) throw new Error(field + ' is not a date');
      }
      fields[field] = value;
    }
    return fields;
  }

  function withPassword(fields, input) {
    if (input && input.password !== undefined) fields.password = input.password;
    return fields;
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
