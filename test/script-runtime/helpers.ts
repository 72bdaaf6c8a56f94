import { ScriptRuntimePool } from '../../src/script-runtime/index.js';
import type { CallOutcome, ConnectionSpec, ScriptName } from '../../src/custom-db/contract/script-contract.js';
import { runUserScript } from '../../src/custom-db/script-caller.js';

let counter = 0;

/**
 * The startup snapshot is built (or found on disk) before any pool of a suite is made, so
 * the suites' runtimes of the default heap start from it, as the server's do once it is
 * ready; `GATEHOUSE_RUNTIME_SNAPSHOT=0` runs them the normal way.
 */
const snapshotProbe = new ScriptRuntimePool({ warmSpare: false });
export const SUITE_SNAPSHOT = await snapshotProbe.startupSnapshotSettled();
await snapshotProbe.close();
if (SUITE_SNAPSHOT.state === 'failed') console.warn(`The runtime startup snapshot could not be built; runtimes start the normal way: ${SUITE_SNAPSHOT.reason}`);

/** A spec with a unique key, so tests in one file never share a runtime by accident. */
export function spec(scripts: Partial<Record<ScriptName, string>>, extra: Partial<ConnectionSpec> = {}): ConnectionSpec {
  counter += 1;
  return { key: `test-${process.pid}-${counter}`, scripts, env: {}, timeoutMs: 1000, ...extra };
}

/**
 * `getUser` wrapping a body, the shortest script whose result shape is easy to satisfy.
 * `{ alive: true }` as the query answers at once, before the body (on the header's line, so
 * line numbers stay the body's): how tests ask the same runtime whether it still answers.
 */
export function getUser(body: string): Partial<Record<ScriptName, string>> {
  return { getUser: `async function getUser(query, context) { if (query?.alive === true) return { id: 'alive' };\n${body}\n}` };
}

/** Script code defining `writeFrame(value)`: writes one well-formed frame onto the runtime's channel (fd 3), as a hostile script can. */
export const WRITE_FRAME = `const writeFrame = (value) => {
  const body = Buffer.from(JSON.stringify(value));
  const head = Buffer.alloc(4);
  head.writeUInt32BE(body.length);
  process.getBuiltinModule('fs').writeSync(3, Buffer.concat([head, body]));
};`;

/** The query that takes the `alive` path of scripts made by `getUser`. */
export const ALIVE = [{ alive: true }, {}];

export const GOOD_USER = getUser('return { id: "u1", email: query.email };');

/**
 * The runtime pool with user scripts called the way the server calls them (the contract of
 * custom-db on top), so these tests keep the behaviour administrators see; `runtime` is the
 * generic pool underneath.
 */
export class TestPool {
  readonly runtime: ScriptRuntimePool;
  constructor(options: ConstructorParameters<typeof ScriptRuntimePool>[0] = {}) {
    // GATEHOUSE_TEST_SANDBOX=none|unshare|bwrap runs the suite at that level (default: the machine's best).
    const level = process.env['GATEHOUSE_TEST_SANDBOX'];
    const sandbox = level === 'none' || level === 'unshare' || level === 'bwrap' ? level : 'auto';
    this.runtime = new ScriptRuntimePool({ warmSpare: false, sandbox, ...options });
  }
  call(s: ConnectionSpec, script: ScriptName, args: unknown[]): Promise<CallOutcome> {
    return runUserScript(this.runtime, s, script, args);
  }
  runtimePid(key: string): number | undefined {
    return this.runtime.runtimePid(key);
  }
  stats(): ReturnType<ScriptRuntimePool['stats']> {
    return this.runtime.stats();
  }
  invalidate(key: string): Promise<void> {
    return this.runtime.invalidate(key);
  }
  warmUp(): Promise<void> {
    return this.runtime.warmUp();
  }
  close(): Promise<void> {
    return this.runtime.close();
  }
}

export function newPool(options: ConstructorParameters<typeof ScriptRuntimePool>[0] = {}): TestPool {
  return new TestPool(options);
}

/**
 * Calls the spec's `alive` path (see `getUser`) and answers the server-side pid of the
 * runtime bound to the key afterwards, i.e. the one that answered.
 */
export async function alivePid(pool: TestPool, s: ConnectionSpec): Promise<number> {
  const outcome = await pool.call(s, 'getUser', ALIVE);
  if (!outcome.ok) throw new Error(`expected the alive path to answer, got ${JSON.stringify(outcome.error)}`);
  const pid = pool.runtimePid(s.key);
  if (pid === undefined) throw new Error('no runtime is bound to the key after a successful call');
  return pid;
}

/**
 * After a failure that must end the runtime: its process is gone (observed by pid, not by
 * asking the pool), and the same spec's next call is answered by a new process. Same spec and
 * key, so a runtime that was wrongly kept would be reused and fail this.
 */
export async function expectReplaced(pool: TestPool, s: ConnectionSpec, oldPid: number): Promise<void> {
  if (!(await eventually(() => !isAlive(oldPid)))) throw new Error(`runtime ${oldPid} is still running`);
  const pid = await alivePid(pool, s);
  if (pid === oldPid) throw new Error(`the same runtime ${oldPid} answered after it should have been replaced`);
}

/** After a failure that must stay within one call: the same process answers the next call. */
export async function expectSameRuntime(pool: TestPool, s: ConnectionSpec, pid: number | undefined): Promise<void> {
  if (pid === undefined) throw new Error('no runtime was bound before the check');
  const now = await alivePid(pool, s);
  if (now !== pid) throw new Error(`runtime ${pid} was replaced by ${now}; it should have kept answering`);
}

export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Waits until `check` holds, polling; false if it never does within `ms`. */
export async function eventually(check: () => boolean, ms = 3000): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}
