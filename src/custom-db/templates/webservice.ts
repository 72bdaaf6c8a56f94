/** The web-service template: `fetch` against the sample legacy user service's JSON API. */
import {
  LOOKUP_KEY,
  PAGE_OF,
  PROFILE_FIELDS_CONSTANT,
  RECORD_TO_PROFILE,
  WRITABLE_FIELDS_CONSTANT,
  WRITABLE_FIELDS_HELPER,
  script,
  type ScriptName,
} from './compose.js';

const PRELUDE = String.raw`// The user service's base URL is env.DB_CONNECTION_URI (e.g. https://users.example.com/api),
// or else http://DB_HOST:DB_PORT. env.API_KEY, when set, is sent as a bearer token. fetch
// keeps connections alive between calls, so there is no pool to set up here.`;

const CALL_SERVICE = String.raw`// One request to the user service; the JSON answer, or the matching error.
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
}`;

const TO_LIST = String.raw`function toList(answer) {
  return { totalCount: answer.totalCount, list: answer.list.map((user) => toProfile(user, user.id)) };
}`;

/** The fields to send on create or update: whitelisted, plus a new plain password (the service hashes it). */
const WITH_PASSWORD = String.raw`function withPassword(fields, input) {
  if (input && input.password !== undefined) fields.password = input.password;
  return fields;
}`;

export const WEBSERVICE_SCRIPTS: Record<ScriptName, string> = {
  login: script('login', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT],
    body: String.raw`const lookup = lookupKey(query, ['email', 'username', 'phone']);
if (!lookup) throw new Error('login needs query.email, query.username or query.phone');
// The service checks the password before it tells of a block, and answers 404, 401 or 403.
const user = await callService('POST', 'login', { [lookup.key]: lookup.value, password });
return toProfile(user, user.id);`,
    helpers: [CALL_SERVICE, LOOKUP_KEY, RECORD_TO_PROFILE],
  }),

  getUser: script('getUser', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT],
    body: String.raw`const querystring = require('querystring');
const lookup = lookupKey(query, ['id', 'email', 'username', 'phone']);
if (!lookup) return null;
if (lookup.key === 'id') {
  try {
    const user = await callService('GET', 'users/' + encodeURIComponent(lookup.value));
    return toProfile(user, user.id);
  } catch (error) {
    if (error instanceof UserNotFoundError) return null;
    throw error;
  }
}
const answer = await callService('GET', 'users?' + querystring.stringify({ [lookup.key]: lookup.value }));
const user = answer.list[0];
return user ? toProfile(user, user.id) : null;`,
    helpers: [CALL_SERVICE, LOOKUP_KEY, RECORD_TO_PROFILE],
  }),

  searchUser: script('searchUser', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT],
    body: String.raw`const querystring = require('querystring');
const paging = pageOf(context && context.page, context && context.limit);
const params = { keyword: keyword == null ? '' : String(keyword), page: paging.page, limit: paging.limit };
return toList(await callService('GET', 'users/search?' + querystring.stringify(params)));`,
    helpers: [CALL_SERVICE, PAGE_OF, TO_LIST, RECORD_TO_PROFILE],
  }),

  createUser: script('createUser', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT, WRITABLE_FIELDS_CONSTANT],
    body: String.raw`const user = await callService('POST', 'users', withPassword(writableFields(userinfo), userinfo));
return toProfile(user, user.id);`,
    helpers: [CALL_SERVICE, WRITABLE_FIELDS_HELPER, WITH_PASSWORD, RECORD_TO_PROFILE],
  }),

  updateUser: script('updateUser', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT, WRITABLE_FIELDS_CONSTANT],
    body: String.raw`const path = 'users/' + encodeURIComponent(String(id));
const user = await callService('PATCH', path, withPassword(writableFields(updates), updates));
return toProfile(user, user.id);`,
    helpers: [CALL_SERVICE, WRITABLE_FIELDS_HELPER, WITH_PASSWORD, RECORD_TO_PROFILE],
  }),

  deleteUser: script('deleteUser', {
    prelude: PRELUDE,
    body: String.raw`await callService('DELETE', 'users/' + encodeURIComponent(String(id)));
return true;`,
    helpers: [CALL_SERVICE],
  }),

  listUsers: script('listUsers', {
    prelude: PRELUDE,
    constants: [PROFILE_FIELDS_CONSTANT],
    body: String.raw`const querystring = require('querystring');
const paging = pageOf(page == null ? context && context.page : page, limit == null ? context && context.limit : limit);
return toList(await callService('GET', 'users?' + querystring.stringify({ page: paging.page, limit: paging.limit })));`,
    helpers: [CALL_SERVICE, PAGE_OF, TO_LIST, RECORD_TO_PROFILE],
  }),

  validatePassword: script('validatePassword', {
    prelude: PRELUDE,
    body: String.raw`const path = 'users/' + encodeURIComponent(String(id)) + '/verify-password';
const answer = await callService('POST', path, { password });
return answer.valid === true;`,
    helpers: [CALL_SERVICE],
  }),
};
