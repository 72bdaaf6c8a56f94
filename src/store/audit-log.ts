/** Queries of the audit_log table: admin changes, newest first, bounded by age. */
import type { Kysely, Selectable } from 'kysely';
import type { AuditChanges, AuditEntry } from '../domain/audit.js';
import type { Page } from '../domain/page.js';
import type { AuditLogTable, StoreSchema } from './schema.js';

export interface AuditLogRepository {
  insert(entry: AuditEntry): Promise<void>;
  /** newest first; only the pool's entries when poolId is given */
  list(query: { poolId?: string | undefined; page: number; limit: number }): Promise<Page<AuditEntry>>;
  /** deletes entries written before `cutoff` (ISO time); answers how many */
  deleteBefore(cutoff: string): Promise<number>;
}

const toEntry = (row: Selectable<AuditLogTable>): AuditEntry => ({
  at: row.at,
  actor: { keyId: row.actor_key_id, name: row.actor_name },
  action: row.action,
  poolId: row.pool_id,
  target: { type: row.target_type, id: row.target_id },
  changes: JSON.parse(row.changes) as AuditChanges,
});

export function auditLogRepository(db: Kysely<StoreSchema>): AuditLogRepository {
  return {
    async insert(entry) {
      await db
        .insertInto('audit_log')
        .values({
          at: entry.at,
          actor_key_id: entry.actor.keyId,
          actor_name: entry.actor.name,
          action: entry.action,
          pool_id: entry.poolId,
          target_type: entry.target.type,
          target_id: entry.target.id,
          changes: JSON.stringify(entry.changes),
        })
        .execute();
    },
    async list({ poolId, page, limit }) {
      let rows = db.selectFrom('audit_log');
      if (poolId !== undefined) rows = rows.where('pool_id', '=', poolId);
      const [list, count] = await Promise.all([
        rows
          .selectAll()
          .orderBy('seq', 'desc')
          .limit(limit)
          .offset((page - 1) * limit)
          .execute(),
        rows.select((eb) => eb.fn.countAll<string | number>().as('n')).executeTakeFirstOrThrow(),
      ]);
      return { totalCount: Number(count.n), list: list.map(toEntry) };
    },
    async deleteBefore(cutoff) {
      const result = await db.deleteFrom('audit_log').where('at', '<', cutoff).executeTakeFirst();
      return Number(result.numDeletedRows);
    },
  };
}
