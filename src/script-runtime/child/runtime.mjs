// @ts-check
/**
 * The runtime process's host code, shared by its two entries: `host.mjs` (a normal start)
 * and `snapshot-entry.cjs` (the V8 startup snapshot, see ../startup-snapshot.ts). Plain
 * JavaScript on purpose: it is forked from `src/` under vitest and from `dist/` in
 * production, and Node 20 cannot run TypeScript.
 *
 * Two phases, so the same code runs both ways:
 * - `prepare()` is the work that does not depend on the process: loading `pg` and compiling
 *   the path of a first call once. With the snapshot it runs once, when the blob is built,
 *   and every runtime starts from its result; so it must not touch anything per-process
 *   (fd 3, the environment, randomness, the egress socket, signal handlers).
 * - `start()` is everything per-process: the channel on fd 3, the egress client or guard,
 *   the lockdown, the console, the process handlers, then `ready`. No script runs before it.
 *
 * Life of a runtime: it starts unbound (possibly as the pool's warm spare), installs the
 * egress guard and the lockdown, says `ready`, then receives exactly one `init` (the
 * globals prelude, the named entries in load order, env and allowlist), runs the prelude,
 * loads every entry once, and answers `call`s, many at a time, each identified by its
 * request id. It knows no entry names of its own.
 */
import net from 'node:net';
import vm from 'node:vm';
import { installEgressClient } from './egress-client.mjs';
import { installEgressGuard } from './egress-guard.mjs';
import { lockDown } from './lockdown.mjs';
import {
  callStorage,
  newCallStore,
  scriptConsole,
  preloadModules,
  scriptRequire,
  toFailure,
} from './sandbox.mjs';

/**
 * @typedef {import('../types.js').RuntimeFailure} ScriptFailure
 * @typedef {import('../protocol.js').ParentMessage} ParentMessage
 * @typedef {import('../protocol.js').InitMessage} InitMessage
 * @typedef {import('../protocol.js').CallMessage} CallMessage
 * @typedef {import('../protocol.js').ChildMessage} ChildMessage
 * @typedef {{ fn: Function } | { failure: ScriptFailure }} LoadedScript
 * @typedef {import('./sandbox.mjs').CallStore} CallStore
 */

/**
 * `process.exit`, held by `start()` before any script runs: a script may replace
 * `process.exit`, but not ours.
 * @type {(code?: number) => never}
 */
let exit = (code) => process.exit(code);

/**
 * The channel to the server: fd 3, a plain pipe carrying length-prefixed JSON frames (see
 * ../frames.ts), opened by `start()`. There is no Node IPC channel (`process.send` does not
 * exist here). A script can reach fd 3 too; the server checks every frame it receives, so
 * that gains it nothing.
 * @type {net.Socket | null}
 */
let channel = null;

/** @param {string} json */
function frame(json) {
  const body = Buffer.from(json, 'utf8');
  const out = Buffer.allocUnsafe(4 + body.length);
  out.writeUInt32BE(body.length, 0);
  body.copy(out, 4);
  return out;
}

let resultLimit = 1024 * 1024;

/**
 * @param {ChildMessage} message
 * @param {() => void} [written]
 */
function send(message, written) {
  if (channel === null) throw new Error('The runtime channel is not open yet');
  channel.write(frame(encode(message)), written);
}

/**
 * JSON of a message; a result JSON cannot carry (BigInt as strings, else the reason) or one
 * over the result limit becomes an `invalid_result` failure here, before the server sees it.
 * @param {ChildMessage} message
 * @returns {string}
 */
function encode(message) {
  if (message.type !== 'result' || !message.ok) return JSON.stringify(message);
  /** @type {string} */
  let result;
  try {
    result = JSON.stringify(message.result, (_k, v) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null';
  } catch (error) {
    return JSON.stringify(invalid(message, `The result cannot be sent back to the server: ${error instanceof Error ? error.message : String(error)}`));
  }
  if (Buffer.byteLength(result, 'utf8') > resultLimit) {
    return JSON.stringify(invalid(message, `The result is larger than the ${resultLimit}-byte limit`));
  }
  const { result: _dropped, ...rest } = message;
  // `result` is spliced in as already-encoded JSON rather than stringified twice.
  const head = JSON.stringify(rest);
  return message.result === undefined ? head : `${head.slice(0, -1)},"result":${result}}`;
}

/**
 * @param {import('../protocol.js').ResultMessage} message
 * @param {string} why
 * @returns {import('../protocol.js').ResultMessage}
 */
function invalid(message, why) {
  return { type: 'result', id: message.id, ok: false, error: { kind: 'invalid_result', name: 'InvalidResultError', message: why }, logs: message.logs };
}

/** The egress guard (no OS sandbox only), configured with the connection's hosts by `init`. */
/** @type {import('./egress-guard.mjs').EgressGuard | null} */
let guard = null;

const PARAMS = ['env', 'require', 'console'];

/**
 * Location of a V8 syntax error: vm puts `file:line` and a caret line at the top of the stack.
 * @param {unknown} error
 * @returns {string}
 */
function syntaxLocation(error) {
  const lines = error instanceof Error && typeof error.stack === 'string' ? error.stack.split('\n') : [];
  const at = /:(\d+)$/.exec(lines[0] ?? '');
  const caret = (lines[2] ?? '').indexOf('^');
  if (at === null) return '';
  return caret >= 0 ? ` (line ${at[1]}, column ${caret + 1})` : ` (line ${at[1]})`;
}

/**
 * Each script runs in its own function scope, as an async function so top-level `await`
 * works. The header takes its own line and `lineOffset: -1` keeps the line numbers of stack
 * traces and syntax errors those of the administrator's source.
 * @param {string} name
 * @param {string} source
 * @param {Readonly<Record<string, string>>} env
 * @returns {Promise<LoadedScript>}
 */
async function loadScript(name, source, env) {
  const code = `(async function (${PARAMS.join(', ')}) {\n${source}\n;return typeof ${name} === 'function' ? ${name} : undefined;\n})`;
  let factory;
  try {
    factory = new vm.Script(code, { filename: `${name}.js`, lineOffset: -1 }).runInThisContext();
  } catch (error) {
    const failure = toFailure(error, 'syntax');
    failure.message = `${failure.message}${syntaxLocation(error)}`;
    delete failure.stack;
    return { failure };
  }
  try {
    // `this` is the shared global, as for top-level code of a classic script.
    const fn = await factory.call(globalThis, env, scriptRequire, scriptConsole);
    if (typeof fn !== 'function') {
      return {
        failure: {
          kind: 'syntax',
          name: 'SyntaxError',
          message: `The script does not declare a top-level function named ${name} (expected \`async function ${name}(…)\`)`,
        },
      };
    }
    return { fn };
  } catch (error) {
    return { failure: toFailure(error) };
  }
}

/**
 * Runs the globals prelude as a classic script in the shared global scope, before any entry.
 * @param {string} source
 * @returns {{ failure: ScriptFailure } | null} null when it ran
 */
function runGlobals(source) {
  try {
    new vm.Script(source, { filename: 'globals.js' }).runInThisContext();
    return null;
  } catch (error) {
    return { failure: toFailure(error, error instanceof SyntaxError ? 'syntax' : 'runtime') };
  }
}

/** @type {Map<string, LoadedScript>} */
const loaded = new Map();
/** @type {Promise<void> | null} */
let loading = null;
let logLimit = 64 * 1024;
/** Output of top-level code goes to the first call answered after loading. */
/** @type {CallStore | null} */
let loadStore = null;

/** @param {InitMessage} message */
function init(message) {
  if (loading !== null) return;
  logLimit = message.logLimitBytes;
  resultLimit = message.resultLimitBytes;
  guard?.configure(message.allowedHosts);
  const env = Object.freeze({ ...message.env });
  Object.defineProperty(globalThis, 'env', { value: env, writable: false, configurable: false });
  const store = newCallStore(logLimit, null);
  loadStore = store;
  loading = callStorage.run(store, async () => {
    const prelude = message.globalsSource === null ? null : runGlobals(message.globalsSource);
    for (const [name, source] of message.entries) {
      // A broken prelude fails every entry: none of them would see the globals it promised.
      loaded.set(name, prelude ?? (await loadScript(name, source, env)));
    }
  });
}

/** @param {CallMessage} message */
async function call(message) {
  /** @type {(error: Error) => void} */
  let deny = () => {};
  /** @type {Promise<never>} */
  const denied = new Promise((_resolve, reject) => {
    deny = reject;
  });
  const store = newCallStore(logLimit, deny, message.id);
  /** @type {import('../protocol.js').ResultMessage} */
  let answer;
  try {
    if (loading === null) throw new Error('The runtime received a call before its scripts');
    await loading;
    const entry = loaded.get(message.entry);
    if (entry === undefined) throw new Error(`The ${message.entry} entry was not sent to this runtime`);
    if ('failure' in entry) {
      answer = { type: 'result', id: message.id, ok: false, error: entry.failure, logs: store.logs };
    } else {
      const { fn } = entry;
      const result = await callStorage.run(store, () =>
        Promise.race([Promise.resolve().then(() => fn(...message.args)), denied]),
      );
      answer = { type: 'result', id: message.id, ok: true, result, logs: store.logs };
    }
  } catch (error) {
    /** @type {'denied' | undefined} */
    let kind;
    try {
      kind = error instanceof Error && error.name === 'EgressDeniedError' ? 'denied' : undefined;
    } catch {
      // A thrown Proxy: toFailure says so.
    }
    answer = { type: 'result', id: message.id, ok: false, error: toFailure(error, kind), logs: store.logs };
  }
  store.deny = null;
  if (loadStore !== null && loadStore.logs.length > 0) {
    answer.logs = [...loadStore.logs, ...answer.logs];
    loadStore = null;
  }
  send(answer);
}

/** @param {ParentMessage} message */
function onMessage(message) {
  switch (message.type) {
    case 'init':
      init(message);
      break;
    case 'call':
      void call(message);
      break;
    case 'ping':
      send({ type: 'pong', id: message.id });
      break;
  }
}

/**
 * Runs the path of a connection's first call once on a throwaway script before saying
 * `ready`: V8 compiles functions on first use, so a spare would otherwise compile vm's
 * script compiler, the async wrapper, AsyncLocalStorage and the encoder while its first
 * connection waits (~1 ms of a cold start). Nothing of it stays reachable: the script is
 * a function scope of its own, its result is dropped, and no connection is bound yet.
 */
async function warmUp() {
  try {
    if (runGlobals('void class extends Error {}') !== null) return;
    const source = 'async function warmUp(value) { const Typed = class extends Error {}; return { value: new Typed(String(value)).message }; }';
    const warm = await loadScript('warmUp', source, Object.freeze({}));
    if (!('fn' in warm)) return;
    const { fn } = warm;
    const result = await callStorage.run(newCallStore(logLimit, null), () => Promise.resolve().then(() => fn(1)));
    encode({ type: 'result', id: 0, ok: true, result, logs: [] });
  } catch {
    // Only a lost head start: the first call compiles what is missing.
  }
}


/**
 * The process-independent part of a start: loads the preloaded modules (`bundled` gives the
 * ones compiled into the snapshot's bundle, see sandbox.mjs) and runs the warm-up. Runs once
 * per blob when the snapshot is built, so it reads nothing of the process and draws no
 * randomness: whatever it leaves in the heap, every runtime started from the blob shares.
 * @param {import('./sandbox.mjs').BundledModules} [bundled]
 * @returns {Promise<void>}
 */
export async function prepare(bundled) {
  preloadModules(bundled);
  await warmUp();
  // The warm-up enabled AsyncLocalStorage's hooks; a snapshot cannot be taken with them on
  // (V8 aborts on the pending hook state). The first `run` of a call turns them on again.
  callStorage.disable();
}

/**
 * The per-process part of a start, before any script can run: fd 3, the egress route, the
 * lockdown, the console, the process handlers, then `ready`. Called once.
 */
export function start() {
  if (channel !== null) throw new Error('The runtime is already started');
  exit = process.exit.bind(process);
  channel = new net.Socket({ fd: 3, readable: true, writable: true });

  /**
   * In the OS sandbox there is no network: every connection goes to the server's egress
   * broker, which decides (and fails the call on a refusal). Without a sandbox, the
   * in-process guard is the only check there is. Read from this process's environment, and
   * removed from it before any script runs.
   */
  const egressSocket = process.env['GATEHOUSE_EGRESS_SOCKET'];
  delete process.env['GATEHOUSE_EGRESS_SOCKET'];
  if (typeof egressSocket === 'string' && egressSocket !== '') {
    installEgressClient({ socketPath: egressSocket, currentCallId: () => callStorage.getStore()?.id ?? undefined });
  } else {
    guard = installEgressGuard((error) => {
      // A refused connection fails the call that made it at once (a driver may otherwise
      // retry until its own timeout). Outside a call there is no one to tell.
      const store = callStorage.getStore();
      store?.deny?.(error);
    });
  }
  lockDown();

  // The drivers may log; everything a script or driver prints belongs to the current call.
  globalThis.console = /** @type {Console} */ (/** @type {unknown} */ (scriptConsole));

  // A forgotten `await` must not take down every call of the connection; the rejection is
  // logged to the call it belongs to, if any.
  process.on('unhandledRejection', (reason) => {
    scriptConsole.error('Unhandled promise rejection:', reason);
  });
  // An uncaught exception leaves the process in an unknown state: report it and exit, the
  // parent fails the pending calls with this reason and the next call gets a fresh runtime.
  process.on('uncaughtException', (error) => {
    try {
      send({ type: 'fatal', error: toFailure(error, 'runtime') }, () => exit(70));
    } catch {
      exit(70);
    }
    setTimeout(() => exit(70), 1000).unref();
  });

  // The server went away (or closed this runtime): nothing is left to answer.
  channel.on('end', () => exit(0));
  channel.on('close', () => exit(0));
  channel.on('error', () => exit(0));

  /** Frames from the server (trusted, but a frame may arrive in pieces). */
  /** @type {Buffer} */
  let pending = Buffer.alloc(0);
  channel.on('data', (/** @type {Buffer} */ chunk) => {
    pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
    while (pending.length >= 4) {
      const length = pending.readUInt32BE(0);
      if (pending.length < 4 + length) break;
      const body = pending.subarray(4, 4 + length).toString('utf8');
      pending = pending.subarray(4 + length);
      onMessage(/** @type {ParentMessage} */ (JSON.parse(body)));
    }
  });

  send({ type: 'ready' });
}
