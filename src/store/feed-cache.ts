/**
 * Values read from the store, kept per key while a change feed vouches that nothing
 * changed: an entry is dropped when its key is announced, everything when the feed missed
 * notices, nothing is trusted while the feed is not live (reads go through), and an entry
 * is re-read once `maxAgeMs` old, which bounds how long an instance could serve a stale
 * value if a notice were ever lost in a way the feed cannot see (its write committed, its
 * NOTIFY failed; a write by a tool that does not announce).
 */
import type { ChangeFeed, ChangeTopic } from './change-feed.js';

/** Entries kept at most; beyond it the map starts over (a read each, then kept again). */
const ENTRIES_KEPT = 100_000;
const DEFAULT_MAX_AGE_MS = 10_000;

export interface FeedCacheOptions {
  maxAgeMs?: number;
  now?: () => number;
}

export interface FeedCache<V> {
  /** The kept value of `key`, or `load()`'s, kept when `keep` says so and no notice came in meanwhile. */
  read(key: string, load: () => Promise<V>, keep?: (value: V) => boolean): Promise<V>;
}

export function feedCache<V>(feed: ChangeFeed, topic: ChangeTopic, options: FeedCacheOptions = {}): FeedCache<V> {
  const maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
  const now = options.now ?? Date.now;
  const kept = new Map<string, { value: V; readAt: number }>();
  // Bumped by every notice: a read that overlapped one may have seen the old row, so it is not kept.
  let notices = 0;
  feed.subscribe(topic, (key) => {
    notices++;
    if (key === null) kept.clear();
    else kept.delete(key);
  });

  return {
    async read(key, load, keep = () => true) {
      const entry = kept.get(key);
      if (feed.live && entry !== undefined && now() - entry.readAt < maxAgeMs) return entry.value;
      const noticesBefore = notices;
      const wasLive = feed.live;
      const readAt = now();
      const value = await load();
      if (wasLive && feed.live && notices === noticesBefore && keep(value)) {
        if (kept.size >= ENTRIES_KEPT) kept.clear();
        kept.set(key, { value, readAt });
      }
      return value;
    },
  };
}
