/**
 * Brokered egress: the address rules as pure functions (no traffic leaves loopback, not
 * even to prove a block), the broker over real unix and TCP sockets on loopback, and the
 * child-side client driving pg, mysql2, fetch, http, tls and mongodb through it from a
 * separate process (test/script-runtime/egress-client-fixture.mjs).
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  classifyAddress,
  compileEgressPolicy,
  decideBeforeLookup,
  decideEgress,
  egressPolicyFor,
  isHostName,
  lookupSlots,
  parseAllowedHost,
  parseCidr,
  parseEgressHeader,
  startEgressBroker,
  type Cidr,
  type EgressBroker,
  type EgressBrokerOptions,
  type EgressConnected,
  type EgressPolicy,
  type EgressRefusal,
  type Lookup,
} from '../../src/script-runtime/egress-broker.js';

const FIXTURE = fileURLToPath(new URL('./egress-client-fixture.mjs', import.meta.url));
const PUBLIC_ONLY: EgressPolicy = { allow: [], anyPublicAddress: true, deny: [] };

let workDir = '';
let folderCount = 0;
/** A fresh folder path per broker (the broker creates it). */
function socketPath(): string {
  folderCount += 1;
  return path.join(workDir, `rt${folderCount}`, 'egress.sock');
}

// --- loopback canaries ------------------------------------------------------------------

interface Canary {
  port: number;
  connections: number;
  /** Everything each connection sent, in order of arrival. */
  received: Buffer[];
  /** Connections open now. */
  open(): number;
  /** Drops every open connection (as a crashing server would). */
  dropAll(): void;
  close(): Promise<void>;
}

/** Echoes every byte back; counts connections and keeps what they sent. */
async function startEchoCanary(): Promise<Canary> {
  const sockets = new Set<net.Socket>();
  const canary: Canary = {
    port: 0,
    connections: 0,
    received: [],
    open: () => sockets.size,
    dropAll: () => {
      for (const socket of sockets) socket.destroy();
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    canary.connections += 1;
    sockets.add(socket);
    const index = canary.received.push(Buffer.alloc(0)) - 1;
    socket.on('data', (chunk: Buffer) => {
      canary.received[index] = Buffer.concat([canary.received[index] ?? Buffer.alloc(0), chunk]);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => sockets.delete(socket));
    socket.pipe(socket);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  canary.port = (server.address() as net.AddressInfo).port;
  return canary;
}

interface Recorded {
  broker: EgressBroker;
  refusals: EgressRefusal[];
  connections: EgressConnected[];
  badRequests: string[];
}

/**
 * A resolver that records each name and answers nothing after `ms`: answering after the
 * brokers gave up keeps each slot held that long, as a real stuck lookup's thread does.
 */
function slowLookup(asked: string[], ms: number): Lookup {
  return (name) => {
    asked.push(name);
    return new Promise<string[]>((resolve) => setTimeout(() => resolve([]), ms));
  };
}

async function startBroker(policy: EgressPolicy | undefined, extra: Partial<EgressBrokerOptions> = {}): Promise<Recorded> {
  const refusals: EgressRefusal[] = [];
  const connections: EgressConnected[] = [];
  const badRequests: string[] = [];
  const started = await startEgressBroker({
    socketPath: socketPath(),
    ...(policy === undefined ? {} : { policy }),
    onRefused: (refusal) => refusals.push(refusal),
    onConnected: (info) => connections.push(info),
    onBadRequest: (message) => badRequests.push(message),
    ...extra,
  });
  if (!started.ok) throw new Error(started.message);
  return { broker: started.broker, refusals, connections, badRequests };
}

/**
 * Talks to the broker as any program in the runtime could: writes `header` (an object is
 * sent as the JSON line) and `payload`, half-closes, and collects what comes back until
 * the broker closes the socket.
 */
function exchange(
  broker: EgressBroker,
  header: object | string | Buffer,
  payload: Buffer | string = '',
  options: { end?: boolean } = {},
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: broker.socketPath, allowHalfOpen: true });
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error('the broker neither answered nor closed within 10 s'));
    }, 10_000);
    socket.on('connect', () => {
      socket.write(typeof header === 'object' && !Buffer.isBuffer(header) ? `${JSON.stringify(header)}\n` : header);
      if (options.end === false) socket.write(payload);
      else socket.end(payload);
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', () => undefined);
    // The broker closing its side is the answer, even while this side is still open.
    socket.on('end', () => socket.destroy());
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks));
    });
  });
}

function header(host: string, port: number, callId?: string): object {
  return callId === undefined ? { v: 1, host, port } : { v: 1, host, port, callId };
}

// --- child process running the client ----------------------------------------------------

interface StepResult {
  step: number;
  ok: boolean;
  value?: unknown;
  name?: string;
  code?: unknown;
  message?: string;
}

/** Runs the fixture (a stand-in runtime with the egress client installed) and parses its lines. */
function runClient(
  broker: EgressBroker,
  steps: object[],
  options: { execArgv?: string[]; env?: NodeJS.ProcessEnv; callId?: string; wrapper?: string[]; socketPath?: string } = {},
): Promise<StepResult[]> {
  return new Promise((resolve, reject) => {
    const input = JSON.stringify({ socketPath: options.socketPath ?? broker.socketPath, callId: options.callId ?? 'call-1', steps });
    const command = [...(options.wrapper ?? []), process.execPath, ...(options.execArgv ?? []), FIXTURE, input];
    const child = spawn(command[0] ?? '', command.slice(1), {
      // No proxies or other surprises from the developer's environment.
      env: { PATH: process.env['PATH'], ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 25_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      const lines = stdout.split('\n').filter((line) => line !== '');
      if (code !== 0 || lines.length !== steps.length) {
        reject(new Error(`fixture exited ${String(code)} after ${lines.length} steps: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(lines.map((line) => JSON.parse(line) as StepResult));
    });
  });
}

beforeAll(() => {
  workDir = mkdtempSync(path.join(os.tmpdir(), 'gh-egress-'));
});

afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

// =========================================================================================

describe('address rules (pure, no traffic)', () => {
  test('link-local, metadata, unspecified and reserved addresses are blocked in every spelling', () => {
    for (const ip of [
      '169.254.169.254', '169.254.0.1', '0.0.0.0', '0.1.2.3', '100.100.100.200', '192.0.0.192', '224.0.0.1',
      '255.255.255.255', 'fe80::1', '[fe80::1]', 'FE80::1', 'fe80::1%eth0', 'fd00:ec2::254', '::', '[::]', 'ff02::1',
      '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '::ffff:0:169.254.169.254', '::169.254.169.254',
      '64:ff9b::169.254.169.254', '64:ff9b::a9fe:a9fe', '2002:a9fe:a9fe::1', '::ffff:0.0.0.0',
      'not-an-ip', '2852039166', '127.1',
    ]) {
      expect(classifyAddress(ip), ip).toBe('blocked');
    }
  });

  test('loopback, private, carrier-grade NAT and their IPv6 spellings are internal', () => {
    for (const ip of [
      '127.0.0.1', '127.8.9.10', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '198.18.0.1',
      '::1', '[::1]', 'fd12:3456::1', 'fc00::1', '::ffff:127.0.0.1', '::ffff:7f00:1', '::127.0.0.1', '::ffff:10.0.0.1',
      '64:ff9b::10.0.0.1', '2002:0a00:0001::1', '64:ff9b:1::1',
    ]) {
      expect(classifyAddress(ip), ip).toBe('internal');
    }
  });

  test('public addresses are public, and this machine\'s own addresses are internal', () => {
    for (const ip of ['8.8.8.8', '1.1.1.1', '172.32.0.1', '169.255.0.1', '100.128.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(classifyAddress(ip), ip).toBe('public');
    }
    const own = [parseCidr('203.0.113.7') as Cidr];
    expect(classifyAddress('203.0.113.7', own)).toBe('internal');
    expect(classifyAddress('::ffff:203.0.113.7', own)).toBe('internal');
    expect(classifyAddress('203.0.113.8', own)).toBe('public');
  });

  test('host names are RFC 1123 names, never numbers getaddrinfo would read as addresses', () => {
    for (const name of ['localhost', 'db.example.com', 'db.example.com.', 'my_host.internal', 'x1', 'a-b.c-d.io']) {
      expect(isHostName(name), name).toBe(true);
    }
    for (const name of ['127.1', '2130706433', '0x7f.1', '1.2.3.04', 'a..b', '-a.com', 'a-.com', `${'x'.repeat(64)}.com`,
      'a b', 'host\u0000.com', '', '.', 'a/b', `${'abcdefghi.'.repeat(26)}com`]) {
      expect(isHostName(name), JSON.stringify(name)).toBe(false);
    }
  });

  test('headers are parsed strictly', () => {
    const parse = (text: string) => parseEgressHeader(Buffer.from(text));
    expect(parse('{"v":1,"host":"db.example.com","port":5432,"tls":true,"callId":"17"}')).toEqual({
      ok: true,
      request: { host: 'db.example.com', port: 5432, tls: true, callId: '17' },
    });
    expect(parse('{"v":1,"host":"[::1]","port":1}').ok).toBe(true);
    for (const bad of [
      '', 'hello', '[]', 'null', '{"host":"a","port":1}', '{"v":2,"host":"a","port":1}', '{"v":1,"host":"a","port":0}',
      '{"v":1,"host":"a","port":65536}', '{"v":1,"host":"a","port":1.5}', '{"v":1,"host":"a","port":"80"}',
      '{"v":1,"host":"a\\u0000b","port":1}', '{"v":1,"host":"a","port":1,"extra":1}', '{"v":1,"host":"a","port":1,"tls":"yes"}',
      `{"v":1,"host":"a","port":1,"callId":"${'c'.repeat(65)}"}`, '{"v":1,"host":"a","port":1,"callId":"a b"}',
      `{"v":1,"host":"${'a'.repeat(300)}","port":1}`, '{"v":1,"host":"127.1","port":1}', '{"v":1,"host":["a"],"port":1}',
      '{"v":1,"host":"a","port":1,"__proto__":{}}',
    ]) {
      expect(parse(bad).ok, bad).toBe(false);
    }
    expect(parseEgressHeader(Buffer.from('{"v":1,"host":"a","port":1}\u0000')).ok).toBe(false);
  });

  /** A resolver that answers from a table: no DNS records are created or queried. */
  const table = (answers: Record<string, string[]>): Lookup => async (name) => answers[name] ?? [];

  test('a name allowed by its rule still never reaches blocked addresses it resolves to', async () => {
    const policy = await compileEgressPolicy({ allow: [{ host: 'db.internal' }], anyPublicAddress: false, deny: [] }, { thisMachine: [] });
    expect(decideEgress(policy, { host: 'db.internal', port: 5432 }, ['10.0.0.5'])).toEqual({ ok: true, addresses: ['10.0.0.5'] });
    expect(decideEgress(policy, { host: 'DB.Internal.', port: 5432 }, ['10.0.0.5']).ok).toBe(true);
    const rebound = decideEgress(policy, { host: 'db.internal', port: 5432 }, ['10.0.0.5', '169.254.169.254']);
    expect(rebound).toMatchObject({ ok: false, reason: 'blocked' });
    expect(decideEgress(policy, { host: 'db.internal', port: 5432 }, ['::ffff:a9fe:a9fe'])).toMatchObject({ ok: false, reason: 'blocked' });
    // Only the rule's name: another name resolving to the same address is not allowed.
    expect(decideEgress(policy, { host: 'other.internal', port: 5432 }, ['10.0.0.5'])).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(decideEgress(policy, { host: '10.0.0.5', port: 5432 }, ['10.0.0.5'])).toMatchObject({ ok: false, reason: 'not-allowed' });
  });

  test('metadata names are refused whatever the policy', async () => {
    const policy = await compileEgressPolicy({ allow: [{ host: 'metadata.google.internal' }], anyPublicAddress: true, deny: [] }, { thisMachine: [] });
    expect(decideEgress(policy, { host: 'metadata.google.internal', port: 80 }, ['203.0.113.1'])).toMatchObject({ ok: false, reason: 'blocked' });
  });

  test('public addresses: any of them without allowed hosts, only the listed ones with', async () => {
    const open = await compileEgressPolicy(PUBLIC_ONLY, { thisMachine: [] });
    expect(decideEgress(open, { host: 'api.example.com', port: 443 }, ['93.184.216.34']).ok).toBe(true);
    // Mixed answers: only the allowed addresses are connected to.
    expect(decideEgress(open, { host: 'mixed.example', port: 443 }, ['10.0.0.1', '93.184.216.34'])).toEqual({ ok: true, addresses: ['93.184.216.34'] });
    expect(decideEgress(open, { host: 'intranet.example', port: 443 }, ['10.0.0.1'])).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(decideEgress(open, { host: 'nowhere.example', port: 443 }, [])).toMatchObject({ ok: false, reason: 'not-allowed' });

    const listed = await compileEgressPolicy({ allow: [{ host: 'api.example.com', port: 443 }, { host: '198.51.100.0/24' }], anyPublicAddress: false, deny: [] }, { thisMachine: [] });
    expect(decideEgress(listed, { host: 'api.example.com', port: 443 }, ['93.184.216.34']).ok).toBe(true);
    expect(decideEgress(listed, { host: 'api.example.com', port: 80 }, ['93.184.216.34']).ok).toBe(false);
    expect(decideEgress(listed, { host: 'other.example.com', port: 443 }, ['93.184.216.34']).ok).toBe(false);
    expect(decideEgress(listed, { host: '198.51.100.9', port: 22 }, ['198.51.100.9']).ok).toBe(true);
    expect(decideEgress(listed, { host: '::ffff:198.51.100.9', port: 22 }, ['::ffff:198.51.100.9']).ok).toBe(true);
  });

  test('with an allowlist, a name outside it is refused before any lookup (no DNS as a way out)', async () => {
    const asked: string[] = [];
    const spy: Lookup = async (name) => {
      asked.push(name);
      return ['93.184.216.34'];
    };
    const listed = await compileEgressPolicy({ allow: [{ host: 'api.example.com' }], anyPublicAddress: false, deny: [] }, { thisMachine: [], lookup: spy });
    expect(decideBeforeLookup(listed, { host: 'secret-data.attacker.example', port: 443 })).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(decideBeforeLookup(listed, { host: 'API.example.com.', port: 443 })).toBeNull();
    expect(decideBeforeLookup(listed, { host: '93.184.216.34', port: 443 })).toBeNull();
    expect(decideBeforeLookup(listed, { host: 'metadata.google.internal', port: 80 })).toMatchObject({ ok: false, reason: 'blocked' });
    // A CIDR rule can match any name's addresses, so then names are resolved.
    const cidrs = await compileEgressPolicy({ allow: [{ host: '10.0.0.0/8' }], anyPublicAddress: false, deny: [] }, { thisMachine: [] });
    expect(decideBeforeLookup(cidrs, { host: 'anything.example', port: 443 })).toBeNull();

    const { broker, refusals } = await startBroker({ allow: [{ host: 'api.example.com' }], anyPublicAddress: false, deny: [] }, { lookup: spy });
    try {
      expect((await exchange(broker, header('secret-data.attacker.example', 443, 'c1'), 'x')).length).toBe(0);
      expect(refusals).toMatchObject([{ callId: 'c1', reason: 'not-allowed' }]);
      expect(asked).toEqual([]);
    } finally {
      await broker.close();
    }
  });

  test('deny wins over allow, by address in any spelling and by name', async () => {
    const lookup = table({ 'store.internal': ['10.9.9.9'] });
    const policy = await compileEgressPolicy(
      { allow: [{ host: '10.0.0.0/8' }, { host: 'store.internal' }], anyPublicAddress: true, deny: [{ host: '10.0.0.5', port: 5432 }, { host: 'store.internal', port: 5432 }] },
      { thisMachine: [], lookup },
    );
    for (const host of ['10.0.0.5', '::ffff:10.0.0.5', '::ffff:a00:5', '64:ff9b::a00:5']) {
      expect(decideEgress(policy, { host, port: 5432 }, [host]), host).toMatchObject({ ok: false, reason: 'denied' });
    }
    expect(decideEgress(policy, { host: '10.0.0.5', port: 5433 }, ['10.0.0.5']).ok).toBe(true);
    expect(decideEgress(policy, { host: 'store.internal', port: 5432 }, ['10.9.9.9'])).toMatchObject({ ok: false, reason: 'denied' });
    // The deny rule's name was resolved when the policy was compiled: its address is refused too.
    expect(decideEgress(policy, { host: '10.9.9.9', port: 5432 }, ['10.9.9.9'])).toMatchObject({ ok: false, reason: 'denied' });
    expect(decideEgress(policy, { host: 'alias.example', port: 5432 }, ['10.9.9.9'])).toMatchObject({ ok: false, reason: 'denied' });
  });

  test('egressPolicyFor: the database host is allowed, the server and its store are denied unless the store is the database', () => {
    const server = { host: '127.0.0.1', port: 3000 };
    const store = { host: 'pg.internal', port: 5432 };
    const withHosts = egressPolicyFor({ databaseHosts: [{ host: 'legacy.db', port: 3306 }], allowedHosts: ['api.example.com', '[::1]:8080', 'svc:9000', '10.1.0.0/16'], server, store });
    expect(withHosts.anyPublicAddress).toBe(false);
    expect(withHosts.allow).toEqual([
      { host: 'api.example.com' }, { host: '::1', port: 8080 }, { host: 'svc', port: 9000 }, { host: '10.1.0.0/16' }, { host: 'legacy.db', port: 3306 },
    ]);
    expect(withHosts.deny).toEqual([{ host: '127.0.0.1', port: 3000 }, { host: 'pg.internal', port: 5432 }]);
    const shared = egressPolicyFor({ databaseHosts: [{ host: 'replica1', port: 5432 }, { host: 'PG.internal.', port: 5432 }], allowedHosts: [], server, store });
    expect(shared.anyPublicAddress).toBe(true);
    expect(shared.deny).toEqual([{ host: '127.0.0.1', port: 3000 }]);
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: ['https://x.example/', '*.example.com', 'ok.example'], server }).allow).toEqual([{ host: 'ok.example' }]);
    for (const bad of ['https://x.example/', '*.example.com', 'a b', 'host:0', 'host:70000', '10.0.0.0/33', '[fe80::1%eth0]', '']) {
      expect(parseAllowedHost(bad), bad).toBeNull();
    }
    const everywhere = egressPolicyFor({ databaseHosts: [], allowedHosts: [], server: { host: '0.0.0.0', port: 3000 } });
    expect(everywhere.deny).toEqual(expect.arrayContaining([{ host: '127.0.0.0/8', port: 3000 }, { host: '::1', port: 3000 }]));
  });
});

// =========================================================================================

describe('broker over real sockets (loopback only)', () => {
  let canary: Canary;
  beforeAll(async () => {
    canary = await startEchoCanary();
  });
  afterAll(async () => {
    await canary.close();
  });

  test('reaches an allowed loopback service by address, bytes both ways', async () => {
    const { broker, connections, refusals } = await startBroker({ allow: [{ host: '127.0.0.1', port: canary.port }], anyPublicAddress: false, deny: [] });
    try {
      expect((await exchange(broker, header('127.0.0.1', canary.port, 'c1'), 'ping')).toString()).toBe('ping');
      expect(connections.map((c) => [c.callId, c.host, c.address])).toEqual([['c1', '127.0.0.1', '127.0.0.1']]);
      expect(refusals).toEqual([]);
    } finally {
      await broker.close();
    }
  });

  test('reaches an allowed loopback service by name; the name\'s rule does not allow the address itself', async () => {
    const { broker, connections, refusals } = await startBroker({ allow: [{ host: 'localhost' }], anyPublicAddress: false, deny: [] });
    try {
      expect((await exchange(broker, header('LocalHost.', canary.port, 'c2'), 'pong')).toString()).toBe('pong');
      expect(connections.map((c) => [c.callId, c.host, c.address])).toEqual([['c2', 'LocalHost.', '127.0.0.1']]);
      expect((await exchange(broker, header('127.0.0.1', canary.port, 'c3'), 'pong')).length).toBe(0);
      expect(refusals).toMatchObject([{ callId: 'c3', reason: 'not-allowed' }]);
    } finally {
      await broker.close();
    }
  });

  test('loopback is refused by default, and the refusal names the call', async () => {
    const { broker, refusals } = await startBroker(PUBLIC_ONLY);
    const before = canary.connections;
    try {
      for (const host of ['127.0.0.1', 'localhost', '::ffff:127.0.0.1', '127.0.0.2']) {
        expect((await exchange(broker, header(host, canary.port, `call-${host}`), 'ping')).length, host).toBe(0);
      }
      expect(refusals.map((r) => [r.callId, r.reason])).toEqual([
        ['call-127.0.0.1', 'not-allowed'], ['call-localhost', 'not-allowed'], ['call-::ffff:127.0.0.1', 'not-allowed'], ['call-127.0.0.2', 'not-allowed'],
      ]);
      expect(refusals[1]?.message).toContain('localhost resolves to 127.0.0.1');
      expect(canary.connections).toBe(before);
    } finally {
      await broker.close();
    }
  });

  test('deny wins even when allowed, in the IPv4-mapped spelling too', async () => {
    const { broker, refusals } = await startBroker({
      allow: [{ host: '127.0.0.0/8' }, { host: 'localhost' }],
      anyPublicAddress: false,
      deny: [{ host: '127.0.0.1', port: canary.port }],
    });
    const before = canary.connections;
    try {
      for (const host of ['127.0.0.1', '::ffff:127.0.0.1', '::ffff:7f00:1', 'localhost']) {
        expect((await exchange(broker, header(host, canary.port, 'c'), 'ping')).length, host).toBe(0);
      }
      expect(refusals.map((r) => r.reason)).toEqual(['denied', 'denied', 'denied', 'denied']);
      expect(canary.connections).toBe(before);
    } finally {
      await broker.close();
    }
  });

  test('a name the script asks for is refused when what it resolves to is refused', async () => {
    // `localhost` is allowed by name, but everything in 127/8 is denied: the resolved address decides.
    const { broker, refusals } = await startBroker({ allow: [{ host: 'localhost' }], anyPublicAddress: false, deny: [{ host: '127.0.0.0/8' }] });
    const before = canary.connections;
    try {
      expect((await exchange(broker, header('localhost', canary.port, 'c9'), 'ping')).length).toBe(0);
      expect(refusals).toMatchObject([{ callId: 'c9', host: 'localhost', port: canary.port, reason: 'denied' }]);
      expect(canary.connections).toBe(before);
    } finally {
      await broker.close();
    }
  });

  test('garbage, oversize and slow headers are closed, and the broker keeps serving', async () => {
    const { broker, badRequests, refusals } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] }, { headerTimeoutMs: 1500 });
    const before = canary.connections;
    try {
      expect((await exchange(broker, 'hello\n', 'x')).length).toBe(0);
      expect((await exchange(broker, Buffer.from([0x7b, 0x00, 0xff, 0x0a]))).length).toBe(0);
      expect((await exchange(broker, `${JSON.stringify(header('127.0.0.1', canary.port)).slice(0, -1)},"pad":"${'p'.repeat(1100)}"}\n`)).length).toBe(0);
      // Oversize and still open: closed at the size limit, not at the deadline.
      const started = Date.now();
      expect((await exchange(broker, Buffer.alloc(5000, 0x61), '', { end: false })).length).toBe(0);
      expect(Date.now() - started).toBeLessThan(1000);
      // Slow: connects and says nothing.
      const slow = await new Promise<number>((resolve) => {
        const opened = Date.now();
        const socket = net.connect({ path: broker.socketPath });
        socket.on('error', () => undefined);
        socket.on('close', () => resolve(Date.now() - opened));
      });
      expect(slow).toBeGreaterThanOrEqual(1400);
      expect(slow).toBeLessThan(5000);
      expect(badRequests).toHaveLength(5);
      expect(refusals).toEqual([]);
      expect(canary.connections).toBe(before);
      expect((await exchange(broker, header('127.0.0.1', canary.port), 'still here')).toString()).toBe('still here');
    } finally {
      await broker.close();
    }
  });

  test('a header arriving in pieces is put together', async () => {
    const { broker } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] });
    try {
      const line = `${JSON.stringify(header('127.0.0.1', canary.port))}\n`;
      const echoed = await new Promise<string>((resolve) => {
        const socket = net.connect({ path: broker.socketPath, allowHalfOpen: true });
        let received = '';
        socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
        socket.on('close', () => resolve(received));
        socket.on('connect', async () => {
          for (const piece of [line.slice(0, 3), line.slice(3, 20), `${line.slice(20)}pie`]) {
            socket.write(piece);
            await new Promise((r) => setTimeout(r, 30));
          }
          socket.end('ces');
        });
      });
      expect(echoed).toBe('pieces');
    } finally {
      await broker.close();
    }
  });

  test('a megabyte each way, split arbitrarily, arrives intact', async () => {
    const { broker } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] });
    try {
      const payload = Buffer.alloc(1 << 20);
      for (let i = 0; i < payload.length; i++) payload[i] = (i * 7919) & 255;
      // The header and the first bytes in one write: what follows the newline is the payload's start.
      const echoed = await exchange(broker, Buffer.concat([Buffer.from(`${JSON.stringify(header('127.0.0.1', canary.port))}\n`), payload.subarray(0, 10)]), payload.subarray(10));
      expect(echoed.equals(payload)).toBe(true);
    } finally {
      await broker.close();
    }
  });

  test('a hundred connections open at once each get their own bytes back', async () => {
    const { broker } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] }, { maxConnections: 100, connectionsPerSecond: 1000 });
    try {
      const held = await Promise.all(Array.from({ length: 100 }, () => openHeld(broker, canary.port)));
      expect(broker.stats().open).toBe(100);
      const answers = await Promise.all(
        held.map(
          (socket, i) =>
            new Promise<string>((resolve) => {
              let received = '';
              socket.setEncoding('utf8').on('data', (chunk: string) => (received += chunk));
              socket.on('close', () => resolve(received));
              socket.end(`n${i}`);
            }),
        ),
      );
      expect(answers.every((answer, i) => answer === `n${i}`)).toBe(true);
    } finally {
      await broker.close();
    }
  });

  test('past the connection cap a connection is refused with its call id, and served again once others close', async () => {
    const { broker, refusals } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] }, { maxConnections: 8 });
    try {
      const held = await Promise.all(Array.from({ length: 8 }, () => openHeld(broker, canary.port)));
      const ninth = await exchange(broker, header('127.0.0.1', canary.port, 'over'), 'x');
      expect(ninth.length).toBe(0);
      expect(refusals).toMatchObject([{ callId: 'over', reason: 'too-many-connections' }]);
      for (const socket of held) socket.destroy();
      await waitFor(() => broker.stats().open === 0);
      expect((await exchange(broker, header('127.0.0.1', canary.port), 'again')).toString()).toBe('again');
    } finally {
      await broker.close();
    }
  });

  test('connections opened faster than the rate are refused, and allowed again after a pause', async () => {
    const { broker, refusals } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] }, { connectionsPerSecond: 5 });
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, (_, i) => exchange(broker, header('127.0.0.1', canary.port, `c${i}`), 'x')));
      const served = answers.filter((a) => a.toString() === 'x').length;
      expect(served).toBeGreaterThanOrEqual(5);
      expect(served).toBeLessThanOrEqual(7);
      expect(refusals.length).toBe(12 - served);
      expect(refusals.every((r) => r.reason === 'too-fast')).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect((await exchange(broker, header('127.0.0.1', canary.port), 'later')).toString()).toBe('later');
    } finally {
      await broker.close();
    }
  });

  test('an unreachable upstream closes the client without a refusal', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as net.AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const failures: unknown[] = [];
    const { broker, refusals } = await startBroker({ allow: [{ host: '127.0.0.1' }, { host: 'no-such-host.invalid' }], anyPublicAddress: false, deny: [] }, {
      onFailed: (failure) => failures.push(failure),
      lookup: async (name) => (name === 'localhost' ? ['127.0.0.1'] : []),
    });
    try {
      expect((await exchange(broker, header('127.0.0.1', port, 'c1'), 'x')).length).toBe(0);
      expect((await exchange(broker, header('no-such-host.invalid', port, 'c2'), 'x')).length).toBe(0);
      expect(refusals).toEqual([]);
      expect(failures).toEqual([
        { callId: 'c1', host: '127.0.0.1', port, stage: 'connect' },
        { callId: 'c2', host: 'no-such-host.invalid', port, stage: 'resolve' },
      ]);
      expect(broker.stats().failed).toBe(2);
    } finally {
      await broker.close();
    }
  });

  test('name lookups are bounded in number and time: a resolver that never answers holds its slot', async () => {
    const asked: string[] = [];
    const failures: unknown[] = [];
    const { broker } = await startBroker({ allow: [], anyPublicAddress: true, deny: [] }, {
      maxLookups: 1,
      // Its own slots: the lookup below never ends, and would keep one of the process's for the rest of the file.
      lookupSlots: lookupSlots(2),
      connectTimeoutMs: 300,
      lookup: (name) => {
        asked.push(name);
        return new Promise<string[]>(() => undefined);
      },
      onFailed: (failure) => failures.push(failure),
    });
    try {
      const started = Date.now();
      const answers = await Promise.all([exchange(broker, header('slow1.example', 80), 'x'), exchange(broker, header('slow2.example', 80), 'x')]);
      expect(answers.map((a) => a.length)).toEqual([0, 0]);
      expect(Date.now() - started).toBeLessThan(3000);
      // The second lookup never started: the first still holds the only slot.
      expect(asked).toEqual(['slow1.example']);
      expect(failures).toHaveLength(2);
    } finally {
      await broker.close();
    }
  });

  test('lookups of every broker share the process-wide slots: slow names in many runtimes leave the rest of the thread pool alone', async () => {
    const asked: string[] = [];
    const shared = lookupSlots(2);
    const lookup = slowLookup(asked, 1500);
    const brokers = await Promise.all(
      [1, 2, 3].map(() => startBroker({ allow: [], anyPublicAddress: true, deny: [] }, { maxLookups: 2, connectTimeoutMs: 300, lookup, lookupSlots: shared })),
    );
    try {
      await Promise.all(brokers.flatMap(({ broker }, b) => [1, 2].map((n) => exchange(broker, header(`slow${b}-${n}.example`, 80), 'x'))));
      // Six lookups asked for across three runtimes, two ever started: the shared slots, not 3 × 2.
      expect(asked).toHaveLength(2);
    } finally {
      await Promise.all(brokers.map(({ broker }) => broker.close()));
    }
  });

  test('one runtime holds one lookup slot by default: a second slow name of the same runtime waits, another runtime\'s goes ahead', async () => {
    const asked: string[] = [];
    const shared = lookupSlots(2);
    const lookup = slowLookup(asked, 1500);
    const first = await startBroker({ allow: [], anyPublicAddress: true, deny: [] }, { connectTimeoutMs: 300, lookup, lookupSlots: shared });
    const second = await startBroker({ allow: [], anyPublicAddress: true, deny: [] }, { connectTimeoutMs: 300, lookup, lookupSlots: shared });
    try {
      const firstRuntime = [exchange(first.broker, header('a1.example', 80), 'x'), exchange(first.broker, header('a2.example', 80), 'x')];
      // Both of the first runtime's names have reached its broker before the other runtime asks.
      await new Promise((resolve) => setTimeout(resolve, 100));
      await Promise.all([...firstRuntime, exchange(second.broker, header('b1.example', 80), 'x')]);
      expect(asked).toEqual(['a1.example', 'b1.example']);
    } finally {
      await first.broker.close();
      await second.broker.close();
    }
  });

  test('a name whose deadline passed while it waited for a slot is never looked up, and its runtime\'s slot is free again', async () => {
    const asked: string[] = [];
    const shared = lookupSlots(1);
    const lookup = slowLookup(asked, 600);
    const first = await startBroker(PUBLIC_ONLY, { connectTimeoutMs: 200, lookup, lookupSlots: shared });
    const second = await startBroker(PUBLIC_ONLY, { connectTimeoutMs: 200, lookup, lookupSlots: shared });
    try {
      // a2 waits for the first runtime's own slot, b1 for the shared one; both give up at 200 ms.
      const firstRuntime = [exchange(first.broker, header('a1.example', 80), 'x'), exchange(first.broker, header('a2.example', 80), 'x')];
      await new Promise((resolve) => setTimeout(resolve, 50));
      await Promise.all([...firstRuntime, exchange(second.broker, header('b1.example', 80), 'x')]);
      // a1's lookup ends at 600 ms and frees both kinds of slot: the waiters that gave up pass them on.
      await new Promise((resolve) => setTimeout(resolve, 700));
      expect(asked).toEqual(['a1.example']);
      await exchange(second.broker, header('b2.example', 80), 'x');
      expect(asked).toEqual(['a1.example', 'b2.example']);
    } finally {
      await first.broker.close();
      await second.broker.close();
    }
  });

  test('lookup slots: the last waiter giving up with nobody behind it answers false', async () => {
    const slots = lookupSlots(1);
    expect(await slots.acquire(() => false)).toBe(true);
    let abandoned = false;
    const gaveUp = slots.acquire(() => abandoned);
    abandoned = true;
    slots.release();
    await expect(gaveUp).resolves.toBe(false);
    expect(await slots.acquire(() => false)).toBe(true);
  });

  test('lookup slots: a waiter gets the slot a release frees, and one that gave up passes it on', async () => {
    const slots = lookupSlots(1);
    expect(await slots.acquire(() => false)).toBe(true);
    let abandoned = false;
    const gaveUp = slots.acquire(() => abandoned);
    const next = slots.acquire(() => false);
    abandoned = true;
    slots.release();
    expect(await gaveUp).toBe(false);
    // The abandoned waiter handed its turn to the next one instead of keeping the slot.
    expect(await next).toBe(true);
    let third = false;
    void slots.acquire(() => false).then(() => (third = true));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(false);
    slots.release();
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(third).toBe(true);
  });

  test('refuses everything until given a policy (a warm spare), then follows it', async () => {
    const { broker, refusals } = await startBroker(undefined);
    try {
      expect((await exchange(broker, header('127.0.0.1', canary.port), 'x')).length).toBe(0);
      expect(await broker.setPolicy({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] })).toEqual({ ok: true });
      expect((await exchange(broker, header('127.0.0.1', canary.port), 'bound')).toString()).toBe('bound');
      expect(refusals).toHaveLength(1);
      expect(await broker.setPolicy({ allow: [{ host: 'bad host' }], anyPublicAddress: false, deny: [] })).toMatchObject({ ok: false, message: expect.stringContaining('allow[0].host') });
      // The bad policy changed nothing.
      expect((await exchange(broker, header('127.0.0.1', canary.port), 'kept')).toString()).toBe('kept');
    } finally {
      await broker.close();
    }
  });

  test('socket and folder modes let another uid connect but not list or replace; close removes both', async () => {
    const { broker } = await startBroker(PUBLIC_ONLY);
    const folder = broker.folder;
    expect(folder).toBe(path.dirname(broker.socketPath));
    expect(statSync(folder).mode & 0o777).toBe(0o711);
    expect(statSync(broker.socketPath).mode & 0o777).toBe(0o666);
    expect(statSync(broker.socketPath).isSocket()).toBe(true);
    await broker.close();
    expect(existsSync(broker.socketPath)).toBe(false);
    expect(existsSync(folder)).toBe(false);
  });

  test('close ends the connections it is piping, on both sides', async () => {
    const { broker } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] });
    const held = await Promise.all(Array.from({ length: 3 }, () => openHeld(broker, canary.port)));
    const closed = held.map((socket) => new Promise<void>((resolve) => socket.once('close', () => resolve())));
    await broker.close();
    await Promise.all(closed);
    expect(broker.stats().open).toBe(0);
  });

  test('either side going away closes the other', async () => {
    const { broker } = await startBroker({ allow: [{ host: '127.0.0.1' }], anyPublicAddress: false, deny: [] });
    try {
      const baseline = canary.open();
      const client = await openHeld(broker, canary.port);
      expect(canary.open()).toBe(baseline + 1);
      client.destroy();
      await waitFor(() => canary.open() === baseline);

      const other = await openHeld(broker, canary.port);
      const closed = new Promise<void>((resolve) => other.once('close', () => resolve()));
      canary.dropAll();
      await closed;
      await waitFor(() => broker.stats().open === 0);
    } finally {
      await broker.close();
    }
  });

  test('start failures are values naming the problem', async () => {
    const onRefused = (): void => undefined;
    const long = await startEgressBroker({ socketPath: path.join(workDir, 'x'.repeat(120), 's.sock'), onRefused });
    expect(long).toMatchObject({ ok: false, message: expect.stringContaining('longer than 107 bytes') });
    const open = path.join(workDir, 'world-writable');
    mkdirSync(open);
    chmodSync(open, 0o777);
    expect(await startEgressBroker({ socketPath: path.join(open, 's.sock'), onRefused })).toMatchObject({ ok: false, message: expect.stringContaining('writable by other users') });
    const badPolicy = await startEgressBroker({ socketPath: socketPath(), onRefused, policy: { allow: [], anyPublicAddress: false, deny: [{ host: 'x', port: 0 }] } });
    expect(badPolicy).toMatchObject({ ok: false, message: expect.stringContaining('deny[0].port') });
    // A stale socket left by a crashed server is replaced.
    const first = await startBroker(PUBLIC_ONLY);
    const again = await startEgressBroker({ socketPath: first.broker.socketPath, onRefused });
    expect(again.ok).toBe(true);
    if (again.ok) await again.broker.close();
    await first.broker.close();
  });
});

/** A connection through the broker that is open upstream (its first bytes came back). */
function openHeld(broker: EgressBroker, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ path: broker.socketPath });
    socket.on('error', reject);
    // The canary echoes: one byte sent and its echo swallowed proves the upstream is open.
    socket.on('connect', () => socket.write(`${JSON.stringify(header('127.0.0.1', port))}\nh`));
    socket.once('data', () => resolve(socket));
  });
}

async function waitFor(check: () => boolean, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

// =========================================================================================

describe('client in a separate process (the drivers scripts use)', () => {
  let canary: Canary;
  let httpServer: http.Server;
  let httpPort = 0;
  let tlsServer: tls.Server;
  let tlsPort = 0;
  let cert = '';
  let key = '';
  const tlsServernames: (string | false | null)[] = [];

  beforeAll(async () => {
    canary = await startEchoCanary();
    httpServer = http.createServer((request, response) => response.end(`hello ${request.url ?? ''}`));
    await new Promise<void>((resolve) => httpServer.listen(0, '127.0.0.1', resolve));
    httpPort = (httpServer.address() as net.AddressInfo).port;

    const certDir = path.join(workDir, 'cert');
    mkdirSync(certDir);
    const made = spawnSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1',
      '-keyout', path.join(certDir, 'key.pem'), '-out', path.join(certDir, 'cert.pem'),
      '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1',
    ], { encoding: 'utf8' });
    if (made.status !== 0) throw new Error(`openssl failed: ${made.stderr}`);
    cert = readFileSync(path.join(certDir, 'cert.pem'), 'utf8');
    key = readFileSync(path.join(certDir, 'key.pem'), 'utf8');
    tlsServer = tls.createServer({ cert, key, ALPNProtocols: ['http/1.1'] }, (socket) => {
      tlsServernames.push(socket.servername);
      socket.on('error', () => undefined);
      // Echo, or answer an HTTP request (fetch over https) with a fixed body.
      socket.once('data', (chunk: Buffer) => {
        const text = chunk.toString();
        if (text.startsWith('GET ')) socket.end('HTTP/1.1 200 OK\r\ncontent-length: 6\r\nconnection: close\r\n\r\nsecure');
        else socket.end(chunk);
      });
    });
    await new Promise<void>((resolve) => tlsServer.listen(0, '127.0.0.1', resolve));
    tlsPort = (tlsServer.address() as net.AddressInfo).port;
  });

  afterAll(async () => {
    await canary.close();
    await new Promise((resolve) => httpServer.close(resolve));
    await new Promise((resolve) => tlsServer.close(resolve));
  });

  const localPolicy = (): EgressPolicy => ({
    allow: [{ host: '127.0.0.1', port: 5432 }, { host: 'localhost', port: 5432 }, { host: '127.0.0.1', port: 3306 }, { host: 'localhost' }],
    anyPublicAddress: false,
    deny: [],
  });

  test('pg runs a real query through the broker, by address and by name', async () => {
    const { broker, connections } = await startBroker(localPolicy());
    try {
      const results = await runClient(broker, [
        { kind: 'pg', host: '127.0.0.1', port: 5432, sql: 'select 1 as one' },
        { kind: 'pg', host: 'localhost', port: 5432, sql: "select current_setting('server_version_num') <> '' as up" },
      ]);
      expect(results).toEqual([{ step: 0, ok: true, value: [{ one: 1 }] }, { step: 1, ok: true, value: [{ up: true }] }]);
      expect(connections.map((c) => [c.host, c.port, c.callId])).toEqual([['127.0.0.1', 5432, 'call-1'], ['localhost', 5432, 'call-1']]);
    } finally {
      await broker.close();
    }
  });

  test('pg under the permission model: connecting to the broker socket needs no file permission', async () => {
    const { broker } = await startBroker(localPolicy());
    try {
      const results = await runClient(broker, [{ kind: 'pg', host: '127.0.0.1', port: 5432, sql: 'select 2 as two' }], {
        execArgv: ['--experimental-permission', '--allow-fs-read=*', '--disable-warning=ExperimentalWarning'],
      });
      expect(results).toEqual([{ step: 0, ok: true, value: [{ two: 2 }] }]);
    } finally {
      await broker.close();
    }
  });

  test('a refused pg connection fails in the child and the server hears of it with the call id', async () => {
    const { broker, refusals } = await startBroker({ allow: [], anyPublicAddress: true, deny: [] });
    try {
      const [result] = await runClient(broker, [{ kind: 'pg', host: '127.0.0.1', port: 5432, sql: 'select 1' }], { callId: '42' });
      expect(result?.ok).toBe(false);
      expect(refusals).toMatchObject([{ callId: '42', host: '127.0.0.1', port: 5432, reason: 'not-allowed' }]);
    } finally {
      await broker.close();
    }
  });

  test('mysql2 queries MariaDB through the broker', async () => {
    const { broker } = await startBroker(localPolicy());
    try {
      const results = await runClient(broker, [{ kind: 'mysql', host: '127.0.0.1', port: 3306, sql: 'select 3 as three' }]);
      expect(results).toEqual([{ step: 0, ok: true, value: [{ three: 3 }] }]);
    } finally {
      await broker.close();
    }
  });

  test('fetch and http reach a loopback web server; https and raw TLS run end to end inside the child', async () => {
    const { broker, connections } = await startBroker(localPolicy());
    tlsServernames.length = 0;
    try {
      const results = await runClient(
        broker,
        [
          { kind: 'fetch', url: `http://localhost:${httpPort}/via-fetch` },
          { kind: 'http', url: `http://localhost:${httpPort}/via-http` },
          { kind: 'tls', host: 'localhost', port: tlsPort, ca: cert, send: 'secret over tls' },
          { kind: 'fetch', url: `https://localhost:${tlsPort}/` },
        ],
        { env: { NODE_EXTRA_CA_CERTS: path.join(workDir, 'cert', 'cert.pem') } },
      );
      expect(results).toEqual([
        { step: 0, ok: true, value: { status: 200, body: 'hello /via-fetch' } },
        { step: 1, ok: true, value: { status: 200, body: 'hello /via-http' } },
        { step: 2, ok: true, value: { echoed: 'secret over tls', authorized: true, servername: 'localhost' } },
        { step: 3, ok: true, value: { status: 200, body: 'secure' } },
      ]);
      // The server saw SNI, so the handshake was the child's, not the broker's.
      expect(tlsServernames).toEqual(['localhost', 'localhost']);
      expect(connections.map((c) => c.tls)).toEqual([false, false, true, true]);
    } finally {
      await broker.close();
    }
  });

  test('mongodb (plain and TLS) connects through the broker', async () => {
    const { broker } = await startBroker(localPolicy());
    const before = canary.received.length;
    tlsServernames.length = 0;
    try {
      const results = await runClient(broker, [
        { kind: 'mongo', uri: `mongodb://localhost:${canary.port}/?directConnection=true` },
        { kind: 'mongo', uri: `mongodb://localhost:${tlsPort}/?directConnection=true&tls=true&tlsAllowInvalidCertificates=true` },
      ]);
      // Neither canary speaks MongoDB, so both fail; what matters is that the driver's bytes arrived.
      expect(results.map((r) => r.ok)).toEqual([false, false]);
      const sent = canary.received.slice(before).find((bytes) => bytes.length >= 16);
      // A MongoDB wire message: length, request id, response to, then opcode OP_MSG (2013) or OP_QUERY (2004).
      expect([2013, 2004]).toContain(sent?.readInt32LE(12));
      expect(tlsServernames[0]).toBe('localhost');
    } finally {
      await broker.close();
    }
  });

  const hasBwrap = spawnSync('bwrap', ['--version']).status === 0;
  test.skipIf(!hasBwrap)('from a bubblewrap sandbox with no network, as uid 65534, the broker is the way out', async () => {
    const { broker, connections } = await startBroker(localPolicy());
    // The runtime's uid must traverse the folders above the socket's own (0711).
    chmodSync(workDir, 0o711);
    const sandbox = [
      'bwrap', '--unshare-all', '--die-with-parent', '--new-session', '--ro-bind', '/', '/', '--tmpfs', '/run',
      '--proc', '/proc', '--dev', '/dev', '--bind', path.dirname(broker.socketPath), '/run/egress',
    ];
    // As root, drop to nobody for real; otherwise a user namespace maps this user to 65534.
    const wrapper = process.getuid?.() === 0
      ? ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', ...sandbox]
      : [...sandbox.slice(0, 1), '--unshare-user', '--uid', '65534', '--gid', '65534', ...sandbox.slice(1)];
    try {
      const results = await runClient(broker, [{ kind: 'pg', host: '127.0.0.1', port: 5432, sql: 'select 4 as four' }], {
        wrapper,
        socketPath: '/run/egress/egress.sock',
      });
      expect(results).toEqual([{ step: 0, ok: true, value: [{ four: 4 }] }]);
      expect(connections).toHaveLength(1);
    } finally {
      await broker.close();
    }
  });

  test('unix socket paths other than through the broker are refused by the client', async () => {
    const { broker } = await startBroker(localPolicy());
    try {
      const [result] = await runClient(broker, [{ kind: 'path', path: broker.socketPath }]);
      expect(result).toMatchObject({ ok: false, name: 'EgressDeniedError', code: 'ERR_GATEHOUSE_DENIED' });
    } finally {
      await broker.close();
    }
  });
});
