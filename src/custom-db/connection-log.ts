/**
 * The connection log: one entry per script run, newest first. Entries are written
 * behind the request in batches (at most a second old), so logging never adds a store
 * round trip to a login; a read flushes first, so a reader always sees its own runs. Only
 * the newest CONNECTION_LOG_LIMIT entries per pool are kept, so a batch under heavy load
 * writes no more than that per pool: older ones would be pruned at once.
 */
import { CONNECTION_LOG_LIMIT, type ConnectionLogEntry, type CustomDbRepository } from '../store/custom-db.js';

const FLUSH_AFTER_MS = 1000;
const MAX_MESSAGE_LENGTH = 2000;

export interface ConnectionLog {
  append(poolId: string, entry: ConnectionLogEntry): void;
  list(poolId: string, limit: number): Promise<ConnectionLogEntry[]>;
  flush(): Promise<void>;
}

function newestPerPool<T extends { poolId: string }>(entries: T[]): T[] {
  const kept: T[] = [];
  const counts = new Map<string, number>();
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i];
    if (entry === undefined) continue;
    const count = counts.get(entry.poolId) ?? 0;
    if (count >= CONNECTION_LOG_LIMIT) continue;
    counts.set(entry.poolId, count + 1);
    kept.push(entry);
  }
  return kept.reverse();
}

export function connectionLog(repository: CustomDbRepository, onError: (error: unknown) => void): ConnectionLog {
  let pending: { poolId: string; entry: ConnectionLogEntry }[] = [];
  let timer: NodeJS.Timeout | undefined;
  let writing: Promise<void> = Promise.resolve();

  const flush = (): Promise<void> => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    const batch = newestPerPool(pending);
    pending = [];
    writing = writing.then(async () => {
      try {
        await repository.appendLogs(batch);
      } catch {
        // One bad entry (its pool deleted meanwhile) must not lose the batch: retry one by one.
        for (const item of batch) {
          try {
            await repository.appendLogs([item]);
          } catch (error) {
            // The store briefly away, or the pool gone: the log is diagnostics, and losing
            // an entry must never fail the request that produced it.
            onError(error);
          }
        }
      }
    });
    return writing;
  };

  return {
    append(poolId, entry) {
      pending.push({ poolId, entry: { ...entry, message: entry.message.slice(0, MAX_MESSAGE_LENGTH) } });
      timer ??= setTimeout(() => void flush(), FLUSH_AFTER_MS).unref();
    },
    async list(poolId, limit) {
      await flush();
      return repository.listLogs(poolId, limit);
    },
    flush,
  };
}
