/**
 * The store's PostgreSQL answers on every address it listens on, not only the one in the
 * server's DATABASE_URL: stock `listen_addresses = 'localhost'` is 127.0.0.1 and ::1. A pool
 * script (its allowedHosts written by a pool-scoped key) must not reach the store through
 * another loopback address or another address of this machine. Decided by the pure policy
 * functions: no traffic is sent.
 */
import { describe, expect, it } from 'vitest';
import { compileEgressPolicy, decideEgress, egressPolicyFor } from '../../src/script-runtime/egress-broker.js';

const server = { host: '127.0.0.1', port: 3000 };

async function decide(store: { host: string; port: number }, allowedHosts: string[], target: string, port: number) {
  const policy = await compileEgressPolicy(egressPolicyFor({ databaseHosts: [], allowedHosts, server, store }), {
    lookup: async (name) => (name === 'localhost' ? ['127.0.0.1', '::1'] : [name]),
    thisMachine: [],
  });
  return decideEgress(policy, { host: target, port }, [target]);
}

describe("the store's port on this machine's other loopback addresses", () => {
  it.each([
    ['127.0.0.1', ['::1'], '::1'],
    ['127.0.0.1', ['127.0.0.0/8'], '127.0.0.2'],
    ['::1', ['127.0.0.1'], '127.0.0.1'],
    ['localhost', ['127.0.0.0/8'], '127.0.0.2'],
  ])('store at %s, allowedHosts %j: %s is refused as the server\'s own service', async (host, allowedHosts, target) => {
    const decision = await decide({ host, port: 5432 }, allowedHosts, target, 5432);
    expect(decision).toMatchObject({ ok: false, reason: 'denied' });
  });

  it('leaves other ports on those addresses to the allowlist', async () => {
    expect(await decide({ host: '127.0.0.1', port: 5432 }, ['::1'], '::1', 5433)).toMatchObject({ ok: true });
  });
});
