import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LIST_MAX_ITEMS, validateResult } from '../../src/custom-db/contract/result-validation.js';
import { userFromProfile } from '../../src/custom-db/profile.js';
import { startTestServer, type TestServer } from '../support/server.js';

const MB = 1024 * 1024;
const profile = { id: 'u1', email: 'a@example.com' };
const problemOf = (value: unknown, script: 'login' | 'listUsers' = 'login'): string | null => {
  const checked = validateResult(script, value);
  return checked.ok ? null : checked.message;
};

describe('script results are validated strictly', () => {
  it.each([
    ['blocked true', { ...profile, blocked: true }],
    ['blocked 0 (MySQL)', { ...profile, blocked: 0 }],
    ['emailVerified 1 (MySQL)', { ...profile, emailVerified: 1 }],
    ['blocked null', { ...profile, blocked: null }],
    ['every string field null', { id: 7, email: null, username: null, nickname: null }],
    ['an email of 254 characters', { ...profile, email: `${'a'.repeat(242)}@example.com` }],
    ['dates as ISO text and milliseconds', { ...profile, createdAt: '2024-01-02T03:04:05.000Z', lastLogin: 1_700_000_000_000 }],
    ['a loginsCount', { ...profile, loginsCount: 3 }],
    ['extra keys of the script', { ...profile, legacyFlags: { a: [1, 2] } }],
  ])('accepts %s', (_, value) => {
    expect(problemOf(value)).toBeNull();
  });

  it.each([
    ['blocked "yes"', { ...profile, blocked: 'yes' }, /`blocked` is a string of 3 characters; it must be true or false/],
    ['blocked "false"', { ...profile, blocked: 'false' }, /`blocked`/],
    ['blocked 2', { ...profile, blocked: 2 }, /`blocked` is a number; it must be true or false/],
    ['phoneVerified as an object', { ...profile, phoneVerified: {} }, /`phoneVerified`/],
    ['a 5 MB email', { ...profile, email: 'x'.repeat(5 * MB) }, /larger than 64 KB/],
    ['an email of 255 characters', { ...profile, email: 'e'.repeat(255) }, /`email` is a string of 255 characters; at most 254/],
    ['a username of 129 characters', { ...profile, username: 'u'.repeat(129) }, /`username` .* at most 128/],
    ['a nickname of 1025 characters', { ...profile, nickname: 'n'.repeat(1025) }, /`nickname` .* at most 1024/],
    ['a number for a text field', { ...profile, phone: 5551234 }, /`phone` is a number; it must be a string or null/],
    ['an id of 129 characters', { id: 'i'.repeat(129) }, /`id` is a string of 129 characters/],
    ['a fractional id', { id: 1.5 }, /`id` is a number/],
    ['an unsafe integer id', { id: 2 ** 60 }, /`id`/],
    ['an id that is an object', { id: { $oid: 'x' } }, /`id` is an object/],
    ['no id', { email: 'a@example.com' }, /without `id`/],
    ['a date that is not one', { ...profile, createdAt: 'yesterday' }, /`createdAt` .* must be a date/],
    ['a negative loginsCount', { ...profile, loginsCount: -1 }, /`loginsCount`/],
    ['a lastIP that is a number', { ...profile, lastIP: 127 }, /`lastIP`/],
    ['a result nested 40 levels deep', { ...profile, deep: JSON.parse(`${'['.repeat(40)}${']'.repeat(40)}`) as unknown }, /nested deeper than 32/],
  ])('refuses %s, naming the field', (_, value, message) => {
    expect(problemOf(value)).toMatch(message);
  });

  it('never quotes a value in its message', () => {
    expect(problemOf({ ...profile, blocked: 'secret-in-a-flag' })).not.toContain('secret-in-a-flag');
    expect(problemOf('secret-as-the-result')).not.toContain('secret-as-the-result');
  });

  it('checks lists item by item, with a cap on their length and size', () => {
    expect(problemOf({ totalCount: 2, list: [profile, { ...profile, blocked: 'yes' }] }, 'listUsers')).toMatch(/`list\[1\]`: `blocked`/);
    expect(problemOf({ totalCount: 1, list: [profile, { id: 'x', email: 'e'.repeat(300) }] }, 'listUsers')).toMatch(/`list\[1\]`: `email`/);
    const many = Array.from({ length: LIST_MAX_ITEMS + 1 }, (_, i) => ({ id: i }));
    expect(problemOf({ totalCount: many.length, list: many }, 'listUsers')).toMatch(/has 1001 profiles; at most 1000/);
    expect(problemOf({ totalCount: 1000, list: many.slice(0, 1000) }, 'listUsers')).toBeNull();
    const large = Array.from({ length: 100 }, (_, i) => ({ id: i, extra: 'x'.repeat(60 * 1024) }));
    expect(problemOf({ totalCount: 100, list: large }, 'listUsers')).toMatch(/larger than 4096 KB/);
  });

  it('maps only true and 1 to true', () => {
    const user = userFromProfile({ id: 5, blocked: 'yes', emailVerified: 1, phoneVerified: 0 }, 'pool', 'custom-db');
    expect(user).toMatchObject({ id: '5', blocked: false, emailVerified: true, phoneVerified: false });
  });
});

describe('a script result that breaks the contract, through the API', () => {
  let t: TestServer;
  let poolId: string;
  const url = () => `/api/v1/pools/${poolId}/custom-db`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
    const saved = await t.admin('PUT', url(), {
      enabled: true,
      mode: 'CUSTOM_USER_STORE',
      scripts: {
        login: `async function login(query, password) {
          if (query.username === 'yes') return { id: 'u1', username: 'yes', blocked: 'yes' };
          if (query.username === 'huge') return { id: 'u2', username: 'huge', email: 'x'.repeat(5 * 1024 * 1024) + '@example.com' };
          if (query.username === 'mysql') return { id: 3, username: 'mysql', blocked: 0, emailVerified: 1 };
          throw new WrongUsernameOrPasswordError();
        }`,
        listUsers: `async function listUsers(page, limit) {
          return { totalCount: 2, list: [{ id: 1 }, { id: 2, emailVerified: 'true' }] };
        }`,
      },
    });
    expect(saved.statusCode, saved.body).toBe(200);
  });
  afterAll(() => t.close());

  const login = (username: string) =>
    t.request('POST', `/api/v1/pools/${poolId}/auth/login`, { body: { username, password: 'any-password-1' } });

  it('does not let a user whose blocked flag is "yes" in: 502, and the log names the field', async () => {
    const response = await login('yes');
    expect(response.statusCode, response.body).toBe(502);
    expect(response.json().error.code).toBe('CUSTOM_DB_ERROR');
    const [entry] = (await t.admin('GET', `${url()}/logs?limit=1`)).json().list as { outcome: string; message: string }[];
    expect(entry).toMatchObject({ outcome: 'invalid_result' });
    expect(entry?.message).toMatch(/^InvalidResultError: The Login script returned an invalid result: `blocked` is a string/);
  });

  it('refuses a 5 MB email from a script', async () => {
    const response = await login('huge');
    expect(response.statusCode).toBe(502);
    const debug = await t.admin('POST', `${url()}/debug`, { script: 'login', args: [{ username: 'huge' }, 'x'] });
    // Refused by the runtime's own cap on a result (1 MiB) before the profile check (64 KB) sees it.
    expect(debug.json().error).toMatchObject({ kind: 'invalid_result', message: expect.stringMatching(/larger than (64 KB|the \d+-byte limit)/) });
    expect(debug.body.length).toBeLessThan(10_000);
  });

  it("takes MySQL's 0/1 flags as booleans", async () => {
    const response = await login('mysql');
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().user).toMatchObject({ id: '3', blocked: false, emailVerified: true });
  });

  it('checks every item of a list', async () => {
    const response = await t.admin('GET', `/api/v1/pools/${poolId}/users`);
    expect(response.statusCode).toBe(502);
    const debug = await t.admin('POST', `${url()}/debug`, { script: 'listUsers', args: [1, 10] });
    expect(debug.json().error.message).toMatch(/`list\[1\]`: `emailVerified`/);
  });
});
