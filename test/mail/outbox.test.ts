/**
 * Development mail (no GATEHOUSE_SMTP_URL): messages are kept in the pool's outbox, in the
 * store, newest first, the last 50; the whole reset flow works from it; the log says where
 * to look but never holds the link's token.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { describeEachDialect } from '../support/dialects.js';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';
import { linkIn } from './smtp-receiver.js';

describeEachDialect('development outbox', (dialect) => {
  let t: TestServer;
  let poolId: string;
  let userId: string;
  const logs: string[] = [];
  const outbox = async (pool = poolId) => {
    const response = await t.admin('GET', `/api/v1/pools/${pool}/outbox`);
    expect(response.statusCode, response.body).toBe(200);
    return response.json().list as { at: string; to: string; subject: string; text: string }[];
  };

  beforeAll(async () => {
    t = await startTestServer(dialect, {}, { logger: { level: 'info', stream: { write: (line: string) => void logs.push(line) } } });
    poolId = await t.createPool('Outbox Pool');
    const registered = await t.request('POST', `/api/v1/pools/${poolId}/auth/register`, { body: { email: 'eve@example.com', password: 'eve-old-password' } });
    userId = registered.json().user.id;
  });
  afterAll(() => t.close());

  it('keeps a reset mail in the outbox, whose link resets the password', async () => {
    expect(await outbox()).toEqual([]);
    expect((await t.request('POST', `/api/v1/pools/${poolId}/auth/forgot-password`, { body: { email: 'eve@example.com' } })).statusCode).toBe(202);
    await t.server.mailIdle();
    const [message] = await outbox();
    expect(message).toMatchObject({ to: 'eve@example.com', subject: expect.stringContaining('Outbox Pool') });
    expect(Object.keys(message ?? {}).sort()).toEqual(['at', 'subject', 'text', 'to']);
    const { url, token } = linkIn(message ?? { text: '' });
    // GATEHOUSE_PUBLIC_URL's default: http://<HOST>:<PORT>
    expect(url.origin).toBe(`http://127.0.0.1:${t.config.port}`);
    const done = await t.request('POST', `/api/v1/pools/${poolId}/auth/reset-password`, { body: { token, password: 'eve-new-password' } });
    expect(done.statusCode).toBe(204);
    const all = logs.join('');
    expect(all).toContain(`/api/v1/pools/${poolId}/outbox`);
    expect(all).not.toContain(token);
  });

  it('answers newest first, only the last 50, only to the admin, only the pool asked for', async () => {
    for (let i = 0; i < 53; i += 1) {
      const sent = await t.admin('POST', `/api/v1/pools/${poolId}/users/${userId}/send-verification-email`);
      expect(sent.statusCode, sent.body).toBe(202);
    }
    const list = await outbox();
    expect(list).toHaveLength(50);
    const times = list.map((message) => message.at);
    expect([...times].sort().reverse()).toEqual(times);
    expect(list.every((message) => message.subject.includes('Verify'))).toBe(true);
    // older messages are deleted, not just left out of the answer
    const stored = await t.server.store.db.selectFrom('outbox').select('id').where('pool_id', '=', poolId).execute();
    expect(stored).toHaveLength(50);

    const other = await t.createPool('Other Pool');
    expect(await outbox(other)).toEqual([]);
    const anonymous = await t.request('GET', `/api/v1/pools/${poolId}/outbox`, { token: null });
    expect(anonymous.statusCode).toBe(401);
    const wrong = await t.request('GET', `/api/v1/pools/${poolId}/outbox`, { token: `${ADMIN_TOKEN}x` });
    expect(wrong.statusCode).toBe(401);
    expect((await t.admin('GET', '/api/v1/pools/no-such-pool/outbox')).json().error.code).toBe('POOL_NOT_FOUND');
  });
});
