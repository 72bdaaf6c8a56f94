/**
 * What a script can do is enforced outside its process (issue 17). Each attack runs as script
 * code in a real sandboxed runtime; each test checks the server (this process), another pool
 * and the host are unaffected. Network canaries listen on loopback only.
 *
 * Where a test has a control run without the OS sandbox (`sandbox: 'none'`), the control shows
 * the attack works against the in-process guard alone, so the sandbox is what stops it.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sandboxCapabilities } from '../../src/script-runtime/index.js';
import { processTree } from '../../src/script-runtime/runtime-process.js';
import { alivePid, eventually, expectReplaced, getUser, isAlive, newPool, spec, type TestPool } from './helpers.js';

// At level none (no sandbox on this machine, or GATEHOUSE_TEST_SANDBOX=none) these attacks succeed: that is the point.
const sandboxed = sandboxCapabilities().level !== 'none' && process.env['GATEHOUSE_TEST_SANDBOX'] !== 'none';
const pool = newPool();
const unsandboxed = newPool({ sandbox: 'none' });
const otherPool = newPool();
afterAll(() => Promise.all([pool.close(), unsandboxed.close(), otherPool.close()]));

let canary: net.Server;
let canaryPort = 0;
let canaryHits = 0;
let udpCanary: dgram.Socket;
let udpPort = 0;
let udpHits = 0;

beforeAll(async () => {
  canary = net.createServer((socket) => {
    canaryHits += 1;
    socket.destroy();
  });
  await new Promise<void>((resolve) => canary.listen(0, '127.0.0.1', resolve));
  canaryPort = (canary.address() as net.AddressInfo).port;
  udpCanary = dgram.createSocket('udp4');
  udpCanary.on('message', () => {
    udpHits += 1;
  });
  await new Promise<void>((resolve) => udpCanary.bind(0, '127.0.0.1', resolve));
  udpPort = udpCanary.address().port;
});
afterAll(async () => {
  await new Promise((resolve) => canary.close(resolve));
  udpCanary.close();
});

/** Another pool's call still answers quickly: the attack did not reach past its own runtime. */
async function expectOtherPoolFine(): Promise<void> {
  const s = spec(getUser('return { id: "other" };'), { timeoutMs: 3000 });
  const outcome = await otherPool.call(s, 'getUser', [{}, {}]);
  expect(outcome).toMatchObject({ ok: true, result: { id: 'other' } });
}

/** Reaches the raw TCP handle and connect wrap past every patched API (the bypass). */
const RAW_TCP = `
  const netModule = process.getBuiltinModule('net');
  const dns = process.getBuiltinModule('dns');
  const server = netModule.createServer();
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const TCP = server._handle.constructor;
  let Wrap = null;
  Object.defineProperty(Object.prototype, 'oncomplete', { configurable: true, set(v) {
    if (this.constructor && /Wrap$/.test(this.constructor.name)) Wrap ??= this.constructor;
    Object.defineProperty(this, 'oncomplete', { value: v, writable: true, configurable: true });
  } });
  await new Promise((r) => dns.lookup('localhost', () => r()));
  delete Object.prototype.oncomplete;
  const handle = new TCP(0);
  const req = new Wrap();
  const status = await new Promise((resolve) => { req.oncomplete = (s) => resolve(s); const e = handle.connect(req, '127.0.0.1', query.port); if (e !== 0) resolve(e); });
  return { id: String(status) };`;

async function runAttack(target: TestPool, body: string, query: Record<string, unknown>, timeoutMs = 5000): ReturnType<TestPool['call']> {
  return target.call(spec(getUser(body), { timeoutMs }), 'getUser', [query, {}]);
}

describe.skipIf(!sandboxed)('network: the runtime has none of its own', () => {
  test('a raw TCP handle (reached through an Object.prototype.oncomplete setter) cannot reach a loopback canary', async () => {
    const before = canaryHits;
    const control = await runAttack(unsandboxed, RAW_TCP, { port: canaryPort });
    expect(control).toMatchObject({ ok: true, result: { id: '0' } });
    expect(await eventually(() => canaryHits > before)).toBe(true);

    const hits = canaryHits;
    const outcome = await runAttack(pool, RAW_TCP, { port: canaryPort });
    // Connected status 0 would mean it got through; in the sandbox the connect is refused.
    expect(outcome.ok && (outcome.result as { id: string }).id).not.toBe('0');
    await new Promise((r) => setTimeout(r, 200));
    expect(canaryHits).toBe(hits);
    await expectOtherPoolFine();
  });

  test('process.getBuiltinModule("net") goes through the broker, which refuses loopback', async () => {
    const hits = canaryHits;
    const outcome = await runAttack(pool, `
      const socket = process.getBuiltinModule('net').connect(query.port, '127.0.0.1');
      await new Promise((resolve, reject) => { socket.on('connect', resolve); socket.on('error', reject); });
      await new Promise((r) => setTimeout(r, 500));
      return { id: 'connected' };`, { port: canaryPort });
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'denied', name: 'EgressDeniedError' } });
    expect(canaryHits).toBe(hits);
  });

  test('a custom lookup answering 127.0.0.1 reaches nothing: the broker resolves names itself', async () => {
    const hits = canaryHits;
    const outcome = await runAttack(pool, `
      const lookup = (host, options, cb) => { const answer = { get address() { return '127.0.0.1'; }, family: 4 }; if (options.all) cb(null, [answer]); else cb(null, answer.address, 4); };
      const socket = process.getBuiltinModule('net').connect({ host: 'canary.invalid', port: query.port, lookup });
      // 'connect' means the broker took the request; it then finds no address and closes.
      const closed = await new Promise((resolve) => { socket.on('close', () => resolve('closed')); socket.on('error', () => {}); setTimeout(() => resolve('open'), 2000); });
      return { id: closed };`, { port: canaryPort });
    expect(outcome).toMatchObject({ ok: true, result: { id: 'closed' } });
    expect(canaryHits).toBe(hits);
  });

  test('UDP from dgram is sent, and reaches no loopback canary', async () => {
    // Nothing in the runtime stops dgram (the broker carries TCP only): the send succeeds
    // inside the sandbox's own network namespace (bwrap brings its loopback up; unshare leaves
    // it down, so the send fails there), and the host's loopback never sees it.
    const outcome = await runAttack(pool, `
      const socket = process.getBuiltinModule('dgram').createSocket('udp4');
      const sent = await new Promise((resolve) => socket.send(Buffer.from('x'), query.port, '127.0.0.1', (error) => resolve(error ? error.code : 'sent')));
      socket.close();
      return { id: String(sent) };`, { port: udpPort });
    expect(outcome.ok).toBe(true);
    await new Promise((r) => setTimeout(r, 300));
    expect(udpHits).toBe(0);
  });

  test('a port a script listens on is not reachable from the host', async () => {
    // A free port on the host, given to the script to listen on inside its sandbox.
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as net.AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve));
    const s = spec(getUser(`
      if (query.listen) {
        globalThis.relay = process.getBuiltinModule('net').createServer((c) => c.end('hello'));
        await new Promise((resolve, reject) => { relay.on('error', reject); relay.listen(query.listen, '127.0.0.1', resolve); });
        return { id: 'listening' };
      }
      return { id: 'x' };`), { timeoutMs: 5000 });
    expect(await pool.call(s, 'getUser', [{ listen: port }, {}])).toMatchObject({ ok: true, result: { id: 'listening' } });
    const reached = await new Promise<string>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('data', () => resolve('reached'));
      socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(reached).toBe('ECONNREFUSED');
  });
});

describe.skipIf(!sandboxed)('the host', () => {
  function niceOf(pid: number): number {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  }

  test("os.setPriority of the server (its parent, or its real pid) leaves the server's nice unchanged", async () => {
    const before = niceOf(process.pid);
    const outcome = await runAttack(pool, `
      const os = process.getBuiltinModule('os');
      const tried = [];
      for (const pid of [process.ppid, query.serverPid, 1]) { try { os.setPriority(pid, 19); tried.push('ok'); } catch (e) { tried.push(e.code ?? e.name); } }
      return { id: tried.join(',') };`, { serverPid: process.pid });
    expect(outcome.ok).toBe(true);
    expect(niceOf(process.pid)).toBe(before);
    const psNice = Number(readFileSync(`/proc/${process.pid}/stat`, 'utf8').split(') ')[1]?.split(' ')[16]);
    expect(psNice).toBe(before);
  });

  test('a runtime spinning a timer after its call returned is stopped, and the next call gets a new one', async () => {
    const s = spec(getUser('setTimeout(() => { for (;;) {} }, 20); return { id: "returned" };'), { timeoutMs: 5000 });
    const pid = await alivePid(pool, s);
    expect(await pool.call(s, 'getUser', [{}, {}])).toMatchObject({ ok: true, result: { id: 'returned' } });
    // Grace 0.5 s plus four busy samples of 0.25 s; generous for a loaded machine.
    expect(await eventually(() => !isAlive(pid), 6000)).toBe(true);
    await expectReplaced(pool, s, pid);
    await expectOtherPoolFine();
  });

  test.skipIf(process.getuid?.() !== 0)('when the server is root, every process of a runtime runs as nobody (65534)', async () => {
    const s = spec(getUser('return { id: `${process.getuid()}:${process.getgid()}` };'), { timeoutMs: 5000 });
    const pid = await alivePid(pool, s);
    const tree = processTree(pid);
    expect(tree.length).toBeGreaterThanOrEqual(2);
    for (const member of tree) {
      const status = readFileSync(`/proc/${member}/status`, 'utf8');
      expect(/^Uid:\s+(\d+)/m.exec(status)?.[1], `uid of ${member}`).toBe('65534');
      expect(/^Gid:\s+(\d+)/m.exec(status)?.[1], `gid of ${member}`).toBe('65534');
    }
  });

  test.each(['auto', 'unshare'])('a server killed while its runtime spins leaves no orphan behind (%s)', async (level) => {
    const server = spawn(process.execPath, ['--import', 'tsx', 'test/script-runtime/fixtures/pool-server.ts', level], { stdio: ['ignore', 'pipe', 'inherit'] });
    let tree: number[] = [];
    try {
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        server.stdout.on('data', (chunk: Buffer) => {
          text += chunk.toString('utf8');
          if (text.includes('\n')) resolve(text.split('\n')[0] ?? '');
        });
        server.on('exit', () => reject(new Error('the stand-in server exited early')));
      });
      tree = JSON.parse(line) as number[];
      expect(tree.length).toBeGreaterThanOrEqual(2);
      server.kill('SIGKILL');
      expect(await eventually(() => tree.every((member) => !isAlive(member)), 5000), `still running: ${tree.filter(isAlive).join(', ')}`).toBe(true);
    } finally {
      server.kill('SIGKILL');
      // Only the processes this test started, should the check above have failed.
      for (const member of tree.filter(isAlive)) process.kill(member, 'SIGKILL');
    }
  }, 30_000);

  test('closing the pool leaves no process of any runtime behind', async () => {
    const local = newPool();
    const s = spec(getUser('setInterval(() => {}, 1000); return { id: "x" };'), { timeoutMs: 5000 });
    const pid = await alivePid(local, s);
    const tree = processTree(pid);
    await local.close();
    expect(await eventually(() => tree.every((member) => !isAlive(member)))).toBe(true);
  });
});

describe('without an OS sandbox', () => {
  test('scripts are refused when the server listens beyond loopback, with what to install or set', async () => {
    const exposed = newPool({ sandbox: 'none', listenHost: '0.0.0.0' });
    try {
      expect(exposed.runtime.sandboxStatus()).toMatchObject({ level: 'none', scriptsAllowed: false });
      const outcome = await exposed.call(spec(getUser('return { id: "x" };')), 'getUser', [{}, {}]);
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'denied', name: 'SandboxUnavailableError' } });
      expect(outcome.ok === false && outcome.error.message).toContain('apt install bubblewrap');
      expect(outcome.ok === false && outcome.error.message).toContain('GATEHOUSE_UNSAFE_SCRIPTS=1');
    } finally {
      await exposed.close();
    }
  });

  test('they run, with a warning, on loopback or when the operator allows it', async () => {
    for (const options of [{ listenHost: '127.0.0.1' }, { listenHost: '0.0.0.0', allowUnsandboxed: true }]) {
      const local = newPool({ sandbox: 'none', ...options });
      try {
        expect(local.runtime.sandboxStatus()).toMatchObject({ level: 'none', scriptsAllowed: true });
        expect(local.runtime.sandboxStatus().warning).toMatch(/without an OS sandbox/);
        expect(await local.call(spec(getUser('return { id: "x" };')), 'getUser', [{}, {}])).toMatchObject({ ok: true });
      } finally {
        await local.close();
      }
    }
  });
});

describe('the unshare fallback (the host file view stays visible)', () => {
  test('runs scripts on loopback with a warning, and refuses them beyond loopback unless the operator allows it', async () => {
    const local = newPool({ sandbox: 'unshare', listenHost: '127.0.0.1' });
    const exposed = newPool({ sandbox: 'unshare', listenHost: '0.0.0.0' });
    const allowed = newPool({ sandbox: 'unshare', listenHost: '0.0.0.0', allowUnsandboxed: true });
    try {
      expect(local.runtime.sandboxStatus()).toMatchObject({ level: 'unshare', scriptsAllowed: true });
      expect(local.runtime.sandboxStatus().warning).toMatch(/unix sockets/);
      expect(exposed.runtime.sandboxStatus()).toMatchObject({ level: 'unshare', scriptsAllowed: false });
      const outcome = await exposed.call(spec(getUser('return { id: "x" };')), 'getUser', [{}, {}]);
      expect(outcome).toMatchObject({ ok: false, error: { kind: 'denied' } });
      expect(outcome.ok === false && outcome.error.message).toContain('apt install bubblewrap');
      expect(allowed.runtime.sandboxStatus()).toMatchObject({ level: 'unshare', scriptsAllowed: true });
    } finally {
      await Promise.all([local.close(), exposed.close(), allowed.close()]);
    }
  });
});
