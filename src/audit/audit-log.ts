/**
 * The audit log as the rest of the server uses it: routes record each admin change after
 * it succeeded, administrators page through it, and entries older than the retention are
 * swept away.
 *
 * A record that cannot be written (the store failing between the change and its entry) is
 * reported to `onLost` and does not fail the request: the change is already made, and a
 * 5xx would invite a retry that makes it twice. Admin key changes are the exception: their
 * entry is written in the same transaction as the key (auth/admin-keys.ts).
 */
import type { Actor } from '../domain/actor.js';
import { auditEntry, type AuditEntry, type NewAuditEntry } from '../domain/audit.js';
import type { Page } from '../domain/page.js';
import type { AuditLogRepository } from '../store/audit-log.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/** How often each instance sweeps: deletes are idempotent, so instances need not agree on who does it. */
export const AUDIT_SWEEP_INTERVAL_MS = 60 * 60 * 1000;

export interface AuditLog {
  /** Writes the entry with the actor and the time; never throws (see onLost). */
  record(actor: Actor, entry: NewAuditEntry): Promise<void>;
  /** newest first; a pool's entries only when poolId is given */
  list(query: { poolId?: string | undefined; page: number; limit: number }): Promise<Page<AuditEntry>>;
  /** Deletes entries older than the retention; answers how many. */
  sweep(): Promise<number>;
  /** Sweeps now and then every AUDIT_SWEEP_INTERVAL_MS until the answered stop is called (it waits for a sweep under way). */
  sweepPeriodically(): () => Promise<void>;
}

export interface AuditLogOptions {
  retentionDays: number;
  now: () => number;
  /** an entry that could not be written (it holds no secrets: they are masked before recording) */
  onLost(error: unknown, entry: AuditEntry): void;
  /** a sweep that failed; the next one tries again */
  onSweepFailed(error: unknown): void;
}

export function auditLog(repository: AuditLogRepository, options: AuditLogOptions): AuditLog {
  const sweep = async (): Promise<number> =>
    repository.deleteBefore(new Date(options.now() - options.retentionDays * DAY_MS).toISOString());
  let sweeping: Promise<void> = Promise.resolve();
  const sweepQuietly = (): void => {
    sweeping = sweep().then(
      () => undefined,
      (error: unknown) => options.onSweepFailed(error),
    );
  };
  return {
    async record(actor, entry) {
      const full = auditEntry(actor, entry, new Date(options.now()));
      try {
        await repository.insert(full);
      } catch (error) {
        options.onLost(error, full);
      }
    },
    list: (query) => repository.list(query),
    sweep,
    sweepPeriodically() {
      sweepQuietly();
      const timer = setInterval(sweepQuietly, AUDIT_SWEEP_INTERVAL_MS);
      timer.unref();
      return () => {
        clearInterval(timer);
        return sweeping;
      };
    },
  };
}
