/**
 * Template conformance suite: runs one template's eight scripts, saved unchanged, against a
 * seeded sample database, through the script runtime exactly as the server will. The scripts
 * are the files src/custom-db/templates/<id>/<script>.js, read by the server's own loader. Each
 * templates.<store>.test.ts hands it the store's set-up; the cases are the same for all.
 *
 * Cases run in order within a file (list before anything creates users, so counts are exact).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import bcrypt from 'bcryptjs';
import { SAMPLE_USERS, samplePassword, type SampleUser } from '../../../src/sample-db/index.js';
import { templateById, type TemplateId } from '../../../src/custom-db/templates/index.js';
import { ScriptRuntimePool } from '../../../src/script-runtime/index.js';
import { isTypedErrorName, type CallOutcome, type ScriptName, type TypedErrorName } from '../../../src/custom-db/contract/script-contract.js';
import { runUserScript } from '../../../src/custom-db/script-caller.js';

export type ConnectionEnv = Record<string, string>;

export interface ConformanceTarget {
  /** Names the store in test titles, e.g. `PostgreSQL 15 (real)`. */
  readonly label: string;
  readonly templateId: TemplateId;
  /** Creates and seeds a fresh sample database; answers the two connection forms for it. */
  setup(): Promise<{ uri: ConnectionEnv; fields: ConnectionEnv }>;
  teardown(): Promise<void>;
  /** Well-formed for this store, but no user has it. */
  readonly missingId: string;
  /** A connection to the same kind of store that is not listening (the "database down" case). */
  readonly downEnv?: ConnectionEnv;
}

/** Per call: generous, as bcryptjs at cost 10 and a first connection share two cores. */
const TIMEOUT_MS = 15_000;
const SAMPLE_TOTAL = SAMPLE_USERS.length;
function sampleUser(found: SampleUser | undefined, what: string): SampleUser {
  if (found === undefined) throw new Error(`the sample users have no ${what}`);
  return found;
}
const alice = sampleUser(SAMPLE_USERS.find((user) => user.username === 'alice'), 'alice');
const mallory = sampleUser(SAMPLE_USERS.find((user) => user.blocked), 'blocked user');

type Profile = Record<string, unknown> & { id: string };
interface Page {
  totalCount: number;
  list: Profile[];
}

/** No result of any script may carry a password field or anything that looks like a bcrypt hash. */
function expectNoSecrets(value: unknown): void {
  const text = JSON.stringify(value) ?? '';
  expect(text).not.toMatch(/"password"\s*:/i);
  expect(text).not.toContain('$2');
}

function expectProfile(value: unknown): asserts value is Profile {
  expect(value).toEqual(expect.objectContaining({ id: expect.any(String) as unknown }));
}

function expectPage(value: unknown): asserts value is Page {
  expect(value).toEqual(expect.objectContaining({ totalCount: expect.any(Number) as unknown, list: expect.any(Array) as unknown }));
}

/** The programmatic form of a connection URI: what `DB_HOST`, `DB_PORT`, … hold for it. */
export function fieldsOf(uri: string, database: string, defaultPort: number): ConnectionEnv {
  const url = new URL(uri);
  return {
    DB_HOST: url.hostname,
    DB_PORT: url.port || String(defaultPort),
    DB_USERNAME: decodeURIComponent(url.username),
    DB_PASSWORD: decodeURIComponent(url.password),
    DB_DATABASE: database,
  };
}

/** A target whose store is not there: registered skipped, the reason in its title. */
export function describeSkippedConformance(title: string): void {
  describe.skipIf(true)(title, () => undefined);
}

export function describeTemplateConformance(target: ConformanceTarget): void {
  const template = templateById(target.templateId);
  let pool: ScriptRuntimePool;
  let envs: { uri: ConnectionEnv; fields: ConnectionEnv };
  const run = `${process.pid.toString(36)}${Date.now().toString(36)}`;

  async function call(script: ScriptName, args: unknown[], form: 'uri' | 'fields' = 'uri'): Promise<CallOutcome> {
    const spec = { key: `${target.templateId}-${form}-${run}`, scripts: template.scripts, env: envs[form], timeoutMs: TIMEOUT_MS };
    return runUserScript(pool, spec, script, args);
  }

  /** The result of a call that must succeed; also checks that it carries no secret. */
  async function ok(script: ScriptName, args: unknown[], form: 'uri' | 'fields' = 'uri'): Promise<unknown> {
    const outcome = await call(script, args, form);
    if (!outcome.ok) {
      throw new Error(`${script} failed: ${JSON.stringify(outcome.error)}\nlogs: ${JSON.stringify(outcome.logs)}`);
    }
    expectNoSecrets(outcome.result);
    return outcome.result;
  }

  async function fails(script: ScriptName, args: unknown[], name: TypedErrorName): Promise<void> {
    const outcome = await call(script, args);
    if (outcome.ok) throw new Error(`${script} should fail with ${name}, answered ${JSON.stringify(outcome.result)}`);
    expect(outcome.error).toMatchObject({ kind: 'runtime', name });
    expectNoSecrets(outcome.error.message);
  }

  async function login(query: Record<string, string>, password: string, form: 'uri' | 'fields' = 'uri'): Promise<Profile> {
    const profile = await ok('login', [query, password, {}], form);
    expectProfile(profile);
    return profile;
  }

  async function create(userinfo: Record<string, unknown>): Promise<Profile> {
    const profile = await ok('createUser', [userinfo, {}]);
    expectProfile(profile);
    return profile;
  }

  describe(`${target.label}: ${template.name} template, all nine scripts through the script runtime`, () => {
    let aliceId: string;

    beforeAll(async () => {
      pool = new ScriptRuntimePool({ warmSpare: false });
      envs = await target.setup();
    });

    afterAll(async () => {
      await pool.close();
      await target.teardown();
    });

    describe('login', () => {
      it('logs alice in by email (any case), with her profile in camelCase and no hash', async () => {
        const profile = await login({ email: 'Alice@Example.COM' }, samplePassword('alice'));
        aliceId = profile.id;
        expect(profile).toMatchObject({
          username: 'alice',
          email: 'alice@example.com',
          phone: '+15550100001',
          emailVerified: alice.emailVerified,
          givenName: alice.givenName,
          familyName: alice.familyName,
          postalCode: alice.postalCode,
          birthdate: alice.birthdate,
          blocked: false,
          loginsCount: alice.loginsCount,
          createdAt: alice.createdAt,
          lastLogin: alice.lastLogin,
        });
        expect(profile).not.toHaveProperty('password');
      });

      it('logs in by username and by phone, as the same user', async () => {
        expect((await login({ username: 'alice' }, samplePassword('alice'))).id).toBe(aliceId);
        expect((await login({ phone: '+15550100001' }, samplePassword('alice'))).id).toBe(aliceId);
      });

      it('refuses a wrong password with WrongUsernameOrPasswordError', async () => {
        await fails('login', [{ email: 'alice@example.com' }, 'not-her-password', {}], 'WrongUsernameOrPasswordError');
      });

      it('answers UserNotFoundError for an unknown user', async () => {
        await fails('login', [{ email: 'nobody@example.com' }, 'whatever', {}], 'UserNotFoundError');
        await fails('login', [{ username: 'nobody' }, 'whatever', {}], 'UserNotFoundError');
      });

      it('treats a query value as text, so an object cannot act as a query operator', async () => {
        await fails('login', [{ username: { $ne: null } }, samplePassword('alice'), {}], 'UserNotFoundError');
      });

      it('answers AccountBlockedError to a blocked user only after the right password', async () => {
        await fails('login', [{ username: mallory.username }, samplePassword(mallory.username), {}], 'AccountBlockedError');
        await fails('login', [{ username: mallory.username }, 'wrong', {}], 'WrongUsernameOrPasswordError');
      });
    });

    describe('getUser', () => {
      it('finds alice by id, email, username and phone', async () => {
        for (const query of [{ id: aliceId }, { email: 'ALICE@example.com' }, { username: 'alice' }, { phone: '+15550100001' }]) {
          const profile = await ok('getUser', [query, {}]);
          expectProfile(profile);
          expect(profile).toMatchObject({ id: aliceId, username: 'alice' });
        }
      });

      it('answers null when there is no such user, or no usable query', async () => {
        for (const query of [{ id: target.missingId }, { id: 'not-an-id' }, { email: 'nobody@example.com' }, { username: 'nobody' }, {}]) {
          expect(await ok('getUser', [query, {}])).toBeNull();
        }
      });
    });

    describe('listUsers', () => {
      it('pages through all users with an exact totalCount', async () => {
        const first = await ok('listUsers', [1, 7, {}]);
        const second = await ok('listUsers', [2, 7, {}]);
        expectPage(first);
        expectPage(second);
        expect(first.totalCount).toBe(SAMPLE_TOTAL);
        expect(second.totalCount).toBe(SAMPLE_TOTAL);
        expect(first.list).toHaveLength(7);
        expect(second.list).toHaveLength(7);
        expect(first.list[0]?.id).toBe(aliceId);
        const firstIds = new Set(first.list.map((user) => user.id));
        expect(second.list.some((user) => firstIds.has(user.id))).toBe(false);
      });

      it('takes page and limit from context when the arguments are absent, and a page past the end is empty', async () => {
        const page = await ok('listUsers', [undefined, undefined, { page: 20, limit: 5 }]);
        expectPage(page);
        expect(page.list.map((user) => user.username)).toEqual(SAMPLE_USERS.slice(95, 100).map((user) => user.username));
        const past = await ok('listUsers', [99, 10, {}]);
        expectPage(past);
        expect(past).toEqual({ totalCount: SAMPLE_TOTAL, list: [] });
      });
    });

    describe('exportUsers', () => {
      interface ExportPage {
        list: (Profile & { passwordHash?: { algorithm: string; hash: string } })[];
        nextCursor: string | null;
        totalCount?: number;
      }

      async function exportPage(cursor: string | null, limit: number): Promise<ExportPage> {
        const outcome = await call('exportUsers', [cursor, limit, {}]);
        if (!outcome.ok) throw new Error(`exportUsers failed: ${JSON.stringify(outcome.error)}`);
        return outcome.result as ExportPage;
      }

      it('pages by keyset through every user, each with its bcrypt hash as passwordHash, and counts them on the first page', async () => {
        const seen: ExportPage['list'] = [];
        let cursor: string | null = null;
        let first: ExportPage | undefined;
        do {
          const page = await exportPage(cursor, 30);
          first ??= page;
          seen.push(...page.list);
          cursor = page.nextCursor;
        } while (cursor !== null);
        expect(first?.totalCount).toBe(SAMPLE_TOTAL);
        expect(seen).toHaveLength(SAMPLE_TOTAL);
        expect(new Set(seen.map((user) => user.id)).size).toBe(SAMPLE_TOTAL);
        expect(seen[0]).toMatchObject({ id: aliceId, username: 'alice', email: 'alice@example.com', givenName: alice.givenName });
        for (const user of seen) {
          const sample = SAMPLE_USERS.find((candidate) => candidate.username === user['username']);
          expect(user.passwordHash).toEqual({ algorithm: 'bcrypt', hash: sample?.passwordHash });
          expect(user).not.toHaveProperty('password');
        }
        expect(await bcrypt.compare(samplePassword('alice'), seen[0]?.passwordHash?.hash ?? '')).toBe(true);
        expect(seen.find((user) => user['username'] === mallory.username)).toMatchObject({ blocked: true });
      });

      it('loses and repeats no one when a user is added between two pages', async () => {
        const firstPage = await exportPage(null, 10);
        const added = await create({ email: `export-${run}@example.net`, password: 'export-password-1' });
        const ids = firstPage.list.map((user) => user.id);
        for (let cursor = firstPage.nextCursor; cursor !== null; ) {
          const page = await exportPage(cursor, 40);
          ids.push(...page.list.map((user) => user.id));
          cursor = page.nextCursor;
        }
        expect(ids).toHaveLength(SAMPLE_TOTAL + 1);
        expect(new Set(ids).size).toBe(SAMPLE_TOTAL + 1);
        expect(ids.at(-1)).toBe(added.id);
        expect(await ok('deleteUser', [added.id, {}])).toBe(true);
      });

      it('refuses a cursor that is no id with a plain (untyped) error', async () => {
        const outcome = await call('exportUsers', ['1 OR 1=1', 10, {}]);
        expect(outcome).toMatchObject({ ok: false, error: { kind: 'runtime', name: 'Error' } });
      });
    });

    describe('searchUser', () => {
      // Nicknames that differ only where a wildcard or metacharacter would match.
      const specials: Record<string, string> = {
        percent: 'Deal 50%off',
        percentDecoy: 'Deal 50xoff',
        underscore: 'snake_case fan',
        underscoreDecoy: 'snakeXcase fan',
        regex: 'a.b*c (x)',
        regexDecoy: 'aXbbc (x)',
        backslash: 'back\\slash',
        backslashDecoy: 'backslash',
      };
      const ids: Record<string, string> = {};

      beforeAll(async () => {
        for (const [key, nickname] of Object.entries(specials)) {
          const profile = await create({ email: `search-${key}-${run}@example.net`, nickname, password: 'search-password-1' });
          ids[key] = profile.id;
        }
      });

      async function search(keyword: string, context: Record<string, unknown> = { page: 1, limit: 50 }): Promise<Page> {
        const page = await ok('searchUser', [keyword, context]);
        expectPage(page);
        return page;
      }

      it('matches %, _, regex metacharacters and backslashes literally', async () => {
        for (const [keyword, key] of [['50%o', 'percent'], ['e_c', 'underscore'], ['a.b*c (', 'regex'], ['k\\s', 'backslash']] as const) {
          const page = await search(keyword);
          expect(page.list.map((user) => user.id)).toEqual([ids[key]]);
          expect(page.totalCount).toBe(1);
        }
      });

      it('is case-insensitive and looks at username, email, phone, name and nickname', async () => {
        expect((await search('DEAL 50%')).list.map((user) => user.id)).toEqual([ids['percent']]);
        expect((await search('ALICE')).list.map((user) => user.id)).toContain(aliceId);
        expect((await search('+1555010000')).totalCount).toBe(9);
        expect((await search(alice.familyName.toUpperCase())).list.map((user) => user.id)).toContain(aliceId);
      });

      it('pages with context.page and context.limit', async () => {
        const first = await search('@example.com', { page: 1, limit: 30 });
        const last = await search('@example.com', { page: 4, limit: 30 });
        expect(first.totalCount).toBe(SAMPLE_TOTAL);
        expect(first.list).toHaveLength(30);
        expect(last.totalCount).toBe(SAMPLE_TOTAL);
        expect(last.list).toHaveLength(10);
        expect(first.list[0]?.id).toBe(aliceId);
      });
    });

    describe('createUser', () => {
      it('creates a user with a bcrypt-hashed password, email lower-cased, and answers the profile', async () => {
        const profile = await create({
          email: `New.User-${run}@Example.NET`,
          username: `new_user_${run}`,
          phone: `+1555999${run.slice(-4)}`,
          nickname: 'Newbie',
          givenName: 'New',
          familyName: 'User',
          password: 'new-password-1',
        });
        expect(profile).toMatchObject({
          email: `new.user-${run}@example.net`.toLowerCase(),
          username: `new_user_${run}`,
          nickname: 'Newbie',
          blocked: false,
          emailVerified: false,
        });
        expect(typeof profile['createdAt']).toBe('string');
        expect((await login({ username: `new_user_${run}` }, 'new-password-1')).id).toBe(profile.id);
      });

      it('answers UserExistsError when the email, username or phone is taken', async () => {
        await fails('createUser', [{ email: 'ALICE@example.com', password: 'x-password-1' }, {}], 'UserExistsError');
        await fails('createUser', [{ username: 'alice', email: `other-${run}@example.net`, password: 'x-password-1' }, {}], 'UserExistsError');
        await fails('createUser', [{ phone: '+15550100001', password: 'x-password-1' }, {}], 'UserExistsError');
      });
    });

    describe('updateUser', () => {
      let userId: string;
      beforeAll(async () => {
        userId = (await create({ email: `update-${run}@example.net`, nickname: 'Before', password: 'old-password-1' })).id;
      });

      it('updates profile fields, ignoring keys that are not profile fields', async () => {
        const profile = await ok('updateUser', [userId, { nickname: 'After', city: 'Lyon', 'nickname = 1; --': 'x', isAdmin: true }, {}]);
        expectProfile(profile);
        expect(profile).toMatchObject({ id: userId, nickname: 'After', city: 'Lyon', email: `update-${run}@example.net` });
        expect(profile).not.toHaveProperty('isAdmin');
      });

      it('re-hashes a new password: the new one logs in, the old one no longer does', async () => {
        await ok('updateUser', [userId, { password: 'new-password-2' }, {}]);
        expect((await login({ email: `update-${run}@example.net` }, 'new-password-2')).id).toBe(userId);
        await fails('login', [{ email: `update-${run}@example.net` }, 'old-password-1', {}], 'WrongUsernameOrPasswordError');
      });

      it('answers UserNotFoundError for an unknown id and UserExistsError for a taken email', async () => {
        await fails('updateUser', [target.missingId, { nickname: 'x' }, {}], 'UserNotFoundError');
        await fails('updateUser', ['not-an-id', { nickname: 'x' }, {}], 'UserNotFoundError');
        await fails('updateUser', [userId, { email: 'alice@example.com' }, {}], 'UserExistsError');
      });
    });

    describe('deleteUser', () => {
      it('deletes a user (true), who is then gone; deleting again answers UserNotFoundError', async () => {
        const { id } = await create({ email: `delete-${run}@example.net`, password: 'delete-password-1' });
        expect(await ok('deleteUser', [id, {}])).toBe(true);
        expect(await ok('getUser', [{ id }, {}])).toBeNull();
        await fails('deleteUser', [id, {}], 'UserNotFoundError');
        await fails('deleteUser', [target.missingId, {}], 'UserNotFoundError');
      });
    });

    describe('validatePassword', () => {
      it('answers true for the right password and false for a wrong one', async () => {
        expect(await ok('validatePassword', [aliceId, samplePassword('alice'), {}])).toBe(true);
        expect(await ok('validatePassword', [aliceId, 'wrong-password', {}])).toBe(false);
      });

      it('answers UserNotFoundError for an unknown id', async () => {
        await fails('validatePassword', [target.missingId, 'whatever', {}], 'UserNotFoundError');
      });
    });

    describe('connection given as programmatic fields (DB_HOST, DB_PORT, …) instead of a URI', () => {
      it('logs in, reads and lists the same users', async () => {
        expect((await login({ email: 'alice@example.com' }, samplePassword('alice'), 'fields')).id).toBe(aliceId);
        const profile = await ok('getUser', [{ username: 'alice' }, {}], 'fields');
        expectProfile(profile);
        expect(profile.id).toBe(aliceId);
        const page = await ok('listUsers', [1, 3, {}], 'fields');
        expectPage(page);
        expect(page.list[0]?.id).toBe(aliceId);
      });
    });

    if (target.downEnv !== undefined) {
      const downEnv = target.downEnv;
      it('fails with a plain (untyped) error when the store is unreachable', async () => {
        const spec = { key: `${target.templateId}-down-${run}`, scripts: template.scripts, env: downEnv, timeoutMs: TIMEOUT_MS };
        const outcome = await runUserScript(pool, spec, 'login', [{ email: 'alice@example.com' }, 'alice-password-1', {}]);
        expect(outcome.ok).toBe(false);
        if (outcome.ok) return;
        expect(outcome.error.kind).toBe('runtime');
        expect(isTypedErrorName(outcome.error.name)).toBe(false);
      });
    }
  });
}
