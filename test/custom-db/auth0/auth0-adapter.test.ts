/**
 * The Auth0 adapter's own rules, through the API of a real server with real runtimes: the
 * callback (twice, never, with no profile), returned promises, Auth0's error classes and
 * what they answer, `configuration`, and `require` as Auth0 scripts write it (bcrypt's
 * callbacks, a versioned mongodb against the MongoDB wire-protocol STAND-IN, modules that
 * are refused with advice). Written in Auth0's style for these tests.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../../support/server.js';
import { startMongoWireStandin, type MongoWireStandin } from '../../support/mongo-wire-standin.js';

const LOGIN = `function login(email, password, callback) {
  switch (email) {
    case 'twice@example.org':
      callback(null, { user_id: 'auth0|twice', email: email });
      callback(new Error('the second answer'));
      return;
    case 'never@example.org':
      return;
    case 'wrong@example.org':
      return callback(new WrongUsernameOrPasswordError(email, 'not this password'));
    case 'invalid@example.org':
      return callback(new ValidationError('bad_input', 'the input is bad'));
    case 'blocked@example.org':
      return callback(new UnauthorizedError('blocked by an administrator'));
    case 'down@example.org':
      return callback(new Error('database down'));
    case 'nobody@example.org':
      return callback(null);
    case 'throws@example.org':
      throw new Error('thrown before any callback');
    case 'plain@example.org':
      return callback(null, { id: 42, email: email, phone_number: '+15550100', given_name: 'Plain', family_name: 'Jane', nickname: 'pj' });
  }
  callback(null, { user_id: email, email: email, email_verified: true });
}`;

/** A promise answer: an async function without a callback parameter. */
const GET_USER = `async function getByEmail(email) {
  await new Promise((resolve) => setTimeout(resolve, 5));
  if (email === 'missing@example.org') return undefined;
  if (email === 'rejects@example.org') throw new Error('lookup failed');
  return { user_id: 'auth0|' + email, email: email };
}`;

/** An async function that takes the callback: its promise (undefined) does not answer, the callback does. */
const CREATE = `async function create(user, callback) {
  setTimeout(function () {
    if (user.email === 'taken@example.org') return callback(new ValidationError('user_exists', 'taken'));
    callback(null);
  }, 20);
}`;

/** A harness for require forms, run through debug. */
const VERIFY = `function verify(email, callback) {
  if (email === 'bcrypt') {
    const bcrypt = require('bcrypt');
    return bcrypt.genSalt(4, function (err, salt) {
      if (err) return callback(err);
      bcrypt.hash('secret-word', salt, function (err, hash) {
        if (err) return callback(err);
        bcrypt.compare('secret-word', hash, function (err, same) {
          bcrypt.compare('other-word', hash, function (err2, other) {
            callback(err || err2 || null, { same: same, other: other, prefix: hash.slice(0, 4) });
          });
        });
      });
    });
  }
  if (email === 'mongo') {
    const MongoClient = require('mongodb@3.1.4').MongoClient;
    const client = new MongoClient(configuration.DB_CONNECTION_URI);
    return client.connect(function (err) {
      if (err) return callback(err);
      const users = client.db('legacy').collection('users');
      users.insert({ email: 'm@example.org', name: 'Mongo User' }, function (err) {
        if (err) { client.close(); return callback(err); }
        users.findOne({ email: 'm@example.org' }, function (err, found) {
          users.find({}).toArray(function (err2, all) {
            client.close();
            callback(err || err2 || null, { name: found && found.name, count: all.length });
          });
        });
      });
    });
  }
  if (email === 'mongo-static') {
    return require('mongodb').MongoClient.connect(configuration.DB_CONNECTION_URI, function (err, client) {
      if (err) return callback(err);
      client.db('legacy').collection('users').count({}, function (err, count) {
        client.close();
        callback(err || null, count);
      });
    });
  }
  if (email === 'configuration') return callback(null, Object.keys(configuration).sort());
  require(email);
  callback(null, 'loaded ' + email);
}`;

describe('the Auth0 adapter: callbacks, promises, error classes, configuration and require', () => {
  let t: TestServer;
  let mongo: MongoWireStandin;
  let poolId: string;
  const login = (account: string) => t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { account, password: 'any-password-1' } });
  const debug = async (script: string, args: unknown[]) => (await t.admin('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { script, args })).json();

  beforeAll(async () => {
    mongo = await startMongoWireStandin();
    t = await startTestServer('sqlite');
    poolId = await t.createPool('Auth0 adapter');
    const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
      enabled: true,
      mode: 'CUSTOM_USER_STORE',
      dialect: 'auth0',
      connection: { type: 'uri', uri: `${mongo.uri}/legacy` },
      env: { API_KEY: 'adapter-secret-1' },
      timeoutMs: 1500,
      scripts: { login: LOGIN, get_user: GET_USER, create: CREATE, verify: VERIFY },
    });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json()).toMatchObject({ dialect: 'auth0', scripts: { login: LOGIN, get_user: GET_USER, getUser: null } });
  });
  afterAll(async () => {
    await t?.close();
    await mongo?.close();
  });

  it('takes the first callback and logs a second one, which is ignored', async () => {
    const response = await login('twice@example.org');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user).toMatchObject({ id: 'twice' });
    const debugged = await debug('login', ['twice@example.org', 'pw-1']);
    expect(debugged).toMatchObject({ ok: true, result: { user_id: 'auth0|twice' } });
    expect(debugged.logs).toEqual([{ level: 'warn', message: 'The Auth0 login script called its callback more than once; only the first call counts' }]);
  });

  it("maps Auth0's error classes and callbacks to Gatehouse's answers", async () => {
    const answers = await Promise.all(
      ['wrong', 'invalid', 'blocked', 'down', 'nobody', 'throws'].map(async (name) => {
        const response = await login(`${name}@example.org`);
        return [name, response.statusCode, response.json().error.code];
      }),
    );
    expect(answers).toEqual([
      ['wrong', 401, 'WRONG_USERNAME_OR_PASSWORD'],
      ['invalid', 502, 'CUSTOM_DB_ERROR'],
      ['blocked', 403, 'ACCOUNT_BLOCKED'],
      ['down', 502, 'CUSTOM_DB_ERROR'],
      ['nobody', 401, 'WRONG_USERNAME_OR_PASSWORD'],
      ['throws', 502, 'CUSTOM_DB_ERROR'],
    ]);
    expect(await debug('login', ['invalid@example.org', 'x'])).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'ValidationError', message: 'the input is bad' } });
    expect(await debug('login', ['blocked@example.org', 'x'])).toMatchObject({ ok: false, error: { name: 'AccountBlockedError', message: 'UnauthorizedError: blocked by an administrator' } });
  });

  it("maps Auth0's profile fields, an id without the auth0| prefix kept as it is", async () => {
    const response = await login('plain@example.org');
    expect(response.json().user).toMatchObject({ id: '42', phone: '+15550100', givenName: 'Plain', familyName: 'Jane', nickname: 'pj' });
  });

  it('accepts promises: a resolved profile, undefined as "no such user", a rejection as a failure', async () => {
    const find = (email: string) => t.admin('GET', `/api/v1/pools/${poolId}/users/find?email=${encodeURIComponent(email)}`);
    expect((await find('someone@example.org')).json()).toMatchObject({ id: 'someone@example.org' });
    expect((await find('missing@example.org')).statusCode).toBe(404);
    const rejected = await find('rejects@example.org');
    expect(rejected.statusCode).toBe(502);
  });

  it('waits for the callback of an async script, and maps ValidationError user_exists to 409', async () => {
    const created = await t.admin('POST', `/api/v1/pools/${poolId}/users`, { email: 'new@example.org', password: 'new-pass-1' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({ id: 'new@example.org' });
    const taken = await t.admin('POST', `/api/v1/pools/${poolId}/users`, { email: 'taken@example.org', password: 'new-pass-1' });
    expect(taken.statusCode).toBe(409);
    expect(taken.json().error.code).toBe('USER_EXISTS');
  });

  it("gives scripts configuration: the connection's env, DB_* included", async () => {
    expect(await debug('verify', ['configuration'])).toMatchObject({ ok: true, result: ['API_KEY', 'DB_CONNECTION_URI'] });
  });

  it("serves require('bcrypt') with bcrypt's callback API", async () => {
    expect(await debug('verify', ['bcrypt'])).toMatchObject({ ok: true, result: { same: true, other: false, prefix: '$2b$' } });
  });

  it("serves require('mongodb@3.1.4') with the 3.x callback style, against the MongoDB wire-protocol stand-in", async () => {
    expect(await debug('verify', ['mongo'])).toMatchObject({ ok: true, result: { name: 'Mongo User', count: 1 } });
    expect(await debug('verify', ['mongo-static'])).toMatchObject({ ok: true, result: 1 });
  });

  it('refuses modules it cannot honour with a denied failure naming the module and what to use instead', async () => {
    expect(await debug('verify', ['request'])).toMatchObject({
      ok: false,
      error: { kind: 'denied', name: 'ModuleNotAllowedError', message: 'require("request") is not available here: use the global fetch' },
    });
    const versioned = await debug('verify', ['lodash@4.17.21']);
    expect(versioned).toMatchObject({ ok: false, error: { kind: 'denied' } });
    expect(versioned.error.message).toContain('require("lodash")');
    expect((await debug('verify', ['left-pad'])).error.message).toContain('the Auth0 dialect offers bcrypt, mysql, pg, mongodb');
    expect(await debug('verify', ['crypto'])).toMatchObject({ ok: true, result: 'loaded crypto' });
  });

  it('fails a call whose callback is never called with the runtime timeout', async () => {
    const response = await login('never@example.org');
    expect(response.statusCode).toBe(504);
    expect(response.json().error.code).toBe('CUSTOM_DB_TIMEOUT');
  });
});
