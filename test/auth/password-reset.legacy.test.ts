/**
 * Password reset for users who live in a legacy database, on the real PostgreSQL and
 * MariaDB with the sample users and the templates saved unchanged:
 * - lazy migration, a user who never logged in: the reset migrates the profile without a
 *   password (exactly once, racing first logins included, tombstones respected, the old
 *   database's emailVerified kept) and sets the password; the old one stops working;
 * - custom user store: the new password goes through updateUser.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SAMPLE_USERS, samplePassword, seedMysql, seedPostgres } from '../../src/sample-db/index.js';
import { templateById, type TemplateId } from '../../src/custom-db/templates/index.js';
import {
  createMysqlDatabase,
  createPostgresDatabase,
  mysqlReachable,
  postgresReachable,
  type TestDatabase,
} from '../support/databases.js';
import { startTestServer, type TestServer } from '../support/server.js';
import { linkIn, startSmtpReceiver, type SmtpReceiver } from '../mail/smtp-receiver.js';

const postgresUp = await postgresReachable();
const mysqlUp = await mysqlReachable();

interface Legacy {
  templateId: TemplateId;
  create(): Promise<TestDatabase>;
}

const LEGACIES: { name: string; up: boolean; legacy: Legacy }[] = [
  {
    name: 'PostgreSQL',
    up: postgresUp,
    legacy: {
      templateId: 'postgres',
      async create() {
        const database = await createPostgresDatabase('gh_legacy');
        await seedPostgres(database.url);
        return database;
      },
    },
  },
  {
    name: 'MariaDB',
    up: mysqlUp && postgresUp,
    legacy: {
      templateId: 'mysql',
      async create() {
        const database = await createMysqlDatabase('gh_legacy');
        await seedMysql(database.url);
        return database;
      },
    },
  },
];

const usable = SAMPLE_USERS.filter((user) => !user.blocked);
const sample = (i: number) => {
  const user = usable[i];
  if (!user) throw new Error(`no sample user #${i}`);
  return user;
};

async function connect(t: TestServer, templateId: TemplateId, mode: 'LAZY_MIGRATION' | 'CUSTOM_USER_STORE', uri: string) {
  const poolId = await t.createPool(`Legacy ${templateId} ${mode}`);
  const saved = await t.admin('PUT', `/api/v1/pools/${poolId}/custom-db`, {
    enabled: true,
    mode,
    connection: { type: 'uri', uri },
    scripts: templateById(templateId).scripts,
    timeoutMs: 15_000,
  });
  expect(saved.statusCode, saved.body).toBe(200);
  return poolId;
}

for (const { name, up, legacy } of LEGACIES) {
  describe.skipIf(!up)(`password reset with a legacy ${name} database${up ? '' : ' (not reachable: skipped)'}`, () => {
    let smtp: SmtpReceiver;
    let database: TestDatabase;
    let t: TestServer;
    let lazyPool: string;
    let storePool: string;
    const auth = (poolId: string, path: string) => `/api/v1/pools/${poolId}/auth/${path}`;
    const login = (poolId: string, account: string, password: string) =>
      t.request('POST', auth(poolId, 'login'), { body: { account, password } });
    const forgot = (poolId: string, email: string) => t.request('POST', auth(poolId, 'forgot-password'), { body: { email } });
    const reset = (poolId: string, token: string, password: string) =>
      t.request('POST', auth(poolId, 'reset-password'), { body: { token, password } });
    const migrated = async (poolId: string, email: string) =>
      (await t.admin('GET', `/api/v1/pools/${poolId}/users/search?keyword=${encodeURIComponent(email)}`)).json().list as {
        id: string;
        source: string;
        emailVerified: boolean;
      }[];
    /** the next mail to `email`, skipping none: each test waits for its own */
    const tokenFor = async (email: string) => {
      const mail = await smtp.next(20_000);
      expect(mail.to.map((to) => to.toLowerCase())).toEqual([email.toLowerCase()]);
      return linkIn(mail).token;
    };

    beforeAll(async () => {
      smtp = await startSmtpReceiver();
      database = await legacy.create();
      t = await startTestServer('postgres', { smtpUrl: smtp.url });
      lazyPool = await connect(t, legacy.templateId, 'LAZY_MIGRATION', database.url);
      storePool = await connect(t, legacy.templateId, 'CUSTOM_USER_STORE', database.url);
    }, 60_000);
    afterAll(async () => {
      await t.close();
      await database.drop();
      await smtp.close();
    });

    it('lazy migration: resets a user who never logged in; the profile is migrated once, the old password stops mattering', async () => {
      const user = sample(0);
      expect(await migrated(lazyPool, user.email)).toEqual([]);
      expect((await forgot(lazyPool, user.email)).statusCode).toBe(202);
      const token = await tokenFor(user.email);
      const [profileOnly, ...more] = await migrated(lazyPool, user.email);
      expect(more).toEqual([]);
      expect(profileOnly).toMatchObject({ source: 'migrated', emailVerified: user.emailVerified });

      expect((await reset(lazyPool, token, `${user.username}-brand-new`)).statusCode).toBe(204);
      const fresh = await login(lazyPool, user.email, `${user.username}-brand-new`);
      expect(fresh.statusCode, fresh.body).toBe(200);
      expect(fresh.json().user).toMatchObject({ id: profileOnly?.id, source: 'migrated', emailVerified: user.emailVerified });
      const old = await login(lazyPool, user.email, samplePassword(user.username));
      expect(old.statusCode).toBe(401);
      expect((await reset(lazyPool, token, `${user.username}-third-one`)).json().error.code).toBe('INVALID_TOKEN');
      expect(await migrated(lazyPool, user.email)).toHaveLength(1);
    });

    it('lazy migration: the old password still signs in until the reset is finished, then only the new one', async () => {
      const user = sample(1);
      await forgot(lazyPool, user.email);
      const token = await tokenFor(user.email);
      expect((await login(lazyPool, user.username, samplePassword(user.username))).statusCode).toBe(200);
      expect((await reset(lazyPool, token, `${user.username}-brand-new`)).statusCode).toBe(204);
      expect((await login(lazyPool, user.username, samplePassword(user.username))).statusCode).toBe(401);
      expect((await login(lazyPool, user.username, `${user.username}-brand-new`)).statusCode).toBe(200);
      expect(await migrated(lazyPool, user.email)).toHaveLength(1);
    });

    it('lazy migration: racing resets and first logins create exactly one user', async () => {
      const user = sample(2);
      const racers = await Promise.all([
        ...Array.from({ length: 3 }, () => forgot(lazyPool, user.email)),
        ...Array.from({ length: 4 }, () => login(lazyPool, user.email, samplePassword(user.username))),
      ]);
      expect(racers.map((response) => response.statusCode)).toEqual([202, 202, 202, 200, 200, 200, 200]);
      await t.server.mailIdle();
      const rows = await migrated(lazyPool, user.email);
      expect(rows).toHaveLength(1);
      expect(new Set(racers.slice(3).map((response) => response.json().user.id))).toEqual(new Set([rows[0]?.id]));
      const token = await tokenFor(user.email);
      expect((await reset(lazyPool, token, `${user.username}-brand-new`)).statusCode).toBe(204);
      expect((await login(lazyPool, user.email, `${user.username}-brand-new`)).json().user.id).toBe(rows[0]?.id);
      // the other racers' mails
      for (let i = 1; i < 3; i++) await tokenFor(user.email);
    });

    it('lazy migration: a user deleted after migrating is not brought back by a reset', async () => {
      const user = sample(3);
      await forgot(lazyPool, user.email);
      await tokenFor(user.email);
      const [row] = await migrated(lazyPool, user.email);
      expect((await t.admin('DELETE', `/api/v1/pools/${lazyPool}/users/${row?.id}`)).statusCode).toBe(204);
      const before = smtp.messages.length;
      expect((await forgot(lazyPool, user.email)).statusCode).toBe(202);
      await t.server.mailIdle();
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(smtp.messages.length).toBe(before);
      expect(await migrated(lazyPool, user.email)).toEqual([]);
    });

    it('custom user store: the new password goes through updateUser', async () => {
      const user = sample(4);
      expect((await forgot(storePool, user.email)).statusCode).toBe(202);
      const token = await tokenFor(user.email);
      expect((await reset(storePool, token, `${user.username}-brand-new`)).statusCode).toBe(204);
      const fresh = await login(storePool, user.email, `${user.username}-brand-new`);
      expect(fresh.statusCode, fresh.body).toBe(200);
      expect(fresh.json().user.source).toBe('custom-db');
      expect((await login(storePool, user.email, samplePassword(user.username))).statusCode).toBe(401);
      expect((await reset(storePool, token, `${user.username}-third-one`)).json().error.code).toBe('INVALID_TOKEN');
    });
  });
}
