// @ts-check
/**
 * What a script sees besides the standard globals: the allowlisted `require`, a console
 * captured per call, and the mapping of whatever a script throws to a failure value. Error
 * classes a contract wants scripts to throw come from the spec's globals prelude.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createRequire } from 'node:module';
import { formatWithOptions } from 'node:util';
import { DENIED_CODE } from './egress-guard.mjs';

/**
 * @typedef {import('../types.js').RuntimeFailure} ScriptFailure
 * @typedef {import('../types.js').ScriptLog} ScriptLog
 * @typedef {import('../types.js').RuntimeFailureKind} FailureKind
 */

const MAX_MESSAGE_CHARS = 8 * 1024;
const MAX_NAME_CHARS = 200;
const MAX_STACK_CHARS = 8 * 1024;

export class ModuleNotAllowedError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'ModuleNotAllowedError';
    this.code = DENIED_CODE;
  }
}

/**
 * Script-visible module id → what the runtime really loads.
 * @type {Map<string, string>}
 */
const ALLOWED_MODULES = new Map([
  ['pg', 'pg'],
  ['mysql2', 'mysql2'],
  ['mysql2/promise', 'mysql2/promise'],
  ['mongodb', 'mongodb'],
  ['bcryptjs', 'bcryptjs'],
  ['bcrypt', 'bcryptjs'],
]);
for (const builtin of ['crypto', 'url', 'util', 'buffer', 'querystring', 'events']) {
  ALLOWED_MODULES.set(builtin, `node:${builtin}`);
  ALLOWED_MODULES.set(`node:${builtin}`, `node:${builtin}`);
}

/**
 * Modules compiled into the startup snapshot's bundle (snapshot-entry.cjs), by the id the
 * runtime loads: id → a loader (esbuild's lazy module body). Empty in a normal start.
 * @typedef {Readonly<Record<string, () => unknown>>} BundledModules
 * @type {Map<string, () => unknown>}
 */
const bundledModules = new Map();

/**
 * Node's `require` from this folder, made on first use: with the snapshot that is after the
 * start, so nothing of the module resolution (its caches of paths and stats) is taken at
 * build time. In the bundle, esbuild replaces `import.meta.url` with this file's URL.
 * @type {NodeRequire | null}
 */
let diskRequire = null;

/**
 * @param {string} target
 * @returns {unknown}
 */
function realRequire(target) {
  const bundled = bundledModules.get(target);
  if (bundled !== undefined) return bundled();
  diskRequire ??= createRequire(import.meta.url);
  return diskRequire(target);
}

/**
 * The `require` scripts get: the allowlist only, anything else throws a `denied` failure.
 * @param {unknown} id
 * @returns {unknown}
 */
export function scriptRequire(id) {
  const target = typeof id === 'string' ? ALLOWED_MODULES.get(id) : undefined;
  if (target === undefined) {
    throw new ModuleNotAllowedError(
      `require(${JSON.stringify(String(id))}) is not allowed; scripts may require: pg, mysql2, mysql2/promise, mongodb, bcryptjs (or bcrypt), crypto, url, util, buffer, querystring, events`,
    );
  }
  return realRequire(target);
}

/**
 * Loaded by every runtime before it says `ready`, so a spare has them loaded by the time a
 * connection takes it: `pg` is what the templates and most login scripts require, and
 * loading its modules is most of a first call's cost. Loading `pg` connects nothing (its
 * sockets come from `net` when a script connects, after the egress route is installed), so
 * it is loaded before the start's per-process part, and with the snapshot once at build
 * time: the copy shared is code, and each runtime serves one connection only.
 */
const PRELOADED = ['pg'];

/** @param {BundledModules} [bundled] modules compiled into the snapshot's bundle; the rest load from node_modules */
export function preloadModules(bundled = {}) {
  for (const [id, load] of Object.entries(bundled)) bundledModules.set(id, load);
  withoutResponseGlobal(() => {
    for (const id of PRELOADED) {
      const target = ALLOWED_MODULES.get(id);
      if (target !== undefined) realRequire(target);
    }
  });
}

/**
 * Runs `load` with the global `Response` hidden, then puts it back as it was (still lazy).
 * pg's `lib/stream.js` tells a Cloudflare Worker from Node by `typeof Response` at load
 * time, and on Node 20 the first read of that global loads Node's bundled undici: ~20 ms,
 * a quarter of a runtime's start, for a fetch API no preloaded module uses. A script that
 * does use `Response` or `fetch` still loads it then.
 * @param {() => void} load
 */
export function withoutResponseGlobal(load) {
  const response = Object.getOwnPropertyDescriptor(globalThis, 'Response');
  if (response === undefined || response.configurable !== true) {
    load();
    return;
  }
  Reflect.deleteProperty(globalThis, 'Response');
  try {
    load();
  } finally {
    Object.defineProperty(globalThis, 'Response', response);
  }
}

/**
 * Per-call state, found through AsyncLocalStorage so concurrent calls keep their own logs
 * and a refused connection fails the call that made it, not a neighbour.
 * @typedef {object} CallStore
 * @property {ScriptLog[]} logs
 * @property {number} bytes
 * @property {number} limit
 * @property {boolean} truncated
 * @property {((error: Error) => void) | null} deny fails the call at once (null when not in a call)
 * @property {number | null} id the server's id of the call (null while loading), sent with brokered connections
 */

/** @type {AsyncLocalStorage<CallStore>} */
export const callStorage = new AsyncLocalStorage();

/**
 * @param {number} limit
 * @param {((error: Error) => void) | null} deny
 * @param {number | null} [id]
 * @returns {CallStore}
 */
export function newCallStore(limit, deny, id = null) {
  return { logs: [], bytes: 0, limit, truncated: false, deny, id };
}

/**
 * Output outside any call (a pool's background reconnect, timers of finished calls) is
 * dropped: there is no caller to hand it to.
 * @param {ScriptLog['level']} level
 * @param {unknown[]} args
 */
function capture(level, args) {
  const store = callStorage.getStore();
  if (store === undefined || store.truncated) return;
  let message = formatWithOptions({ depth: 4, breakLength: Infinity }, ...args);
  const room = store.limit - store.bytes;
  if (message.length > room) {
    message = `${message.slice(0, Math.max(0, room))}… [console output truncated at ${store.limit} bytes]`;
    store.truncated = true;
  }
  store.bytes += message.length;
  store.logs.push({ level, message });
}

/** Replaces the global console in the runtime; stdout and stderr are not the script's. */
export const scriptConsole = Object.freeze({
  log: (/** @type {unknown[]} */ ...a) => capture('log', a),
  info: (/** @type {unknown[]} */ ...a) => capture('info', a),
  warn: (/** @type {unknown[]} */ ...a) => capture('warn', a),
  error: (/** @type {unknown[]} */ ...a) => capture('error', a),
  debug: (/** @type {unknown[]} */ ...a) => capture('log', a),
  trace: (/** @type {unknown[]} */ ...a) => capture('log', a),
  dir: (/** @type {unknown[]} */ ...a) => capture('log', a),
});

/**
 * @param {unknown} value
 * @returns {value is { code?: unknown, cause?: unknown, name?: unknown }}
 */
function isObject(value) {
  return typeof value === 'object' && value !== null;
}

/**
 * A refusal may arrive wrapped (`fetch` rejects with TypeError('fetch failed', { cause })).
 * @param {unknown} error
 * @returns {boolean}
 */
function isDenial(error) {
  for (let e = error, depth = 0; isObject(e) && depth < 5; e = e.cause, depth++) {
    if (e.code === DENIED_CODE || e.code === 'ERR_ACCESS_DENIED' || e.code === 'ERR_DLOPEN_DISABLED') return true;
  }
  return false;
}

/**
 * @param {string} text
 * @param {number} max
 */
function clip(text, max) {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

/**
 * Turns anything a script threw into a failure value. The error's name is kept, so a contract
 * can recognise its own error classes by name (also when a script declares one itself).
 * @param {unknown} error
 * @param {FailureKind} [kind] forced kind (e.g. `denied` when the call made a refused connection)
 * @returns {ScriptFailure}
 */
export function toFailure(error, kind) {
  try {
    return readFailure(error, kind);
  } catch {
    // A thrown Proxy or an object whose getters throw: nothing of it can be read safely.
    return { kind: kind ?? 'runtime', name: 'Error', message: 'The script threw a value that cannot be read (a Proxy, or an object whose properties throw)' };
  }
}

/**
 * @param {unknown} error
 * @param {FailureKind} [kind]
 * @returns {ScriptFailure}
 */
function readFailure(error, kind) {
  let name = 'Error';
  let message;
  /** @type {string | undefined} */
  let stack;
  if (error instanceof Error) {
    name = typeof error.name === 'string' && error.name !== '' ? error.name : 'Error';
    message = String(error.message);
    stack = typeof error.stack === 'string' ? clip(error.stack, MAX_STACK_CHARS) : undefined;
  } else if (isObject(error) && typeof error.name === 'string') {
    name = error.name;
    message = String(/** @type {{ message?: unknown }} */ (error).message ?? '');
  } else {
    message = typeof error === 'string' ? error : `A non-Error value was thrown: ${formatWithOptions({ depth: 2 }, error)}`;
  }
  let resolved = kind;
  if (resolved === undefined) resolved = isDenial(error) ? 'denied' : 'runtime';
  // Code compiled by vm has no dynamic-import loader, so `import()` (also from code made by
  // `Function`) always fails; that is the allowlist at work, and is reported as such.
  if (isObject(error) && typeof error.code === 'string' && error.code.startsWith('ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING')) {
    resolved = 'denied';
    name = 'ModuleNotAllowedError';
    message = 'import() is not available to scripts; use require() with an allowed module';
  }
  if (resolved === 'denied' && isObject(error) && error.code === 'ERR_ACCESS_DENIED') {
    name = 'AccessDeniedError';
    const resource = /** @type {{ resource?: unknown }} */ (error).resource;
    if (typeof resource === 'string') message = `${message} (${resource})`;
  }
  /** @type {ScriptFailure} */
  // The server refuses a failure whose name is over 256 characters as a broken frame.
  const failure = { kind: resolved, name: clip(String(name), MAX_NAME_CHARS), message: clip(String(message), MAX_MESSAGE_CHARS) };
  if (stack !== undefined) failure.stack = stack;
  return failure;
}
