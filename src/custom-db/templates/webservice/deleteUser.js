// The user service's base URL is env.DB_CONNECTION_URI (e.g. https://users.example.com/api),
// or else http://DB_HOST:DB_PORT. env.API_KEY, when set, is sent as a bearer token. fetch
// keeps connections alive between calls, so there is no pool to set up here.

async function deleteUser(id, context) {
  await callService('DELETE', 'users/' + encodeURIComponent(String(id)));
  return true;

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
}
