/** Queries of the applications table. */
import type { Kysely } from 'kysely';
import type { ApplicationsTable, StoreSchema } from './schema.js';
import type { Page } from '../domain/page.js';
import type { Application, ApplicationType, IdTokenSigningAlg } from '../domain/application.js';

/** An application with the hash of its secret: for client authentication, never for responses. */
export interface StoredApplication extends Application {
  secretHash: string | null;
}

export interface ApplicationsRepository {
  insert(application: StoredApplication): Promise<void>;
  get(poolId: string, id: string): Promise<StoredApplication | undefined>;
  byClientId(poolId: string, clientId: string): Promise<StoredApplication | undefined>;
  list(poolId: string, page: number, limit: number): Promise<Page<StoredApplication>>;
  update(
    poolId: string,
    id: string,
    changes: Partial<Pick<StoredApplication, 'name' | 'redirectUris' | 'postLogoutRedirectUris' | 'idTokenSigningAlg' | 'secretHash'>>,
  ): Promise<StoredApplication | undefined>;
  delete(poolId: string, id: string): Promise<boolean>;
}

const toApplication = (row: ApplicationsTable): StoredApplication => ({
  id: row.id,
  poolId: row.pool_id,
  clientId: row.client_id,
  name: row.name,
  type: row.type as ApplicationType,
  redirectUris: JSON.parse(row.redirect_uris) as string[],
  postLogoutRedirectUris: JSON.parse(row.post_logout_redirect_uris) as string[],
  idTokenSigningAlg: row.id_token_signing_alg as IdTokenSigningAlg,
  secretHash: row.secret_hash,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function applicationsRepository(db: Kysely<StoreSchema>): ApplicationsRepository {
  return {
    async insert(app) {
      await db
        .insertInto('applications')
        .values({
          id: app.id,
          pool_id: app.poolId,
          client_id: app.clientId,
          name: app.name,
          type: app.type,
          redirect_uris: JSON.stringify(app.redirectUris),
          post_logout_redirect_uris: JSON.stringify(app.postLogoutRedirectUris),
          id_token_signing_alg: app.idTokenSigningAlg,
          secret_hash: app.secretHash,
          created_at: app.createdAt,
          updated_at: app.updatedAt,
        })
        .execute();
    },
    async get(poolId, id) {
      const row = await db.selectFrom('applications').selectAll().where('pool_id', '=', poolId).where('id', '=', id).executeTakeFirst();
      return row && toApplication(row);
    },
    async byClientId(poolId, clientId) {
      const row = await db
        .selectFrom('applications')
        .selectAll()
        .where('pool_id', '=', poolId)
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      return row && toApplication(row);
    },
    async list(poolId, page, limit) {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('applications')
          .selectAll()
          .where('pool_id', '=', poolId)
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        db
          .selectFrom('applications')
          .where('pool_id', '=', poolId)
          .select((eb) => eb.fn.countAll<string | number>().as('n'))
          .executeTakeFirstOrThrow(),
      ]);
      return { totalCount: Number(count.n), list: rows.map(toApplication) };
    },
    async update(poolId, id, changes) {
      const set: Partial<ApplicationsTable> = { updated_at: new Date().toISOString() };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.redirectUris !== undefined) set.redirect_uris = JSON.stringify(changes.redirectUris);
      if (changes.postLogoutRedirectUris !== undefined) set.post_logout_redirect_uris = JSON.stringify(changes.postLogoutRedirectUris);
      if (changes.idTokenSigningAlg !== undefined) set.id_token_signing_alg = changes.idTokenSigningAlg;
      if (changes.secretHash !== undefined) set.secret_hash = changes.secretHash;
      const row = await db
        .updateTable('applications')
        .set(set)
        .where('pool_id', '=', poolId)
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      return row && toApplication(row);
    },
    async delete(poolId, id) {
      const result = await db.deleteFrom('applications').where('pool_id', '=', poolId).where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
