/**
 * Named admin keys: created with a name and optionally a pool they are limited to, listed,
 * revoked. A key's token is 256 random bits, answered once; the store keeps its SHA-256.
 *
 * The plain functions take the store, so the `gatehouse admin-key` command uses them
 * without HTTP; each change and its audit entry are written in one transaction.
 *
 * Every admin request looks its key up in the store (one indexed read, no cache), so a
 * revoked key stops working at once on every instance. The look-up is by the hash of the
 * presented token: timing tells an attacker nothing about a stored token, only about
 * hashes of tokens they chose. The startup admin token is compared in constant time and
 * acts as the key `owner`.
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { OWNER, type Actor } from '../domain/actor.js';
import { auditEntry, type NewAuditEntry } from '../domain/audit.js';
import { fail, ok, type Result } from '../domain/result.js';
import { adminKeysRepository, type AdminKey } from '../store/admin-keys.js';
import { auditLogRepository } from '../store/audit-log.js';
import type { StoreSchema } from '../store/schema.js';
import type { AdminTokenCheck } from './admin-token.js';

export type { AdminKey };

/** Tokens of named keys start with this, so a look-up is only made for what can be one. */
export const ADMIN_KEY_PREFIX = 'gh_key_';
export const ADMIN_KEY_NAME_MAX_LENGTH = 100;

export interface NewAdminKey {
  name: string;
  poolId?: string | undefined;
}

/** The created key and its token: the only time the token is seen. */
export type CreatedAdminKey = AdminKey & { token: string };

export interface KeyChangeOptions {
  /** who makes the change, for the audit log; the owner by default (the command line has the store, so the owner's rights) */
  actor?: Actor;
  now?: () => number;
}

/** The store as the key functions need it: `openStore`'s answer fits. */
export interface KeyStore {
  db: Kysely<StoreSchema>;
}

const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('hex');

const at = (options: KeyChangeOptions): Date => new Date((options.now ?? Date.now)());

export async function createAdminKey(
  store: KeyStore,
  input: NewAdminKey,
  options: KeyChangeOptions = {},
): Promise<Result<CreatedAdminKey, 'VALIDATION_ERROR' | 'POOL_NOT_FOUND'>> {
  const name = input.name.trim();
  if (name === '' || name.length > ADMIN_KEY_NAME_MAX_LENGTH) {
    return fail('VALIDATION_ERROR', `body.name must be 1 to ${ADMIN_KEY_NAME_MAX_LENGTH} characters`);
  }
  // The startup token reads as `owner` in the audit log; a key of that name would pass for it.
  if (name.toLowerCase() === OWNER.name) return fail('VALIDATION_ERROR', `body.name may not be "${OWNER.name}": that is the startup admin token's name`);
  const token = `${ADMIN_KEY_PREFIX}${randomBytes(32).toString('base64url')}`;
  const time = at(options);
  const key: AdminKey = { id: randomUUID(), name, poolId: input.poolId ?? null, createdAt: time.toISOString(), revokedAt: null };
  const created = await store.db.transaction().execute(async (trx) => {
    if (key.poolId !== null && !(await trx.selectFrom('pools').select('id').where('id', '=', key.poolId).executeTakeFirst())) {
      return false;
    }
    await adminKeysRepository(trx).insert({
      id: key.id,
      name: key.name,
      pool_id: key.poolId,
      token_hash: tokenHash(token),
      created_at: key.createdAt,
      revoked_at: null,
    });
    await recordIn(trx, options, time, {
      action: 'admin-key.create',
      poolId: key.poolId,
      target: { type: 'admin-key', id: key.id },
      changes: { name: { to: key.name }, poolId: { to: key.poolId } },
    });
    return true;
  });
  if (!created) return fail('POOL_NOT_FOUND', `No user pool with id ${input.poolId ?? ''}`);
  return ok({ ...key, token });
}

export const listAdminKeys = (store: KeyStore): Promise<AdminKey[]> => adminKeysRepository(store.db).list();

/** Revokes the key; a key revoked before stays as it was (no second audit entry). */
export async function revokeAdminKey(store: KeyStore, keyId: string, options: KeyChangeOptions = {}): Promise<Result<AdminKey, 'NOT_FOUND'>> {
  const time = at(options);
  const key = await store.db.transaction().execute(async (trx) => {
    const keys = adminKeysRepository(trx);
    if (await keys.revoke(keyId, time.toISOString())) {
      const revoked = await keys.get(keyId);
      await recordIn(trx, options, time, {
        action: 'admin-key.revoke',
        poolId: revoked?.poolId ?? null,
        target: { type: 'admin-key', id: keyId },
        changes: { revokedAt: { to: time.toISOString() } },
      });
      return revoked;
    }
    return keys.get(keyId);
  });
  return key ? ok(key) : fail('NOT_FOUND', `No admin key with id ${keyId}`);
}

function recordIn(trx: Kysely<StoreSchema>, options: KeyChangeOptions, time: Date, entry: NewAuditEntry): Promise<void> {
  return auditLogRepository(trx).insert(auditEntry(options.actor ?? OWNER, entry, time));
}

/** The admin API's keys as the HTTP layer uses them. */
export interface AdminKeys {
  /** The actor behind a bearer token: the owner, an active key, or undefined. */
  resolve(token: string): Promise<Actor | undefined>;
  create(actor: Actor, input: NewAdminKey): ReturnType<typeof createAdminKey>;
  list(): Promise<AdminKey[]>;
  revoke(actor: Actor, keyId: string): ReturnType<typeof revokeAdminKey>;
}

export function adminKeys(store: KeyStore, owner: AdminTokenCheck, now: () => number = Date.now): AdminKeys {
  const repository = adminKeysRepository(store.db);
  return {
    async resolve(token) {
      if (token === '') return undefined;
      if (owner.matches(token)) return OWNER;
      if (!token.startsWith(ADMIN_KEY_PREFIX)) return undefined;
      const key = await repository.findActive(tokenHash(token));
      if (!key) return undefined;
      return key.poolId === null ? { keyId: key.id, name: key.name } : { keyId: key.id, name: key.name, poolId: key.poolId };
    },
    create: (actor, input) => createAdminKey(store, input, { actor, now }),
    list: () => listAdminKeys(store),
    revoke: (actor, keyId) => revokeAdminKey(store, keyId, { actor, now }),
  };
}
