/**
 * The channel between server and runtime is a plain pipe of length-prefixed JSON frames: no
 * Node IPC. Attacks that brought the server down through IPC (issue 17) must now fail inside
 * the runtime, and garbage, oversize or flooding frames end that runtime only. Each test checks
 * the server (this process) is unaffected: still answering, its fd count flat.
 */
import { readdirSync } from 'node:fs';
import { afterAll, describe, expect, test } from 'vitest';
import { alivePid, expectReplaced, expectSameRuntime, getUser, newPool, spec, WRITE_FRAME } from './helpers.js';

const pool = newPool({ resultLimitBytes: 64 * 1024 });
afterAll(() => pool.close());

const TIMEOUT_MS = 3000;

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

describe('no Node IPC channel', () => {
  test("process.send({ cmd: 'NODE_HANDLE_ACK' }) cannot reach the server: there is no process.send", async () => {
    const s = spec(getUser("process.send({ cmd: 'NODE_HANDLE_ACK' }); process.send({ cmd: 'NODE_HANDLE_NACK' }); return { id: 'sent' };"), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'TypeError', message: 'process.send is not a function' } });
    await expectSameRuntime(pool, s, pid);
  });

  test('NODE_HANDLE_ACK written as a frame onto the channel ends that runtime, not the server', async () => {
    const s = spec(getUser(`${WRITE_FRAME} writeFrame({ cmd: 'NODE_HANDLE_ACK' }); await new Promise((r) => setTimeout(r, 2000)); return { id: 'late' };`), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: { kind: 'runtime', name: 'RuntimeProtocolError', message: 'The script runtime was stopped: a frame does not have the shape of any runtime message' },
    });
    expect(outcome.durationMs).toBeLessThan(1500);
    await expectReplaced(pool, s, pid);
  });

  test('sending thousands of listening sockets as handles is impossible, and the server fd count stays flat', async () => {
    const s = spec(getUser(`
      const net = process.getBuiltinModule('net');
      const servers = [];
      for (let i = 0; i < 300; i++) {
        const server = net.createServer();
        await new Promise((r) => server.listen(0, '127.0.0.1', r));
        servers.push(server);
      }
      let sent = 0;
      for (const server of servers) { try { process.send({ cmd: 'NODE_HANDLE' }, server); sent++; } catch {} }
      return { id: String(sent) };`), { timeoutMs: 10_000 });
    await alivePid(pool, s);
    const before = openFds();
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: true, result: { id: '0' } });
    expect(openFds()).toBeLessThanOrEqual(before + 2);
  });
});

describe('every frame from the child is hostile', () => {
  test('a frame header announcing 2 GB ends the runtime at once, before anything is buffered', async () => {
    const s = spec(getUser("process.getBuiltinModule('fs').writeSync(3, Buffer.from([0x7f, 0xff, 0xff, 0xff, 1, 2, 3])); await new Promise(() => {});"), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'RuntimeProtocolError' } });
    expect(outcome.ok === false && outcome.error.message).toContain('over the');
    expect(outcome.durationMs).toBeLessThan(1500);
    await expectReplaced(pool, s, pid);
  });

  test('bytes that are not JSON end the runtime', async () => {
    const s = spec(getUser("process.getBuiltinModule('fs').writeSync(3, Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('{{{{{')])); await new Promise(() => {});"), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'RuntimeProtocolError', message: 'The script runtime was stopped: a frame is not JSON' } });
    await expectReplaced(pool, s, pid);
  });

  test('a result frame with a wrong field type ends the runtime', async () => {
    const s = spec(getUser(`${WRITE_FRAME} writeFrame({ type: 'result', id: 1, ok: false, error: { kind: 'runtime', name: 7, message: 'x' }, logs: [] }); await new Promise(() => {});`), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { name: 'RuntimeProtocolError' } });
    await expectReplaced(pool, s, pid);
  });

  test('a flood of frames that answer nothing ends the runtime', async () => {
    // One write of 1500 small frames (the pipe is non-blocking: many small writes would meet EAGAIN).
    const s = spec(getUser(`
      const frames = [];
      for (let i = 0; i < 1500; i++) {
        const body = Buffer.from(JSON.stringify({ type: 'pong', id: i }));
        const head = Buffer.alloc(4);
        head.writeUInt32BE(body.length);
        frames.push(head, body);
      }
      process.getBuiltinModule('fs').writeSync(3, Buffer.concat(frames));
      await new Promise(() => {});`), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { name: 'RuntimeProtocolError', message: 'The script runtime was stopped: more than 1000 frames answered nothing' } });
    await expectReplaced(pool, s, pid);
  });
});

describe('per-call caps', () => {
  test('a result over the limit fails with invalid_result and the runtime keeps serving', async () => {
    const s = spec(getUser('return { id: "big", blob: "x".repeat(100 * 1024) };'), { timeoutMs: TIMEOUT_MS });
    const pid = await alivePid(pool, s);
    const outcome = await pool.call(s, 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'invalid_result', message: 'The result is larger than the 65536-byte limit' } });
    await expectSameRuntime(pool, s, pid);
  });

});
