import { afterAll, describe, expect, test } from 'vitest';
import { sandboxCapabilities } from '../../src/script-runtime/index.js';
import { alivePid, expectReplaced, expectSameRuntime, getUser, newPool, spec, WRITE_FRAME } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

const TIMEOUT_MS = 1000;

describe('a runtime that dies fails its calls as values, and the next call gets a fresh one', () => {
  test('process.exit() in a script fails the call with kind runtime', async () => {
    const s = spec(getUser('process.exit(3);'), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'runtime', name: 'RuntimeExitError', message: 'The script runtime exited unexpectedly (exit code 3)' },
    });
    expect(outcome.durationMs).toBeLessThan(TIMEOUT_MS);
    await expectReplaced(pool, s, pid);
  });

  test('a runtime killed by pid fails every call in flight, and the next call works', async () => {
    const s = spec(getUser('await new Promise((r) => setTimeout(r, 60_000)); return null;'), { timeoutMs: 5000 });
    const pid = await alivePid(pool, s);
    const inFlight = Promise.all([pool.call(s, 'getUser', [{}, {}]), pool.call(s, 'getUser', [{}, {}])]);
    await new Promise((r) => setTimeout(r, 100));
    process.kill(pid, 'SIGKILL');
    for (const outcome of await inFlight) {
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'The script runtime exited unexpectedly (signal SIGKILL)' } });
      expect(outcome.durationMs).toBeLessThan(1000);
    }
    await expectReplaced(pool, s, pid);
  });

  test('an uncaught exception in background work fails the calls in flight with its message', async () => {
    const s = spec(getUser('setTimeout(() => { throw new Error("boom in a timer"); }, 10); await new Promise((r) => setTimeout(r, 5000)); return null;'), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'runtime', name: 'Error', message: 'The script runtime crashed on an uncaught exception: boom in a timer' },
    });
    expect(outcome.durationMs).toBeLessThan(TIMEOUT_MS);
    await expectReplaced(pool, s, pid);
  });

  test('an unhandled promise rejection is logged but does not take the runtime down', async () => {
    const s = spec(getUser('Promise.reject(new Error("forgotten")); await new Promise((r) => setTimeout(r, 20)); return { id: "done" };'));
    const pid = await alivePid(pool, s);
    const first = await pool.call(s, 'getUser', [{}, {}]);
    expect(first).toMatchObject({ ok: true });
    expect(first.logs.map((l) => l.message).join('\n')).toContain('forgotten');
    await expectSameRuntime(pool, s, pid);
  });

  // At the unshare level the launcher holds fd 3 as well, so a closed channel is noticed by the timeout only (README).
  test.skipIf(process.env['GATEHOUSE_TEST_SANDBOX'] === 'unshare' || sandboxCapabilities().level === 'unshare')('a script closing the channel (fd 3) and blocking the runtime\'s own exit is killed by the server', async () => {
    // Generous limit: the call must fail through the server's handling of a closed channel,
    // not its timer. The 'exit' listener keeps the process from ending on its own.
    const s = spec(getUser("process.on('exit', () => { for (;;) {} }); process.getBuiltinModule('fs').closeSync(3); setInterval(() => {}, 1000); await new Promise(() => {});"), { timeoutMs: 5000 });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'runtime', name: 'RuntimeExitError', message: 'The script runtime closed its channel to the server' },
    });
    expect(outcome.durationMs).toBeLessThan(2000);
    await expectReplaced(pool, s, pid);
  });

  test('well-formed frames a script forges for calls that are not pending are ignored', async () => {
    const s = spec(getUser(`${WRITE_FRAME}
      writeFrame({ type: 'result', id: 999999, ok: true, result: { id: 'forged' }, logs: [] });
      writeFrame({ type: 'pong', id: 1 });
      writeFrame({ type: 'ready' });
      return { id: 'real' };`));
    const pid = await alivePid(pool, s);
    expect(await pool.call(s, 'getUser', [{}, {}])).toMatchObject({ ok: true, result: { id: 'real' } });
    await expectSameRuntime(pool, s, pid);
  });
});
