/**
 * Queries of the outbox table: development mail (no SMTP server), kept per pool in the
 * store so every instance answers the same list. Only the newest OUTBOX_SIZE stay.
 */
import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { StoreSchema } from './schema.js';

export const OUTBOX_SIZE = 50;

export interface OutboxMessage {
  at: string;
  to: string;
  subject: string;
  text: string;
}

export interface OutboxRepository {
  add(poolId: string, message: OutboxMessage): Promise<void>;
  /** newest first, at most OUTBOX_SIZE */
  list(poolId: string): Promise<OutboxMessage[]>;
}

export function outboxRepository(db: Kysely<StoreSchema>): OutboxRepository {
  return {
    async add(poolId, message) {
      await db
        .insertInto('outbox')
        .values({ id: randomUUID(), pool_id: poolId, at: message.at, to_address: message.to, subject: message.subject, text: message.text })
        .execute();
      // Trim to the newest OUTBOX_SIZE: the cut-off is the (OUTBOX_SIZE+1)-th newest message.
      const cutoff = await db
        .selectFrom('outbox')
        .select(['at', 'id'])
        .where('pool_id', '=', poolId)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .offset(OUTBOX_SIZE)
        .limit(1)
        .executeTakeFirst();
      if (cutoff) {
        await db
          .deleteFrom('outbox')
          .where('pool_id', '=', poolId)
          .where((eb) => eb.or([eb('at', '<', cutoff.at), eb.and([eb('at', '=', cutoff.at), eb('id', '<=', cutoff.id)])]))
          .execute();
      }
    },
    async list(poolId) {
      const rows = await db
        .selectFrom('outbox')
        .selectAll()
        .where('pool_id', '=', poolId)
        .orderBy('at', 'desc')
        .orderBy('id', 'desc')
        .limit(OUTBOX_SIZE)
        .execute();
      return rows.map((row) => ({ at: row.at, to: row.to_address, subject: row.subject, text: row.text }));
    },
  };
}
