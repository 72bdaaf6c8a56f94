/**
 * The bulk import's writes: a batch of users created or updated in one transaction, for
 * speed. A user is matched by external id, else by email. When the batch as a whole
 * hits a unique index (an email, username or phone that belongs to another user), it is
 * rolled back and written again one user per statement, so the one bad user fails alone
 * and no user is ever half written.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import type { StoreSchema, UsersTable } from './schema.js';
import { isUniqueViolation } from './database.js';
import { columnsFrom, jsonProfileFrom, newUserRow } from './users.js';
import type { JobError } from '../domain/job.js';
import type { StoredPassword } from '../domain/password.js';
import { normaliseEmail, type ProfileInput } from '../domain/user.js';

/** The algorithm of the passwords this server makes (passwords/ owns hashing; the store only compares names). */
const OWN_PASSWORD_ALGORITHM = 'argon2id';

export interface ImportedUser {
  /** 1-based line of the file (element of the array) */
  line: number;
  externalId: string | null;
  profile: ProfileInput;
  password: StoredPassword | null;
  /** true when the password is a hash made elsewhere (not a plain password hashed here) */
  passwordFromElsewhere: boolean;
}

export interface ImportBatchOutcome {
  created: number;
  updated: number;
  failed: number;
  errors: JobError[];
}

type Existing = Pick<
  UsersTable,
  'id' | 'external_id' | 'email_key' | 'last_login' | 'password_algorithm' | 'import_job_id' | 'profile'
>;

type Plan =
  | { kind: 'create'; user: ImportedUser }
  | { kind: 'update'; user: ImportedUser; existing: Existing }
  | { kind: 'fail'; user: ImportedUser; message: string };

export interface UserImportWriter {
  /** Writes one batch of users for import job `jobId`; every user is created, updated or reported. */
  write(poolId: string, jobId: string, users: ImportedUser[]): Promise<ImportBatchOutcome>;
}

/** Rows per insert statement: 27 columns × 400 stays under SQLite's 32766 parameters. */
const INSERT_CHUNK = 400;
/** Identifiers per look-up statement. */
const LOOKUP_CHUNK = 500;

const emailKeyOf = (user: ImportedUser): string | null =>
  typeof user.profile.email === 'string' ? normaliseEmail(user.profile.email) : null;

function errorOf(user: ImportedUser, message: string): JobError {
  return user.externalId === null ? { line: user.line, message } : { line: user.line, externalId: user.externalId, message };
}

const CONFLICT_MESSAGE = 'its email, username or phone belongs to another user of the pool';

export function userImportWriter(db: Kysely<StoreSchema>): UserImportWriter {
  async function lookUp(poolId: string, users: ImportedUser[]): Promise<Existing[]> {
    const externalIds = [...new Set(users.map((user) => user.externalId).filter((id): id is string => id !== null))];
    const emailKeys = [...new Set(users.map(emailKeyOf).filter((key): key is string => key !== null))];
    const found: Existing[] = [];
    const select = () =>
      db
        .selectFrom('users')
        .select(['id', 'external_id', 'email_key', 'last_login', 'password_algorithm', 'import_job_id', 'profile'])
        .where('pool_id', '=', poolId);
    for (let start = 0; start < externalIds.length; start += LOOKUP_CHUNK) {
      found.push(...(await select().where('external_id', 'in', externalIds.slice(start, start + LOOKUP_CHUNK)).execute()));
    }
    for (let start = 0; start < emailKeys.length; start += LOOKUP_CHUNK) {
      found.push(...(await select().where('email_key', 'in', emailKeys.slice(start, start + LOOKUP_CHUNK)).execute()));
    }
    return found;
  }

  /** Decides, for each user, whether it is created, updated or reported as a bad line. */
  function plan(jobId: string, users: ImportedUser[], existing: Existing[]): Plan[] {
    const byExternalId = new Map(existing.filter((row) => row.external_id !== null).map((row) => [row.external_id, row]));
    const byEmail = new Map(existing.filter((row) => row.email_key !== null).map((row) => [row.email_key, row]));
    const seenExternalIds = new Map<string, number>();
    const seenEmails = new Map<string, number>();
    return users.map((user): Plan => {
      const emailKey = emailKeyOf(user);
      const earlier =
        (user.externalId !== null ? seenExternalIds.get(user.externalId) : undefined) ??
        (emailKey !== null ? seenEmails.get(emailKey) : undefined);
      if (earlier !== undefined) return { kind: 'fail', user, message: `the same user as line ${earlier} (same externalId or email)` };
      if (user.externalId !== null) seenExternalIds.set(user.externalId, user.line);
      if (emailKey !== null) seenEmails.set(emailKey, user.line);

      const match = (user.externalId !== null ? byExternalId.get(user.externalId) : undefined) ?? (emailKey !== null ? byEmail.get(emailKey) : undefined);
      if (!match) return { kind: 'create', user };
      // Written by this very job: an earlier batch of the same file named this user.
      if (match.import_job_id === jobId) return { kind: 'fail', user, message: 'the same user as an earlier line of this file (same externalId or email)' };
      if (user.externalId !== null && match.external_id !== null && match.external_id !== user.externalId) {
        return { kind: 'fail', user, message: 'its email belongs to a user with another externalId' };
      }
      return { kind: 'update', user, existing: match };
    });
  }

  function updateStatement(executor: Kysely<StoreSchema> | Transaction<StoreSchema>, poolId: string, jobId: string, user: ImportedUser, existing: Existing, now: string) {
    const set: Record<string, unknown> = {
      ...columnsFrom(user.profile),
      profile: jsonProfileFrom(user.profile, JSON.parse(existing.profile) as Record<string, unknown>),
      updated_at: now,
      import_job_id: jobId,
    };
    if (existing.external_id === null && user.externalId !== null) set['external_id'] = user.externalId;
    // A user who has logged in here since keeps the password they use now; so does one
    // whose password was set here (argon2id) when the line brings a hash from elsewhere.
    // The login check is in the statement, so a login racing the import still wins.
    const keepsOwn = existing.password_algorithm === OWN_PASSWORD_ALGORITHM && user.passwordFromElsewhere;
    if (user.password && !keepsOwn) {
      set['password_hash'] = sql`case when last_login is null then ${user.password.hash} else password_hash end`;
      set['password_algorithm'] = sql`case when last_login is null then ${user.password.algorithm} else password_algorithm end`;
    }
    return executor.updateTable('users').set(set).where('pool_id', '=', poolId).where('id', '=', existing.id);
  }

  async function writeTogether(poolId: string, jobId: string, plans: Plan[], now: string): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const rows = plans.flatMap((p) => (p.kind === 'create' ? [newImportRow(poolId, jobId, p.user, now)] : []));
      for (let start = 0; start < rows.length; start += INSERT_CHUNK) {
        await trx.insertInto('users').values(rows.slice(start, start + INSERT_CHUNK)).execute();
      }
      for (const p of plans) if (p.kind === 'update') await updateStatement(trx, poolId, jobId, p.user, p.existing, now).execute();
    });
  }

  /** One statement per user: a unique-index refusal fails that user alone. */
  async function writeOneByOne(poolId: string, jobId: string, plans: Plan[], now: string): Promise<Plan[]> {
    const outcome: Plan[] = [];
    for (const p of plans) {
      if (p.kind === 'fail') {
        outcome.push(p);
        continue;
      }
      try {
        if (p.kind === 'create') await db.insertInto('users').values(newImportRow(poolId, jobId, p.user, now)).execute();
        else await updateStatement(db, poolId, jobId, p.user, p.existing, now).execute();
        outcome.push(p);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        outcome.push({ kind: 'fail', user: p.user, message: CONFLICT_MESSAGE });
      }
    }
    return outcome;
  }

  return {
    async write(poolId, jobId, users) {
      if (users.length === 0) return { created: 0, updated: 0, failed: 0, errors: [] };
      const now = new Date().toISOString();
      let plans = plan(jobId, users, await lookUp(poolId, users));
      try {
        await writeTogether(poolId, jobId, plans, now);
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        plans = await writeOneByOne(poolId, jobId, plans, now);
      }
      const outcome: ImportBatchOutcome = { created: 0, updated: 0, failed: 0, errors: [] };
      for (const p of plans) {
        if (p.kind === 'create') outcome.created++;
        else if (p.kind === 'update') outcome.updated++;
        else {
          outcome.failed++;
          outcome.errors.push(errorOf(p.user, p.message));
        }
      }
      return outcome;
    },
  };
}

function newImportRow(poolId: string, jobId: string, user: ImportedUser, now: string): UsersTable {
  return newUserRow(poolId, { profile: user.profile, password: user.password, source: 'imported', externalId: user.externalId }, now, jobId);
}
