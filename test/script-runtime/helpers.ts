import { ScriptRuntimePool, type ConnectionSpec, type ScriptName } from '../../src/script-runtime/index.js';

let counter = 0;

/** A spec with a unique key, so tests in one file never share a runtime by accident. */
export function spec(scripts: Partial<Record<ScriptName, string>>, extra: Partial<ConnectionSpec> = {}): ConnectionSpec {
  counter += 1;
  return { key: `test-${process.pid}-${counter}`, scripts, env: {}, timeoutMs: 1000, ...extra };
}

/** `getUser` wrapping a body, the shortest script whose result shape is easy to satisfy. */
export function getUser(body: string): Partial<Record<ScriptName, string>> {
  return { getUser: `async function getUser(query, context) {\n${body}\n}` };
}

export const GOOD_USER = getUser('return { id: "u1", email: query.email };');

export function newPool(options: ConstructorParameters<typeof ScriptRuntimePool>[0] = {}): ScriptRuntimePool {
  return new ScriptRuntimePool({ warmSpare: false, ...options });
}

/** A good call after a failure proves the runtime recovered. */
export async function expectGoodCall(pool: ScriptRuntimePool, key: string): Promise<void> {
  const outcome = await pool.call({ ...spec(GOOD_USER), key }, 'getUser', [{ email: 'a@example.com' }, {}]);
  if (!outcome.ok) throw new Error(`expected a good call, got ${JSON.stringify(outcome.error)}`);
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
