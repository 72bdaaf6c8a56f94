/**
 * A pool-scoped key holder must not be able to multiply their pool's runtime processes: each
 * save replaces the runtime while calls in flight on the old one may finish, so a save after
 * every slow call used to leave one more live process each time (outside the runtime cap),
 * until memory for every pool ran out. At most one replaced runtime per connection lives on.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

/** Processes whose parent is this test process (the runtimes' sandbox launchers, the spare's too). */
function childProcessCount(): number {
  let count = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === process.pid) count++;
    } catch {
      // gone meanwhile
    }
  }
  return count;
}

describe('saving a connection again and again while its calls are in flight', () => {
  let t: TestServer;
  let poolId: string;
  let token: string;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
    await t.server.app.listen({ port: 0, host: '127.0.0.1' });
    poolId = await t.createPool('A');
    const key = await t.admin('POST', '/api/v1/admin-keys', { name: 'pool A team', poolId });
    token = (key.json() as { token: string }).token;
  });
  afterAll(() => t?.close());

  it('keeps at most one replaced runtime of the pool alive', async () => {
    const save = (timeoutMs: number) =>
      t.request('PUT', `/api/v1/pools/${poolId}/custom-db`, {
        token,
        body: {
          enabled: true,
          mode: 'LAZY_MIGRATION',
          connection: null,
          timeoutMs,
          scripts: { getUser: 'async function getUser() { await new Promise((r) => setTimeout(r, 20000)); return { id: "x" }; }' },
        },
      });
    expect((await save(25_000)).statusCode).toBe(200);
    const before = childProcessCount();
    const slowCalls: Promise<unknown>[] = [];
    for (let i = 0; i < 8; i++) {
      slowCalls.push(t.request('POST', `/api/v1/pools/${poolId}/custom-db/debug`, { token, body: { script: 'getUser', args: [{ email: 'x@example.com' }] } }));
      await sleep(400);
      // not awaited: the save answers only once the replaced runtime's calls have finished
      slowCalls.push(save(25_000 - i));
      await sleep(200);
    }
    await sleep(1000);
    // the bound runtime (none until the next call), one replaced runtime finishing its call, the warm spare, one slack
    expect(childProcessCount() - before).toBeLessThanOrEqual(3);
    void Promise.allSettled(slowCalls);
  });
});
