/**
 * The custom-db repository with connection revisions answered from memory: a login asks
 * "has this pool's connection changed?" on every request, and with a change feed the
 * answer is known without asking the store. A save announces itself on the feed (every
 * instance drops that pool's entry); while the feed is not live (PostgreSQL listener
 * down), revisions are read through as before. An entry is also re-read once it is
 * `maxAgeMs` old, which bounds how long an instance could serve a stale connection if a
 * notice were ever lost in a way the feed cannot see (its write committed, its NOTIFY
 * failed).
 */
import type { ChangeFeed } from './change-feed.js';
import type { CustomDbRepository } from './custom-db.js';

/** Pools whose revision is kept at most; beyond it the map starts over (a read each, then cached again). */
const REVISIONS_KEPT = 100_000;
const DEFAULT_MAX_AGE_MS = 10_000;

export interface RevisionCacheOptions {
  maxAgeMs?: number;
  now?: () => number;
}

export function withRevisionCache(repository: CustomDbRepository, feed: ChangeFeed, options: RevisionCacheOptions = {}): CustomDbRepository {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const known = new Map<string, { revision: number | undefined; readAt: number }>();
  // Bumped by every notice: a read that overlapped one may have seen the old row, so it is not kept.
  let notices = 0;
  feed.subscribe('custom_db', (key) => {
    notices++;
    if (key === null) known.clear();
    else known.delete(key);
  });

  return {
    ...repository,
    async revision(poolId) {
      const cached = known.get(poolId);
      if (feed.live && cached !== undefined && now() - cached.readAt < maxAgeMs) return cached.revision;
      const noticesBefore = notices;
      const wasLive = feed.live;
      const readAt = now();
      const revision = await repository.revision(poolId);
      if (wasLive && feed.live && notices === noticesBefore) {
        if (known.size >= REVISIONS_KEPT) known.clear();
        known.set(poolId, { revision, readAt });
      }
      return revision;
    },
    async save(row) {
      await repository.save(row);
      await feed.announce('custom_db', row.pool_id);
    },
  };
}
