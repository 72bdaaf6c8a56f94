import { afterAll, describe, expect, test } from 'vitest';
import { SCRIPT_DISPLAY_NAMES, SCRIPT_NAMES } from '../../src/custom-db/contract/script-contract.js';
import { alivePid, expectSameRuntime, getUser, newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

describe('failures are values', () => {
  test('a missing script is the default script, which fails with not_implemented and the exact message', async () => {
    const s = spec({ login: null as unknown as string });
    for (const script of SCRIPT_NAMES) {
      const outcome = await pool.call(s, script, []);
      expect(outcome).toEqual({
        ok: false,
        error: {
          kind: 'not_implemented',
          name: 'NotImplementedError',
          message: `Please implement the ${SCRIPT_DISPLAY_NAMES[script]} script for this database connection`,
        },
        logs: [],
        durationMs: expect.any(Number) as number,
      });
    }
    expect(pool.runtimePid(s.key)).toBeUndefined(); // no process was needed to say so
  });

  test('a syntax error found at load time fails with kind syntax and its line and column', async () => {
    const s = spec({ getUser: 'async function getUser(query) {\n  const x = ;\n}' });
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'syntax', name: 'SyntaxError', message: "Unexpected token ';' (line 2, column 13)" },
    });
  });

  test('a syntax error in one script does not break the other scripts of the connection', async () => {
    const s = spec({ login: 'async function login( {', getUser: 'async function getUser() { return null; }' });
    expect(await pool.call(s, 'login', [{}, 'pw', {}])).toMatchObject({ ok: false, error: { kind: 'syntax' } });
    expect(await pool.call(s, 'getUser', [{}, {}])).toMatchObject({ ok: true, result: null });
  });

  test('a script that does not declare its function fails with kind syntax', async () => {
    const outcome = await pool.call(spec({ getUser: 'async function getUsers() {}' }), 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'syntax', message: expect.stringContaining('function named getUser') as string } });
  });

  test('an exception in top-level code fails the calls of that script with kind runtime', async () => {
    const outcome = await pool.call(spec({ getUser: 'throw new Error("no config");\nasync function getUser() {}' }), 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'Error', message: 'no config' } });
  });

  test('a thrown error keeps its message and a stack with the line in the script', async () => {
    const outcome = await pool.call(spec(getUser('\n\nthrow new RangeError("database down");')), 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'RangeError', message: 'database down' } });
    expect(outcome.ok === false && outcome.error.stack).toContain('getUser.js:4');
  });

  test('throwing a non-Error value is a runtime failure with a readable message', async () => {
    const outcome = await pool.call(spec(getUser('throw "plain string";')), 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'plain string' } });
  });

  test('an argument JSON cannot carry (a BigInt) fails that call only', async () => {
    const s = spec(getUser('return { id: 1 };'));
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{ id: 1n }, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'ArgumentError' } });
    await expectSameRuntime(pool, s, pid);
  });
});

describe('typed errors are recognised by name across the process boundary', () => {
  test.each([
    ['WrongUsernameOrPasswordError'],
    ['UserNotFoundError'],
    ['UserExistsError'],
    ['AccountBlockedError'],
  ])('%s thrown by a script arrives as kind runtime with that name', async (name) => {
    const outcome = await pool.call(spec(getUser(`throw new ${name}('custom message');`)), 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name, message: 'custom message' } });
  });

  test('typed errors are Error subclasses, their message is optional, and they are globals', async () => {
    const outcome = await pool.call(
      spec(getUser('const e = new globalThis.UserNotFoundError(); return { id: "x", isError: e instanceof Error, name: e.name, message: e.message };')),
      'getUser',
      [{}, {}],
    );
    expect(outcome).toMatchObject({ ok: true, result: { isError: true, name: 'UserNotFoundError', message: 'UserNotFoundError' } });
  });

  test("a script's own class with a typed error's name is recognised too", async () => {
    const outcome = await pool.call(
      spec(getUser('class UserExistsError extends Error { constructor(m) { super(m); this.name = "UserExistsError"; } }\nthrow new UserExistsError("taken");')),
      'getUser',
      [{}, {}],
    );
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'UserExistsError', message: 'taken' } });
  });
});

describe('console output is captured per call', () => {
  test('console.log/info/warn/error arrive with their level, formatted', async () => {
    const outcome = await pool.call(
      spec(getUser('console.log("a", 1, { b: 2 }); console.info("i"); console.warn("w"); console.error(new Error("boom").message); return null;')),
      'getUser',
      [{}, {}],
    );
    expect(outcome).toMatchObject({
      ok: true,
      logs: [
        { level: 'log', message: 'a 1 { b: 2 }' },
        { level: 'info', message: 'i' },
        { level: 'warn', message: 'w' },
        { level: 'error', message: 'boom' },
      ],
    });
  });

  test('output of a failing call is kept, and output of top-level code goes to the first call', async () => {
    const s = spec({ getUser: 'console.log("loading");\nasync function getUser() { console.warn("about to fail"); throw new UserNotFoundError(); }' });
    const first = await pool.call(s, 'getUser', [{}, {}]);
    expect(first.logs).toEqual([{ level: 'log', message: 'loading' }, { level: 'warn', message: 'about to fail' }]);
    const second = await pool.call(s, 'getUser', [{}, {}]);
    expect(second.logs).toEqual([{ level: 'warn', message: 'about to fail' }]);
  });

  test('output is bounded in size', async () => {
    const small = newPool({ logLimitBytes: 1000 });
    try {
      const outcome = await small.call(spec(getUser('for (let i = 0; i < 1000; i++) console.log("x".repeat(100)); return null;')), 'getUser', [{}, {}]);
      const total = outcome.logs.reduce((n, l) => n + l.message.length, 0);
      expect(total).toBeLessThan(1100);
      expect(outcome.logs.at(-1)?.message).toContain('truncated');
    } finally {
      await small.close();
    }
  });

  test('a thrown Proxy whose traps throw fails as a runtime error at once, not as a timeout', async () => {
    const s = spec(getUser('throw new Proxy({}, { get() { throw new Error("trap"); }, getPrototypeOf() { throw new Error("trap"); }, has() { throw new Error("trap"); } });'), { timeoutMs: 3000 });
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'Error' } });
    expect(outcome.ok === false && outcome.error.message).toContain('cannot be read');
  });

  test('an error with a very long name is clipped, not taken for a broken frame', async () => {
    const s = spec(getUser('const e = new Error("long"); e.name = "N".repeat(5000); throw e;'));
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', message: 'long' } });
    expect(outcome.ok === false && outcome.error.name.length).toBeLessThanOrEqual(201);
    await expectSameRuntime(pool, s, pid);
  });
});
