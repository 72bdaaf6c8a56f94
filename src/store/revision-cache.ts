/**
 * The custom-db repository with connection revisions answered from memory: a login asks
 * "has this pool's connection changed?" on every request, and with a change feed the
 * answer is known without asking the store (see feed-cache.ts for when it still asks).
 * A save announces itself on the feed, so every instance drops that pool's entry.
 */
import type { ChangeFeed } from './change-feed.js';
import type { CustomDbRepository } from './custom-db.js';
import { feedCache, type FeedCacheOptions } from './feed-cache.js';

export function withRevisionCache(repository: CustomDbRepository, feed: ChangeFeed, options: FeedCacheOptions = {}): CustomDbRepository {
  const revisions = feedCache<number | undefined>(feed, 'custom_db', options);
  return {
    ...repository,
    revision: (poolId) => revisions.read(poolId, () => repository.revision(poolId)),
    async save(save) {
      const outcome = await repository.save(save);
      if (outcome.saved) await feed.announce('custom_db', save.poolId);
      return outcome;
    },
  };
}
