/**
 * The pools repository with `get` answered from memory while the change feed vouches that
 * the pool did not change (see feed-cache.ts): every request of a pool's API reads its pool
 * first. Updates and deletes announce themselves, so every instance drops its copy. Only
 * found pools are kept: ids nobody created must not fill the memory.
 */
import type { ChangeFeed } from './change-feed.js';
import type { PoolsRepository } from './pools.js';
import { feedCache, type FeedCacheOptions } from './feed-cache.js';
import type { Pool } from '../domain/pool.js';

export function withPoolCache(repository: PoolsRepository, feed: ChangeFeed, options: FeedCacheOptions = {}): PoolsRepository {
  const pools = feedCache<Pool | undefined>(feed, 'pools', options);
  return {
    ...repository,
    // A copy each time: a caller changing its pool object must not change everyone's.
    get: async (id) => {
      const pool = await pools.read(id, () => repository.get(id), (found) => found !== undefined);
      return pool && { ...pool, metadata: structuredClone(pool.metadata) };
    },
    async update(id, changes) {
      const updated = await repository.update(id, changes);
      await feed.announce('pools', id);
      return updated;
    },
    async delete(id) {
      const deleted = await repository.delete(id);
      await feed.announce('pools', id);
      return deleted;
    },
  };
}
