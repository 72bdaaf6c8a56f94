/**
 * The OpenID providers of the pools this instance serves: built on first use, kept in a
 * bounded cache (least recently used out first), and rebuilt when the pool's name or
 * signing keys change. Everything a provider holds is in the store, so any instance
 * can build any pool's provider and they all agree.
 */
import type Provider from 'oidc-provider';
import type { Pool } from '../domain/pool.js';
import type { SigningKeys } from './signing-keys.js';

export interface CachedProvider {
  provider: Provider;
  /** provider.callback(), made once */
  handle: ReturnType<Provider['callback']>;
  issuer: string;
}

interface Entry extends CachedProvider {
  poolName: string;
  revision: string;
  checkedAt: number;
}

export interface PoolProviders {
  forPool(pool: Pool, issuer: string): Promise<CachedProvider>;
  forget(poolId: string): void;
}

export interface PoolProvidersOptions {
  keys: SigningKeys;
  build(pool: Pool, issuer: string, keys: Awaited<ReturnType<SigningKeys['forPool']>>['keys']): Provider;
  maxProviders?: number;
  /** how often a cached provider checks that its keys are still the store's */
  recheckMs?: number;
}

export function poolProviders(options: PoolProvidersOptions): PoolProviders {
  const max = options.maxProviders ?? 200;
  const recheckMs = options.recheckMs ?? 30_000;
  const entries = new Map<string, Entry>();
  const building = new Map<string, Promise<Entry>>();

  async function build(pool: Pool, issuer: string): Promise<Entry> {
    const keySet = await options.keys.forPool(pool.id);
    const provider = options.build(pool, issuer, keySet.keys);
    return { provider, handle: provider.callback(), issuer, poolName: pool.name, revision: keySet.revision, checkedAt: Date.now() };
  }

  function remember(poolId: string, entry: Entry): Entry {
    entries.delete(poolId);
    entries.set(poolId, entry);
    while (entries.size > max) {
      const oldest = entries.keys().next().value;
      if (oldest === undefined) break;
      entries.delete(oldest);
    }
    return entry;
  }

  async function fresh(pool: Pool, issuer: string): Promise<Entry> {
    const cached = entries.get(pool.id);
    if (cached && cached.issuer === issuer && cached.poolName === pool.name) {
      if (Date.now() - cached.checkedAt < recheckMs) return remember(pool.id, cached);
      if ((await options.keys.revision(pool.id)) === cached.revision) {
        cached.checkedAt = Date.now();
        return remember(pool.id, cached);
      }
    }
    return remember(pool.id, await build(pool, issuer));
  }

  return {
    async forPool(pool, issuer) {
      // Concurrent first requests of one pool share one build.
      let pending = building.get(pool.id);
      if (!pending) {
        pending = fresh(pool, issuer).finally(() => building.delete(pool.id));
        building.set(pool.id, pending);
      }
      return pending;
    },
    forget(poolId) {
      entries.delete(poolId);
    },
  };
}
