/**
 * The Auth0 dialect's globals, as source text the runtime runs before the scripts (its
 * `globalsSource`): Auth0's error classes, `configuration`, the callback adapter that turns
 * an Auth0 script into a promise, and `require` as Auth0 scripts write it. This is the only
 * part of the dialect that runs inside the sandbox; it adds no power (everything it calls is
 * what the runtime already offers Gatehouse scripts), only call styles. The shims are for
 * compatibility, not security: the OS sandbox and the egress broker stay the boundary.
 */
import { TYPED_ERRORS_PRELUDE } from '../contract/script-contract.js';

/** The name scripts reach the adapter by (a global, so every entry's wrapper finds it). */
export const ADAPTER_GLOBAL = '__gatehouseAuth0';

/** What to use instead of a module Auth0's sandbox has and this runtime does not. */
export const MODULE_ADVICE: Readonly<Record<string, string>> = {
  request: 'use the global fetch',
  'request-promise': 'use the global fetch',
  axios: 'use the global fetch',
  'node-fetch': 'use the global fetch',
  superagent: 'use the global fetch',
  got: 'use the global fetch',
  lodash: "use JavaScript's own Array and Object methods",
  underscore: "use JavaScript's own Array and Object methods",
  async: 'use async functions and await',
  q: 'use native promises',
  bluebird: 'use native promises',
  jsonwebtoken: 'verify or sign tokens with require("crypto")',
  uuid: 'use crypto.randomUUID()',
  'crypto-js': 'use require("crypto")',
  mssql: 'no SQL Server driver is available: reach the database through a web service with fetch',
  tedious: 'no SQL Server driver is available: reach the database through a web service with fetch',
  oracledb: 'no Oracle driver is available: reach the database through a web service with fetch',
  couchbase: 'no Couchbase driver is available: reach the database through a web service with fetch',
  'cassandra-driver': 'no Cassandra driver is available: reach the database through a web service with fetch',
};

const ADAPTER_SOURCE = String.raw`(() => {
  const log = console;
  const define = (name, value) =>
    Object.defineProperty(globalThis, name, { value, writable: true, configurable: true, enumerable: false });

  // Auth0's error classes, with Auth0's constructor arguments. WrongUsernameOrPasswordError
  // replaces Gatehouse's class of the same name: the name is what the server reads.
  class WrongUsernameOrPasswordError extends Error {
    constructor(emailOrId, message) {
      super(message ?? 'Wrong email or password.');
      this.name = 'WrongUsernameOrPasswordError';
      this.user_id = emailOrId;
    }
  }
  class ValidationError extends Error {
    constructor(code, message) {
      super(message ?? String(code));
      this.name = 'ValidationError';
      this.code = code;
    }
  }
  class UnauthorizedError extends Error {
    constructor(message) {
      super(message ?? 'Unauthorized');
      this.name = 'UnauthorizedError';
    }
  }
  define('WrongUsernameOrPasswordError', WrongUsernameOrPasswordError);
  define('ValidationError', ValidationError);
  define('UnauthorizedError', UnauthorizedError);
  // Auth0's name for the connection's settings: the same values as env, DB_* included.
  define('configuration', globalThis.env);

  const typed = (name, message) => {
    const error = new Error(message);
    error.name = name;
    return error;
  };
  /** Auth0's errors as Gatehouse's typed errors (by name); anything else stays a script failure. */
  const toGatehouse = (error) => {
    try {
      if (error !== null && typeof error === 'object') {
        if (error.name === 'ValidationError' && error.code === 'user_exists') return typed('UserExistsError', 'ValidationError user_exists: ' + error.message);
        if (error.name === 'UnauthorizedError') return typed('AccountBlockedError', 'UnauthorizedError: ' + error.message);
      }
    } catch {
      // A thrown Proxy or throwing getters: the runtime reports what it can read.
    }
    return error;
  };

  /**
   * Runs an Auth0 script: its callback, or the promise it returns, settles the call once.
   * A later callback is logged and ignored; a callback never called is the runtime's timeout.
   * A promise that resolves to undefined settles only when the function takes no callback
   * (an async script that calls back from a driver's callback returns before it does).
   */
  const invoke = (fn, args, label) =>
    new Promise((resolve, reject) => {
      let settled = false;
      const settle = (error, value) => {
        if (settled) {
          log.warn(label + ' called its callback more than once; only the first call counts');
          return;
        }
        settled = true;
        // One turn of the event loop first, so a second call made at once still lands in this call's log.
        setImmediate(() => (error ? reject(toGatehouse(error)) : resolve(value === undefined ? null : value)));
      };
      let returned;
      try {
        returned = fn(...args, (error, value) => settle(error, value));
      } catch (error) {
        settle(error ?? new Error(label + ' threw without a reason'));
        return;
      }
      if (returned !== null && typeof returned === 'object' && typeof returned.then === 'function') {
        returned.then(
          (value) => {
            if (value !== undefined || fn.length <= args.length) settle(null, value);
          },
          (error) => settle(error ?? new Error(label + ' rejected without a reason')),
        );
      }
    });

  const ADVICE = __ADVICE__;
  /** pg as Auth0's scripts use it, the pre-7 pg.connect(conString, (err, client, done) => …) included. */
  const pgShim = (pg) => {
    const pools = new Map();
    const poolFor = (config) => {
      const key = typeof config === 'string' ? config : JSON.stringify(config);
      let pool = pools.get(key);
      if (pool === undefined) {
        pool = new pg.Pool(typeof config === 'string' ? { connectionString: config } : config);
        // An idle client's error must not end the runtime: it is the next query's problem.
        pool.on('error', (error) => log.error('pg pool error:', error.message));
        pools.set(key, pool);
      }
      return pool;
    };
    return Object.freeze({
      ...pg,
      connect(config, callback) {
        const pool = poolFor(config);
        if (typeof callback !== 'function') return pool.connect();
        pool.connect((error, client, release) => callback(error, client, release ?? (() => {})));
        return undefined;
      },
      end() {
        for (const pool of pools.values()) void pool.end();
        pools.clear();
      },
    });
  };

  /**
   * mongodb with the callback style of the 3.x driver Auth0 pins (the installed driver has
   * promises only): a trailing callback is called with the promise's outcome, and the old
   * insert/update/remove/count names map to their successors.
   */
  const mongoShim = (mongodb) => {
    const LEGACY = { insert: 'insertOne', update: 'updateOne', remove: 'deleteOne', count: 'countDocuments' };
    const WRAPPED = new Set(['Db', 'Collection', 'FindCursor', 'AggregationCursor', 'ChangeStream']);
    const wrap = (target) =>
      new Proxy(target, {
        get(object, key) {
          const name = typeof key === 'string' && !(key in object) && key in LEGACY ? LEGACY[key] : key;
          const value = Reflect.get(object, name, object);
          if (typeof value !== 'function') return value;
          return (...args) => {
            const callback = typeof args[args.length - 1] === 'function' ? args.pop() : null;
            if (name === 'insertOne' && Array.isArray(args[0])) return wrapped(object.insertMany(...args), callback);
            return wrapped(Reflect.apply(value, object, args), callback);
          };
        },
      });
    const wrapped = (result, callback) => {
      if (result !== null && typeof result === 'object' && typeof result.then === 'function') {
        if (callback === null) return result;
        result.then((value) => callback(null, value), (error) => callback(error));
        return undefined;
      }
      const out = result !== null && typeof result === 'object' && WRAPPED.has(result.constructor?.name) ? wrap(result) : result;
      if (callback !== null) callback(null, out);
      return out;
    };
    class MongoClient extends mongodb.MongoClient {
      static connect(url, options, callback) {
        const done = typeof options === 'function' ? options : callback;
        const client = new MongoClient(url, typeof options === 'object' && options !== null ? options : undefined);
        const connected = client.connect().then(() => client);
        if (typeof done !== 'function') return connected;
        connected.then((value) => done(null, value), (error) => done(error));
        return undefined;
      }
      connect(callback) {
        const connected = super.connect();
        if (typeof callback !== 'function') return connected;
        connected.then((value) => callback(null, value), (error) => callback(error));
        return undefined;
      }
      close(force, callback) {
        const done = typeof force === 'function' ? force : callback;
        const closed = super.close(typeof force === 'boolean' ? force : undefined);
        if (typeof done !== 'function') return closed;
        closed.then(() => done(null), (error) => done(error));
        return undefined;
      }
      db(name, options) {
        return wrap(super.db(name, options));
      }
    }
    return Object.freeze({ ...mongodb, MongoClient });
  };

  const modules = new Map();
  /** Loads once per runtime, so every script shares one pg pool per connection string. */
  const load = (realRequire, name) => {
    switch (name) {
      case 'bcrypt':
        return realRequire('bcryptjs'); // bcryptjs has bcrypt's callback API (and promises)
      case 'mysql':
        return realRequire('mysql2'); // mysql2 keeps mysql's createConnection/query(sql, values, cb) API
      case 'pg':
        return pgShim(realRequire('pg'));
      case 'mongodb':
        return mongoShim(realRequire('mongodb'));
      default:
        try {
          return realRequire(name);
        } catch (error) {
          // The runtime's own refusal (its kind is 'denied'), said the way an Auth0 script needs to hear it.
          if (error !== null && typeof error === 'object' && error.name === 'ModuleNotAllowedError') {
            const advice = ADVICE[name] ?? 'the Auth0 dialect offers bcrypt, mysql, pg, mongodb and the modules Gatehouse scripts may require (crypto, url, util, buffer, querystring, events)';
            error.message = 'require(' + JSON.stringify(name) + ') is not available here: ' + advice;
          }
          throw error;
        }
    }
  };
  /** require('mongodb@3.1.4'): Auth0 pins versions by suffix; it is accepted and ignored. */
  const requireFor = (realRequire) => (id) => {
    const name = typeof id === 'string' ? id.replace(/^((?:@[^/@]+\/)?[^@]+)@[^/@]*$/, '$1') : id;
    if (typeof name !== 'string') return realRequire(name);
    if (!modules.has(name)) modules.set(name, load(realRequire, name));
    return modules.get(name);
  };

  define(__ADAPTER_GLOBAL__, Object.freeze({ invoke, require: requireFor }));
})();
`;

/** The whole globals source of an Auth0 connection: Gatehouse's typed errors, then Auth0's. */
export const AUTH0_PRELUDE = `${TYPED_ERRORS_PRELUDE}\n${ADAPTER_SOURCE.replace('__ADVICE__', JSON.stringify(MODULE_ADVICE)).replace('__ADAPTER_GLOBAL__', JSON.stringify(ADAPTER_GLOBAL))}`;
