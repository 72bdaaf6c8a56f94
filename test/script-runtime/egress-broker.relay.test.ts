/**
 * The egress broker's relay, pinned edge by edge: the header line's limits (size, time,
 * chunks), what a bad, refused or failed request leaves behind (events, counters, a closed
 * socket), the socket's folder and a stale socket, the connect deadline shared by a name's
 * addresses, half-closes and closes on either side, and close(). Every upstream is a
 * server of this test on a loopback address (127.0.0.x); nothing leaves loopback.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterAll, afterEach, beforeAll, describe, expect, test, vi } from 'vitest';
import {
  HEADER_MAX_BYTES,
  REFUSE_ALL,
  connectableAddress,
  startEgressBroker,
  type EgressBroker,
  type EgressBrokerOptions,
  type EgressConnected,
  type EgressFailure,
  type EgressPolicy,
  type EgressRefusal,
} from '../../src/script-runtime/egress-broker.js';

const BAD_HEADER = 'no complete header line in time or within the size limit';
const LOOPBACK_ONE: EgressPolicy = { allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] };

let workDir = '';
let folderCount = 0;
/** A fresh folder path per broker (the broker creates it). */
function socketPath(): string {
  folderCount += 1;
  return path.join(workDir, `r${folderCount}`, 'egress.sock');
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'gh-relay-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

// --- upstreams on loopback ---------------------------------------------------------------

interface Upstream {
  port: number;
  connections: number;
  sockets: Set<net.Socket>;
  close(): Promise<void>;
}

/** A loopback server running `onSocket` for each connection (an echo unless told otherwise). */
async function startUpstream(
  onSocket: (socket: net.Socket) => void = (socket) => socket.pipe(socket),
  listenOn: { host?: string; port?: number } = {},
): Promise<Upstream> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    upstream.connections += 1;
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    onSocket(socket);
  });
  const upstream: Upstream = {
    port: 0,
    connections: 0,
    sockets,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  await new Promise<void>((resolve) => server.listen(listenOn.port ?? 0, listenOn.host ?? '127.0.0.1', resolve));
  upstream.port = (server.address() as net.AddressInfo).port;
  return upstream;
}

/**
 * A loopback listener that never accepts (its process is blocked) with a full accept queue:
 * the kernel drops further SYNs, so a connect to it neither succeeds nor fails.
 */
async function startSilentListener(host: string): Promise<{ port: number; close(): void }> {
  const child: ChildProcess = spawn(
    process.execPath,
    [
      '-e',
      `const server = require('node:net').createServer();
       server.listen({ host: process.argv[1], port: 0, backlog: 1 }, () => {
         process.stdout.write(server.address().port + '\\n', () => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0));
       });`,
      host,
    ],
    { stdio: ['ignore', 'pipe', 'inherit'] },
  );
  const port = await new Promise<number>((resolve) => child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))));
  const fillers: net.Socket[] = [];
  for (let i = 0; i < 10; i++) {
    const filler = net.connect({ host, port });
    filler.on('error', () => undefined);
    fillers.push(filler);
    const connected = await new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), 300);
      filler.once('connect', () => {
        clearTimeout(timer);
        resolve(true);
      });
    });
    if (!connected) break;
  }
  return {
    port,
    close: () => {
      for (const filler of fillers) filler.destroy();
      child.kill('SIGKILL');
    },
  };
}

// --- the broker and a client ---------------------------------------------------------------

interface Recorded {
  broker: EgressBroker;
  refusals: EgressRefusal[];
  connections: EgressConnected[];
  failures: EgressFailure[];
  badRequests: string[];
}

const started: EgressBroker[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map((broker) => broker.close()));
});

async function startBroker(policy: EgressPolicy | undefined, extra: Partial<EgressBrokerOptions> = {}): Promise<Recorded> {
  const recorded = { refusals: [] as EgressRefusal[], connections: [] as EgressConnected[], failures: [] as EgressFailure[], badRequests: [] as string[] };
  const result = await startEgressBroker({
    socketPath: socketPath(),
    ...(policy === undefined ? {} : { policy }),
    onRefused: (refusal) => recorded.refusals.push(refusal),
    onConnected: (info) => recorded.connections.push(info),
    onFailed: (failure) => recorded.failures.push(failure),
    onBadRequest: (message) => recorded.badRequests.push(message),
    ...extra,
  });
  if (!result.ok) throw new Error(result.message);
  started.push(result.broker);
  return { broker: result.broker, ...recorded };
}

function headerLine(host: string, port: number, extra: Record<string, unknown> = {}): string {
  return `${JSON.stringify({ v: 1, host, port, ...extra })}\n`;
}

/** A header line padded with spaces inside the JSON object to exactly `bytes`, `\n` included. */
function paddedHeader(host: string, port: number, bytes: number): string {
  const plain = headerLine(host, port);
  return `${plain.slice(0, -2)}${' '.repeat(bytes - plain.length)}}\n`;
}

/**
 * Sends `pieces` (each its own write, `gapMs` apart), then half-closes unless told not to,
 * and collects what comes back until the broker closes the socket.
 */
function converse(broker: EgressBroker, pieces: (string | Buffer)[], options: { gapMs?: number; end?: boolean } = {}): Promise<{ received: string; closedAfterMs: number }> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: broker.socketPath, allowHalfOpen: true });
    let received = '';
    const opened = Date.now();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the broker neither answered nor closed within 15 s'));
    }, 15_000);
    socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
    socket.on('error', () => undefined);
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      resolve({ received, closedAfterMs: Date.now() - opened });
    });
    socket.on('connect', async () => {
      for (const [i, piece] of pieces.entries()) {
        if (i > 0 && (options.gapMs ?? 0) > 0) await sleep(options.gapMs ?? 0);
        socket.write(piece);
      }
      if (options.end !== false) socket.end();
    });
  });
}

/** A connection through the broker whose upstream is open (its first byte came back). */
function openHeld(broker: EgressBroker, port: number, host = '127.0.0.1'): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: broker.socketPath, allowHalfOpen: true });
    socket.on('error', reject);
    socket.on('connect', () => socket.write(`${headerLine(host, port)}h`));
    socket.once('data', () => resolve(socket));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(10);
  }
}

function closed(socket: net.Socket): Promise<void> {
  return new Promise((resolve) => (socket.destroyed ? resolve() : socket.once('close', () => resolve())));
}

// =========================================================================================

describe('the header line', () => {
  let echo: Upstream;
  beforeAll(async () => {
    echo = await startUpstream();
  });
  afterAll(async () => {
    await echo.close();
  });

  test(`exactly ${HEADER_MAX_BYTES} bytes with its newline is read; one more is a bad request, in one chunk or split`, async () => {
    const { broker, badRequests, refusals } = await startBroker(LOOPBACK_ONE);
    const fits = paddedHeader('127.0.0.1', echo.port, HEADER_MAX_BYTES);
    const over = paddedHeader('127.0.0.1', echo.port, HEADER_MAX_BYTES + 1);
    expect(Buffer.byteLength(fits)).toBe(HEADER_MAX_BYTES);
    expect((await converse(broker, [fits, 'a'])).received).toBe('a');
    expect((await converse(broker, [fits.slice(0, 600), fits.slice(600), 'b'], { gapMs: 40 })).received).toBe('b');
    const before = echo.connections;
    expect((await converse(broker, [over, 'c'])).received).toBe('');
    // Split before the newline: the first part counts towards the limit too.
    expect((await converse(broker, [over.slice(0, 1000), over.slice(1000)], { gapMs: 40 })).received).toBe('');
    expect(echo.connections).toBe(before);
    expect(badRequests).toEqual([BAD_HEADER, BAD_HEADER]);
    expect(refusals).toEqual([]);
    expect(broker.stats()).toEqual({ open: 0, connected: 2, refused: 0, badRequests: 2, failed: 0 });
  });

  test('the newline counts: 1023 bytes of JSON and then a newline is one byte too many', async () => {
    const { broker, badRequests } = await startBroker(LOOPBACK_ONE);
    const json = paddedHeader('127.0.0.1', echo.port, HEADER_MAX_BYTES + 1).slice(0, -1);
    expect(Buffer.byteLength(json)).toBe(HEADER_MAX_BYTES);
    // The JSON alone fits the limit; with its newline it does not.
    expect((await converse(broker, [json, '\nx'], { gapMs: 40 })).received).toBe('');
    expect(badRequests).toEqual([BAD_HEADER]);
  });

  test('a header that never ends is closed at the size limit, long before the deadline', async () => {
    const { broker, badRequests } = await startBroker(LOOPBACK_ONE, { headerTimeoutMs: 10_000 });
    const piece = 'x'.repeat(300);
    const result = await converse(broker, [piece, piece, piece, piece], { gapMs: 30, end: false });
    expect(result.closedAfterMs).toBeLessThan(5000);
    expect(badRequests).toEqual([BAD_HEADER]);
  });

  test('a header arriving byte by byte is put together, and what follows the newline is the payload', async () => {
    const { broker } = await startBroker(LOOPBACK_ONE);
    const line = headerLine('127.0.0.1', echo.port);
    const bytes = [...line.slice(0, 12)].concat([line.slice(12, -1), `\npay`, 'load']);
    expect((await converse(broker, bytes, { gapMs: 15 })).received).toBe('payload');
  });

  test('a client that half-closes or goes away before its newline is a bad request at once, not at the deadline', async () => {
    const { broker, badRequests } = await startBroker(LOOPBACK_ONE, { headerTimeoutMs: 10_000 });
    const halfClosed = await converse(broker, ['{"v":1,'], { end: true });
    expect(halfClosed.closedAfterMs).toBeLessThan(3000);
    expect(badRequests).toEqual([BAD_HEADER]);
    const socket = net.connect({ path: broker.socketPath });
    socket.on('error', () => undefined);
    await new Promise<void>((resolve) => socket.on('connect', () => resolve()));
    socket.write('{"v":1,');
    await waitFor(() => broker.stats().open === 1);
    socket.destroy();
    await waitFor(() => badRequests.length === 2, 3000);
    expect(broker.stats()).toMatchObject({ open: 0, badRequests: 2 });
  });

  test('a header slower than the deadline is closed at the deadline and counted', async () => {
    const { broker, badRequests } = await startBroker(LOOPBACK_ONE, { headerTimeoutMs: 400 });
    const result = await converse(broker, ['{"v":1,', '"host"'], { gapMs: 100, end: false });
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(350);
    expect(result.closedAfterMs).toBeLessThan(4000);
    expect(badRequests).toEqual([BAD_HEADER]);
    await waitFor(() => broker.stats().open === 0);
    expect(broker.stats()).toEqual({ open: 0, connected: 0, refused: 0, badRequests: 1, failed: 0 });
  });

  test('the header deadline stops counting once the header is in: a quiet connection is not cut later', async () => {
    const { broker } = await startBroker(LOOPBACK_ONE, { headerTimeoutMs: 150 });
    const result = await converse(broker, [headerLine('127.0.0.1', echo.port), 'late', ' bytes'], { gapMs: 400 });
    expect(result.received).toBe('late bytes');
  });

  test('bytes sent while the name is still being resolved are kept for the upstream', async () => {
    const { broker } = await startBroker({ allow: [{ host: 'slow.test' }], anyPublicAddress: false, deny: [] }, {
      lookup: async () => {
        await sleep(300);
        return ['127.0.0.1'];
      },
    });
    const result = await converse(broker, [`${headerLine('slow.test', echo.port)}first `, 'second'], { gapMs: 100 });
    expect(result.received).toBe('first second');
  });

  test('what the runtime sends that is not a valid request is answered by a close and reported with the parser\'s reason', async () => {
    const { broker, badRequests, refusals, failures } = await startBroker(LOOPBACK_ONE);
    expect((await converse(broker, ['not json\n', 'x'])).received).toBe('');
    expect(badRequests).toEqual(['the header is not JSON']);
    expect(refusals).toEqual([]);
    expect(failures).toEqual([]);
    expect(broker.stats()).toEqual({ open: 0, connected: 0, refused: 0, badRequests: 1, failed: 0 });
  });
});

describe('refusals, failures and the counters', () => {
  let echo: Upstream;
  beforeAll(async () => {
    echo = await startUpstream();
  });
  afterAll(async () => {
    await echo.close();
  });

  test('every outcome is counted exactly once, and open counts sockets in any phase', async () => {
    const { broker } = await startBroker(LOOPBACK_ONE);
    expect(broker.stats()).toEqual({ open: 0, connected: 0, refused: 0, badRequests: 0, failed: 0 });
    const waiting = net.connect({ path: broker.socketPath });
    waiting.on('error', () => undefined);
    await waitFor(() => broker.stats().open === 1);
    const held = await openHeld(broker, echo.port);
    expect(broker.stats()).toEqual({ open: 2, connected: 1, refused: 0, badRequests: 0, failed: 0 });
    await converse(broker, [headerLine('127.0.0.2', echo.port)]);
    await converse(broker, ['{}\n']);
    const shut = await startUpstream();
    await shut.close();
    await converse(broker, [headerLine('127.0.0.1', shut.port)]);
    expect(broker.stats()).toEqual({ open: 2, connected: 1, refused: 1, badRequests: 1, failed: 1 });
    waiting.destroy();
    held.destroy();
    await waitFor(() => broker.stats().open === 0);
  });

  test('a refusal carries the call, the destination as asked, the reason and a message naming it', async () => {
    const { broker, refusals } = await startBroker(LOOPBACK_ONE);
    await converse(broker, [headerLine('127.0.0.2', 4321, { callId: 'q-7' })]);
    expect(refusals).toEqual([
      {
        callId: 'q-7',
        host: '127.0.0.2',
        port: 4321,
        reason: 'not-allowed',
        message: 'Connections to 127.0.0.2:4321 are not allowed: loopback, private and this machine\'s addresses are reachable only when listed in the connection\'s allowed hosts',
      },
    ]);
  });

  test('a name outside an allowlist is refused without asking the resolver; an IP literal is never looked up', async () => {
    const asked: string[] = [];
    const { broker, refusals, connections } = await startBroker({ allow: [{ host: 'db.test' }], anyPublicAddress: false, deny: [] }, {
      lookup: async (name) => {
        asked.push(name);
        return ['127.0.0.1'];
      },
    });
    await converse(broker, [headerLine('elsewhere.test', echo.port, { callId: 'e' })]);
    expect(refusals).toMatchObject([{ callId: 'e', host: 'elsewhere.test', reason: 'not-allowed' }]);
    expect((await converse(broker, [headerLine('DB.test.', echo.port), 'by name'])).received).toBe('by name');
    expect(asked).toEqual(['db.test']);
    await converse(broker, [headerLine('127.0.0.1', echo.port)]);
    expect(asked).toEqual(['db.test']);
    expect(connections.map((c) => c.host)).toEqual(['DB.test.']);
  });

  test('past the cap: refused with the cap in the message; refused and failed requests give their place back', async () => {
    const shut = await startUpstream();
    await shut.close();
    const { broker, refusals, failures } = await startBroker(LOOPBACK_ONE, { maxConnections: 1 });
    // None of these holds a place afterwards: refused by the policy, failed to connect.
    for (let i = 0; i < 3; i++) await converse(broker, [headerLine('127.0.0.2', echo.port)]);
    for (let i = 0; i < 2; i++) await converse(broker, [headerLine('127.0.0.1', shut.port)]);
    expect(failures).toHaveLength(2);
    const held = await openHeld(broker, echo.port);
    const over = await converse(broker, [headerLine('127.0.0.1', echo.port, { callId: 'over' }), 'x']);
    expect(over.received).toBe('');
    expect(refusals.at(-1)).toEqual({
      callId: 'over',
      host: '127.0.0.1',
      port: echo.port,
      reason: 'too-many-connections',
      message: 'The script runtime has 1 connections open, the most it may',
    });
    held.destroy();
    await waitFor(() => broker.stats().open === 0);
    await sleep(50);
    expect((await converse(broker, [headerLine('127.0.0.1', echo.port), 'free again'])).received).toBe('free again');
    expect(refusals.filter((r) => r.reason === 'too-many-connections')).toHaveLength(1);
  });

  test('the rate: a burst of as many as the rate, then refused with the rate in the message, then one a 1/rate second', async () => {
    const { broker, refusals } = await startBroker(LOOPBACK_ONE, { connectionsPerSecond: 2 });
    const served = async (): Promise<boolean> => (await converse(broker, [headerLine('127.0.0.1', echo.port, { callId: 'r' }), 'y'])).received === 'y';
    // A second of waiting saves up no more than the rate.
    await sleep(1200);
    expect([await served(), await served(), await served()]).toEqual([true, true, false]);
    expect(refusals).toEqual([{ callId: 'r', host: '127.0.0.1', port: echo.port, reason: 'too-fast', message: 'The script runtime opened more than 2 connections a second' }]);
    await sleep(600);
    expect([await served(), await served()]).toEqual([true, false]);
  });

  test('a rate of one still lets the first connection through', async () => {
    const { broker, refusals } = await startBroker(LOOPBACK_ONE, { connectionsPerSecond: 1 });
    expect((await converse(broker, [headerLine('127.0.0.1', echo.port), 'one'])).received).toBe('one');
    expect(refusals).toEqual([]);
  });

  test('a name the resolver cannot answer (an error or no address) fails at the resolve stage, with the call', async () => {
    const { broker, failures, refusals } = await startBroker({ allow: [{ host: 'gone.test' }, { host: 'empty.test' }], anyPublicAddress: false, deny: [] }, {
      lookup: async (name) => {
        if (name === 'gone.test') throw new Error('ENOTFOUND');
        return [];
      },
    });
    await converse(broker, [headerLine('gone.test', 5432, { callId: 'g' })]);
    await converse(broker, [headerLine('empty.test', 5433)]);
    expect(failures).toEqual([
      { callId: 'g', host: 'gone.test', port: 5432, stage: 'resolve' },
      { callId: undefined, host: 'empty.test', port: 5433, stage: 'resolve' },
    ]);
    expect(refusals).toEqual([]);
    expect(broker.stats()).toMatchObject({ failed: 2, refused: 0, connected: 0 });
  });

  test('the connected event names the call, the destination as asked, the address used, tls and the time resolution included', async () => {
    const { broker, connections } = await startBroker({ allow: [{ host: 'db.test' }], anyPublicAddress: false, deny: [] }, {
      lookup: async () => {
        await sleep(250);
        // The first address refuses (nothing listens on 127.0.0.2 at that port); the second answers.
        return ['127.0.0.2', '127.0.0.1'];
      },
    });
    expect((await converse(broker, [headerLine('db.test', echo.port, { callId: 'k1', tls: true }), 'z'])).received).toBe('z');
    expect(connections).toEqual([{ callId: 'k1', host: 'db.test', port: echo.port, address: '127.0.0.1', tls: true, connectMs: expect.any(Number) }]);
    expect(connections[0]?.connectMs).toBeGreaterThanOrEqual(240);
    expect(connections[0]?.connectMs).toBeLessThan(5000);
    expect(broker.stats().connected).toBe(1);
  });

  test('an IPv6 literal in brackets and the IPv4-mapped form reach the IPv4 service', async () => {
    const { broker, connections } = await startBroker({ allow: [{ host: '127.0.0.0/8' }], anyPublicAddress: false, deny: [] });
    expect((await converse(broker, [headerLine('[::FFFF:127.0.0.1]', echo.port), 'mapped'])).received).toBe('mapped');
    expect(connections.map((c) => [c.host, c.address, c.tls])).toEqual([['[::FFFF:127.0.0.1]', '::ffff:127.0.0.1', false]]);
  });

  test('a callback that throws neither breaks the connection it reports nor the broker', async () => {
    const shut = await startUpstream();
    await shut.close();
    const boom = (): never => {
      throw new Error('callback failed');
    };
    const { broker } = await startBroker(LOOPBACK_ONE, { onConnected: boom, onRefused: boom, onFailed: boom, onBadRequest: boom, maxConnections: 1 });
    expect((await converse(broker, [headerLine('127.0.0.1', echo.port), 'still'])).received).toBe('still');
    await converse(broker, [headerLine('127.0.0.2', echo.port)]);
    await converse(broker, ['nope\n']);
    await converse(broker, [headerLine('127.0.0.1', shut.port)]);
    expect((await converse(broker, [headerLine('127.0.0.1', echo.port), 'served'])).received).toBe('served');
    expect(broker.stats()).toEqual({ open: 0, connected: 2, refused: 1, badRequests: 1, failed: 1 });
  });

  test('sockets past twice the cap plus 16 are dropped by the listener, before any header', async () => {
    const { broker } = await startBroker(LOOPBACK_ONE, { maxConnections: 1, headerTimeoutMs: 10_000 });
    const sockets: net.Socket[] = [];
    for (let i = 0; i < 18; i++) {
      const socket = net.connect({ path: broker.socketPath });
      socket.on('error', () => undefined);
      sockets.push(socket);
    }
    await waitFor(() => broker.stats().open === 18);
    const extra = net.connect({ path: broker.socketPath });
    extra.on('error', () => undefined);
    const openedAt = Date.now();
    await closed(extra);
    expect(Date.now() - openedAt).toBeLessThan(3000);
    expect(broker.stats().open).toBe(18);
    for (const socket of sockets) socket.destroy();
  });
});

describe('the connect deadline', () => {
  let silent: { port: number; close(): void };
  let echo: Upstream;
  beforeAll(async () => {
    silent = await startSilentListener('127.0.0.3');
    // The same port on another loopback address: the address that answers.
    echo = await startUpstream(undefined, { host: '127.0.0.4', port: silent.port });
  });
  afterAll(async () => {
    silent.close();
    await echo.close();
  });

  const policy: EgressPolicy = { allow: [{ host: 'db.test' }], anyPublicAddress: false, deny: [] };

  test('an address that never answers is given up at the deadline: a failure at the connect stage', async () => {
    const { broker, failures } = await startBroker({ allow: [{ host: '127.0.0.3' }], anyPublicAddress: false, deny: [] }, { connectTimeoutMs: 700 });
    const result = await converse(broker, [headerLine('127.0.0.3', silent.port, { callId: 's' })], { end: false });
    expect(result.closedAfterMs).toBeGreaterThanOrEqual(650);
    expect(result.closedAfterMs).toBeLessThan(4000);
    expect(failures).toEqual([{ callId: 's', host: '127.0.0.3', port: silent.port, stage: 'connect' }]);
  });

  test('a silent address gets its share of the deadline (at least a second), and the next one is tried', async () => {
    const lookup = async (): Promise<string[]> => ['127.0.0.3', '127.0.0.3', '127.0.0.4'];
    const { broker, connections } = await startBroker(policy, { lookup, connectTimeoutMs: 4500 });
    expect((await converse(broker, [headerLine('db.test', silent.port), 'third'])).received).toBe('third');
    // 4.5 s over three addresses: 1.5 s each for the two silent ones, then the third answers.
    expect(connections.map((c) => c.address)).toEqual(['127.0.0.4']);
    expect(connections[0]?.connectMs).toBeGreaterThanOrEqual(2900);
    expect(connections[0]?.connectMs).toBeLessThan(4500);
  }, 20_000);

  test('with two addresses and a short deadline each gets at least a second', async () => {
    const lookup = async (): Promise<string[]> => ['127.0.0.3', '127.0.0.4'];
    const { broker, connections } = await startBroker(policy, { lookup, connectTimeoutMs: 1600 });
    const held = await new Promise<net.Socket>((resolve) => {
      const socket = net.connect({ path: broker.socketPath, allowHalfOpen: true });
      socket.on('connect', () => socket.write(`${headerLine('db.test', silent.port)}h`));
      socket.once('data', () => resolve(socket));
    });
    expect(connections.map((c) => c.address)).toEqual(['127.0.0.4']);
    expect(connections[0]?.connectMs).toBeGreaterThanOrEqual(950);
    held.destroy();
  }, 20_000);

  test('no time left means no connection attempt at all', async () => {
    const { broker, failures } = await startBroker({ allow: [{ host: '127.0.0.4' }], anyPublicAddress: false, deny: [] }, { connectTimeoutMs: 0 });
    const before = echo.connections;
    await converse(broker, [headerLine('127.0.0.4', echo.port)]);
    await sleep(100);
    expect(echo.connections).toBe(before);
    expect(failures).toMatchObject([{ stage: 'connect' }]);
  });

  // A runtime's socket that reaches end-of-file while its upstream is being set up is
  // indistinguishable from a half-close (send the request, then wait for the answer), so
  // it is served; what stops a connection being set up is close().
  test('close() while an upstream is connecting: nothing connects afterwards, no event', async () => {
    const lookup = async (): Promise<string[]> => ['127.0.0.3', '127.0.0.4'];
    const { broker, connections, failures, refusals } = await startBroker(policy, { lookup, connectTimeoutMs: 2000 });
    const before = echo.connections;
    const socket = net.connect({ path: broker.socketPath });
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(headerLine('db.test', silent.port)));
    await sleep(300);
    const closing = Date.now();
    await broker.close();
    expect(Date.now() - closing).toBeLessThan(500);
    await closed(socket);
    await sleep(1500);
    expect(echo.connections).toBe(before);
    expect([connections, failures, refusals]).toEqual([[], [], []]);
    expect(broker.stats()).toMatchObject({ open: 0, connected: 0, failed: 0 });
  }, 20_000);

  test('close() while a name is being resolved: nothing connects once it resolves, no event', async () => {
    let answer: (addresses: string[]) => void = () => undefined;
    const { broker, connections, failures } = await startBroker(policy, { lookup: () => new Promise<string[]>((resolve) => (answer = resolve)) });
    const before = echo.connections;
    const socket = net.connect({ path: broker.socketPath });
    socket.on('error', () => undefined);
    socket.on('connect', () => socket.write(headerLine('db.test', silent.port)));
    await sleep(200);
    await broker.close();
    answer(['127.0.0.4']);
    await sleep(300);
    expect(echo.connections).toBe(before);
    expect([connections, failures]).toEqual([[], []]);
  });
});

describe('relaying', () => {
  test('the client half-closing is passed on, and the upstream may still answer after it', async () => {
    const upstream = await startUpstream((socket) => {
      let got = '';
      socket.setEncoding('utf8').on('data', (chunk: string) => (got += chunk));
      socket.on('end', () => setTimeout(() => socket.end(`after end: ${got}`), 100));
    });
    try {
      const { broker } = await startBroker(LOOPBACK_ONE);
      expect((await converse(broker, [headerLine('127.0.0.1', upstream.port), 'question'])).received).toBe('after end: question');
    } finally {
      await upstream.close();
    }
  });

  test('the upstream half-closing is passed on, and the client may still send after it', async () => {
    let heard = '';
    let resolveHeard: () => void = () => undefined;
    const heardAll = new Promise<void>((resolve) => (resolveHeard = resolve));
    const upstream = await startUpstream((socket) => {
      socket.end('bye');
      socket.setEncoding('utf8').on('data', (chunk: string) => (heard += chunk));
      socket.on('end', () => resolveHeard());
    });
    try {
      const { broker } = await startBroker(LOOPBACK_ONE);
      const client = net.connect({ path: broker.socketPath, allowHalfOpen: true });
      client.on('error', () => undefined);
      let received = '';
      client.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
      const ended = new Promise<void>((resolve) => client.on('end', () => resolve()));
      client.write(headerLine('127.0.0.1', upstream.port));
      await ended;
      expect(received).toBe('bye');
      client.write('still talking');
      await sleep(100);
      client.end(', done');
      await heardAll;
      expect(heard).toBe('still talking, done');
      await closed(client);
    } finally {
      await upstream.close();
    }
  });

  test('an upstream reset closes the client; a client gone closes the upstream', async () => {
    const upstream = await startUpstream((socket) => socket.once('data', () => socket.resetAndDestroy()));
    try {
      const { broker } = await startBroker(LOOPBACK_ONE);
      const reset = await converse(broker, [headerLine('127.0.0.1', upstream.port), 'trigger'], { end: false });
      expect(reset.received).toBe('');
      await waitFor(() => broker.stats().open === 0);
    } finally {
      await upstream.close();
    }
  });

  test('a client reset while relaying closes the upstream', async () => {
    const upstreamClosed: Promise<void>[] = [];
    const upstream = await startUpstream((socket) => {
      upstreamClosed.push(closed(socket));
      socket.pipe(socket);
    });
    try {
      const { broker } = await startBroker(LOOPBACK_ONE);
      const held = await openHeld(broker, upstream.port);
      // Closing a unix socket with unread bytes resets the other end (ECONNRESET there).
      held.pause();
      held.write('more');
      await sleep(100);
      held.destroy();
      await Promise.all(upstreamClosed);
      await waitFor(() => broker.stats().open === 0);
    } finally {
      await upstream.close();
    }
  });
});

describe('the socket, its folder and close()', () => {
  const onRefused = (): void => undefined;

  test('the folder is made 0711, the socket 0666', async () => {
    const { broker } = await startBroker(REFUSE_ALL);
    expect(statSync(broker.folder).mode & 0o777).toBe(0o711);
    expect(statSync(broker.socketPath).mode & 0o777).toBe(0o666);
  });

  // Only a main thread may set the umask: under Stryker (worker threads) this one is skipped.
  test.runIf(isMainThread)('the folder is 0711 whatever the umask', async () => {
    const previous = process.umask(0o077);
    try {
      const { broker } = await startBroker(REFUSE_ALL);
      expect(statSync(broker.folder).mode & 0o777).toBe(0o711);
    } finally {
      process.umask(previous);
    }
  });

  test('an existing safe folder is used as it is and kept on close; only the socket goes', async () => {
    const folder = path.join(workDir, 'kept');
    mkdirSync(folder, { mode: 0o700 });
    chmodSync(folder, 0o700);
    const result = await startEgressBroker({ socketPath: path.join(folder, 's.sock'), onRefused });
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(statSync(folder).mode & 0o777).toBe(0o700);
    await result.broker.close();
    expect(existsSync(path.join(folder, 's.sock'))).toBe(false);
    expect(statSync(folder).isDirectory()).toBe(true);
  });

  test('unsafe or unusable folders are refused with a message naming them', async () => {
    const file = path.join(workDir, 'a-file');
    writeFileSync(file, 'x');
    const target = path.join(workDir, 'target');
    mkdirSync(target, { mode: 0o700 });
    const link = path.join(workDir, 'link');
    symlinkSync(target, link);
    const groupWritable = path.join(workDir, 'group-writable');
    mkdirSync(groupWritable);
    chmodSync(groupWritable, 0o770);
    const start = async (folder: string): Promise<string> => {
      const result = await startEgressBroker({ socketPath: path.join(folder, 's.sock'), onRefused });
      if (result.ok) {
        await result.broker.close();
        return 'started';
      }
      return result.message;
    };
    expect(await start(file)).toBe(`${file} is not a folder`);
    expect(await start(link)).toBe(`${link} is not a folder`);
    expect(await start(groupWritable)).toBe(`${groupWritable} is writable by other users`);
    expect(await start(path.join(file, 'below'))).toMatch(new RegExp(`^Cannot use ${escape(path.join(file, 'below'))}: .*ENOTDIR`));
    const missingParent = path.join(workDir, 'missing', 'below');
    expect(await start(missingParent)).toMatch(new RegExp(`^Cannot create ${escape(missingParent)}: .*ENOENT`));
    expect(existsSync(path.join(target, 's.sock'))).toBe(false);
    const open = path.join(workDir, 'others-may-enter');
    mkdirSync(open);
    chmodSync(open, 0o755);
    expect(await start(open)).toBe('started');
  });

  test.runIf(process.getuid?.() === 0)('a folder of another user is refused', async () => {
    const foreign = path.join(workDir, 'foreign');
    mkdirSync(foreign, { mode: 0o755 });
    chownSync(foreign, 65534, 65534);
    const result = await startEgressBroker({ socketPath: path.join(foreign, 's.sock'), onRefused });
    expect(result).toEqual({ ok: false, message: `${foreign} belongs to another user` });
  });

  test('a stale socket is replaced; a file, a folder or a symlink at the path is left alone and refused', async () => {
    const folder = path.join(workDir, 'stale');
    mkdirSync(folder, { mode: 0o700 });
    const stalePath = path.join(folder, 'stale.sock');
    const old = net.createServer();
    await new Promise<void>((resolve) => old.listen(stalePath, resolve));
    const result = await startEgressBroker({ socketPath: stalePath, onRefused });
    expect(result.ok).toBe(true);
    if (result.ok) await result.broker.close();
    await new Promise<void>((resolve) => old.close(() => resolve()));

    const filePath = path.join(folder, 'file.sock');
    writeFileSync(filePath, 'keep me');
    expect(await startEgressBroker({ socketPath: filePath, onRefused })).toEqual({ ok: false, message: `${filePath} exists and is not a socket` });
    expect(readFileSync(filePath, 'utf8')).toBe('keep me');
    const folderPath = path.join(folder, 'folder.sock');
    mkdirSync(folderPath);
    expect(await startEgressBroker({ socketPath: folderPath, onRefused })).toEqual({ ok: false, message: `${folderPath} exists and is not a socket` });
    const live = await startBroker(REFUSE_ALL);
    const linkPath = path.join(folder, 'link.sock');
    symlinkSync(live.broker.socketPath, linkPath);
    expect(await startEgressBroker({ socketPath: linkPath, onRefused })).toEqual({ ok: false, message: `${linkPath} exists and is not a socket` });
    expect(lstatSync(linkPath).isSymbolicLink()).toBe(true);
    expect(statSync(live.broker.socketPath).isSocket()).toBe(true);
  });

  test('the socket path limit is 107 bytes; a relative path is made absolute', async () => {
    const base = path.join(workDir, 'len');
    const name = (total: number): string => path.join(base, 's'.repeat(total - base.length - 1));
    const longest = await startEgressBroker({ socketPath: name(107), onRefused });
    expect(longest.ok).toBe(true);
    if (longest.ok) await longest.broker.close();
    expect(await startEgressBroker({ socketPath: name(108), onRefused })).toEqual({
      ok: false,
      message: 'socketPath is longer than 107 bytes, the limit of a unix socket path',
    });
    const absolute = socketPath();
    const relative = await startEgressBroker({ socketPath: path.relative(process.cwd(), absolute), onRefused });
    expect(relative.ok && relative.broker.socketPath).toBe(absolute);
    expect(relative.ok && relative.broker.folder).toBe(path.dirname(absolute));
    if (relative.ok) await relative.broker.close();
  });

  test('an invalid policy is refused at start and by setPolicy, with the field named', async () => {
    const bad: EgressPolicy = { allow: [{ host: 'a b' }], anyPublicAddress: false, deny: [] };
    expect(await startEgressBroker({ socketPath: socketPath(), onRefused, policy: bad })).toEqual({
      ok: false,
      message: 'policy: allow[0].host must be a host name, an IP address or a CIDR block',
    });
    const { broker } = await startBroker(REFUSE_ALL);
    expect(await broker.setPolicy(bad)).toEqual({ ok: false, message: 'policy: allow[0].host must be a host name, an IP address or a CIDR block' });
  });

  test('setPolicy answers once its deny names are resolved, and a connection already piping keeps going', async () => {
    const echo = await startUpstream();
    let answer: (addresses: string[]) => void = () => undefined;
    try {
      const { broker } = await startBroker(LOOPBACK_ONE, { lookup: () => new Promise<string[]>((resolve) => (answer = resolve)) });
      const held = await openHeld(broker, echo.port);
      let settled = false;
      const applied = broker.setPolicy({ allow: [], anyPublicAddress: false, deny: [{ host: 'store.test' }] }).then((check) => {
        settled = true;
        return check;
      });
      await sleep(150);
      expect(settled).toBe(false);
      answer(['127.0.0.9']);
      expect(await applied).toEqual({ ok: true });
      const echoed = new Promise<string>((resolve) => held.setEncoding('utf8').once('data', resolve));
      held.write('on');
      expect(await echoed).toBe('on');
      expect((await converse(broker, [headerLine('127.0.0.1', echo.port), 'x'])).received).toBe('');
      held.destroy();
    } finally {
      await echo.close();
    }
  });

  test('close stops listening, ends every socket, and a second close does nothing (not even to a new broker at the path)', async () => {
    const echo = await startUpstream();
    try {
      const { broker } = await startBroker(LOOPBACK_ONE);
      const waiting = net.connect({ path: broker.socketPath });
      waiting.on('error', () => undefined);
      await waitFor(() => broker.stats().open === 1);
      const held = await openHeld(broker, echo.port);
      // Listened for before closing: close() also removes the socket file before it resolves.
      const ended = Promise.all([closed(waiting), new Promise((resolve) => held.once('end', resolve))]);
      await broker.close();
      await ended;
      held.destroy();
      await waitFor(() => echo.sockets.size === 0);
      expect(broker.stats().open).toBe(0);
      const refused = await new Promise<string>((resolve) => {
        const late = net.connect({ path: broker.socketPath });
        late.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? ''));
        late.on('connect', () => resolve('connected'));
      });
      expect(refused).toBe('ENOENT');
      const successor = await startEgressBroker({ socketPath: broker.socketPath, onRefused });
      expect(successor.ok).toBe(true);
      await broker.close();
      expect(statSync(broker.socketPath).isSocket()).toBe(true);
      if (successor.ok) await successor.broker.close();
    } finally {
      await echo.close();
    }
  });

  test('a second close() while the first is still removing the socket and folder resolves only once they are gone', async () => {
    const { broker } = await startBroker(REFUSE_ALL);
    const first = broker.close();
    const second = broker.close();
    await second;
    expect(existsSync(broker.socketPath)).toBe(false);
    expect(existsSync(broker.folder)).toBe(false);
    await first;
  });

  test('close copes with its socket already removed and its folder no longer empty', async () => {
    const { broker } = await startBroker(REFUSE_ALL);
    unlinkSync(broker.socketPath);
    writeFileSync(path.join(broker.folder, 'someone-else'), 'x');
    await broker.close();
    expect(existsSync(path.join(broker.folder, 'someone-else'))).toBe(true);
  });

  test('a listen failure is a value, and the folder made for it is removed', async () => {
    const listen = vi.spyOn(net.Server.prototype, 'listen').mockImplementationOnce(function (this: net.Server) {
      process.nextTick(() => this.emit('error', new Error('no room')));
      return this;
    });
    try {
      const where = socketPath();
      expect(await startEgressBroker({ socketPath: where, onRefused })).toEqual({ ok: false, message: `Cannot listen on ${where}: no room` });
      expect(existsSync(path.dirname(where))).toBe(false);
      // A folder it did not make is left where it was.
      const kept = path.join(workDir, 'kept-on-listen-failure');
      mkdirSync(kept, { mode: 0o700 });
      listen.mockImplementationOnce(function (this: net.Server) {
        process.nextTick(() => this.emit('error', new Error('no room')));
        return this;
      });
      expect(await startEgressBroker({ socketPath: path.join(kept, 's.sock'), onRefused })).toMatchObject({ ok: false });
      expect(statSync(kept).isDirectory()).toBe(true);
    } finally {
      listen.mockRestore();
    }
  });

  test('the policy given at start resolves its deny names with the injected resolver', async () => {
    const echo = await startUpstream();
    try {
      const { broker, refusals } = await startBroker(
        { allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [{ host: 'store.test' }] },
        { lookup: async (name) => (name === 'store.test' ? ['127.0.0.1'] : []) },
      );
      expect((await converse(broker, [headerLine('127.0.0.1', echo.port), 'x'])).received).toBe('');
      expect(refusals).toMatchObject([{ reason: 'denied' }]);
    } finally {
      await echo.close();
    }
  });
});

describe('connectableAddress', () => {
  test('an IPv4-mapped IPv6 address is connected to as IPv4; other forms go as they are', () => {
    expect(connectableAddress('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(connectableAddress('::ffff:7f00:2')).toBe('127.0.0.2');
    expect(connectableAddress('127.0.0.1')).toBe('127.0.0.1');
    expect(connectableAddress('::1')).toBe('::1');
    expect(connectableAddress('::7f00:1')).toBe('::7f00:1');
    expect(connectableAddress('::fffe:7f00:1')).toBe('::fffe:7f00:1');
    expect(connectableAddress('::feff:7f00:1')).toBe('::feff:7f00:1');
    expect(connectableAddress('1::ffff:7f00:1')).toBe('1::ffff:7f00:1');
    expect(connectableAddress('64:ff9b::7f00:1')).toBe('64:ff9b::7f00:1');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
