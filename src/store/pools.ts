/** Queries of the pools table. */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { PoolsTable, StoreSchema } from './schema.js';
import type { Page } from '../domain/page.js';
import type { Pool } from '../domain/pool.js';

export interface PoolsRepository {
  create(input: { name: string; metadata: Record<string, unknown> }): Promise<Pool>;
  get(id: string): Promise<Pool | undefined>;
  list(page: number, limit: number): Promise<Page<Pool>>;
  update(id: string, changes: { name?: string; metadata?: Record<string, unknown> }): Promise<Pool | undefined>;
  delete(id: string): Promise<boolean>;
}

const toPool = (row: PoolsTable): Pool => ({
  id: row.id,
  name: row.name,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function poolsRepository(db: Kysely<StoreSchema>): PoolsRepository {
  return {
    async create({ name, metadata }) {
      const now = new Date().toISOString();
      const row: PoolsTable = {
        id: randomUUID(),
        name,
        metadata: JSON.stringify(metadata),
        created_at: now,
        updated_at: now,
      };
      await db.insertInto('pools').values(row).execute();
      return toPool(row);
    },
    async get(id) {
      const row = await db.selectFrom('pools').selectAll().where('id', '=', id).executeTakeFirst();
      return row && toPool(row);
    },
    async list(page, limit) {
      const [rows, count] = await Promise.all([
        db
          .selectFrom('pools')
          .selectAll()
          .orderBy('created_at')
          .orderBy('id')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        db.selectFrom('pools').select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { totalCount: Number(count.n), list: rows.map(toPool) };
    },
    async update(id, changes) {
      const set: Partial<PoolsTable> = { updated_at: new Date().toISOString() };
      if (changes.name !== undefined) set.name = changes.name;
      if (changes.metadata !== undefined) set.metadata = JSON.stringify(changes.metadata);
      const row = await db.updateTable('pools').set(set).where('id', '=', id).returningAll().executeTakeFirst();
      return row && toPool(row);
    },
    async delete(id) {
      const result = await db.deleteFrom('pools').where('id', '=', id).executeTakeFirst();
      return Number(result.numDeletedRows) > 0;
    },
  };
}
