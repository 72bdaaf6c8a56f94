/**
 * The console's time series: per pool, per minute, logins by outcome, a histogram of
 * script latencies, and users migrated and imported. Prometheus counters have no history
 * and the console has no Prometheus, so each instance keeps the last day of minutes in
 * memory (sparse: a minute without activity costs nothing). Per instance: with several
 * instances, each answers for the traffic it served, and a restart starts afresh.
 */
import { LATENCY_BUCKETS_MS, LOGIN_OUTCOMES, type LoginOutcome } from './labels.js';

const MINUTE_MS = 60_000;
/** How far back minutes are kept; the longest window the stats endpoint offers. */
export const RETENTION_MINUTES = 24 * 60;

interface MinuteBucket {
  logins: Record<LoginOutcome, number>;
  /** counts per LATENCY_BUCKETS_MS bound, plus one for slower calls */
  latency: number[];
  migrated: number;
  imported: number;
}

/** One minute as the stats endpoint answers it. */
export interface MinuteStats {
  /** start of the minute, ISO-8601 */
  at: string;
  logins: Record<LoginOutcome, number>;
  scriptCalls: number;
  /** null in a minute without script calls */
  latencyMs: { p50: number | null; p99: number | null };
  migrated: number;
  imported: number;
}

const emptyLogins = (): Record<LoginOutcome, number> =>
  Object.fromEntries(LOGIN_OUTCOMES.map((outcome) => [outcome, 0])) as Record<LoginOutcome, number>;

const emptyBucket = (): MinuteBucket => ({
  logins: emptyLogins(),
  latency: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0),
  migrated: 0,
  imported: 0,
});

/**
 * The q-quantile (0..1) of a histogram, interpolated linearly inside the bucket it falls
 * in, as Prometheus' `histogram_quantile` does; a quantile in the open-ended bucket
 * answers the highest bound. Null for an empty histogram.
 */
export function quantileMs(counts: readonly number[], q: number): number | null {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = q * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i] ?? 0;
    if (count > 0 && below + count >= rank) {
      const upper = LATENCY_BUCKETS_MS[i];
      if (upper === undefined) return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1] ?? null;
      const lower = i === 0 ? 0 : (LATENCY_BUCKETS_MS[i - 1] ?? 0);
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return null;
}

/** The index of the latency bucket a duration falls in (the last one is open-ended). */
function bucketIndex(durationMs: number): number {
  const index = LATENCY_BUCKETS_MS.findIndex((bound) => durationMs <= bound);
  return index === -1 ? LATENCY_BUCKETS_MS.length : index;
}

export interface PoolStats {
  login(poolId: string, outcome: LoginOutcome): void;
  scriptCall(poolId: string, durationMs: number): void;
  migrated(poolId: string, count: number): void;
  imported(poolId: string, count: number): void;
  /** Every minute of the last `minutes` up to now, oldest first, quiet minutes included. */
  series(poolId: string, minutes: number): MinuteStats[];
}

export function poolStats(now: () => number): PoolStats {
  /** pool id → minute number (ms / 60 000) → bucket; minutes are added in time order */
  const pools = new Map<string, Map<number, MinuteBucket>>();
  let sweptAt = Number.NEGATIVE_INFINITY;

  const bucketFor = (poolId: string): MinuteBucket => {
    const minute = Math.floor(now() / MINUTE_MS);
    let minutes = pools.get(poolId);
    if (minutes === undefined) {
      minutes = new Map();
      pools.set(poolId, minutes);
    }
    let bucket = minutes.get(minute);
    if (bucket === undefined) {
      bucket = emptyBucket();
      minutes.set(minute, bucket);
      if (minute > sweptAt) sweep(minute);
    }
    return bucket;
  };

  /** Drops minutes past the retention, every pool's, once per minute of activity. */
  const sweep = (currentMinute: number): void => {
    sweptAt = currentMinute;
    const oldest = currentMinute - RETENTION_MINUTES;
    for (const [poolId, minutes] of pools) {
      for (const minute of minutes.keys()) {
        if (minute > oldest) break;
        minutes.delete(minute);
      }
      if (minutes.size === 0) pools.delete(poolId);
    }
  };

  return {
    login(poolId, outcome) {
      bucketFor(poolId).logins[outcome]++;
    },
    scriptCall(poolId, durationMs) {
      const latency = bucketFor(poolId).latency;
      const index = bucketIndex(durationMs);
      latency[index] = (latency[index] ?? 0) + 1;
    },
    migrated(poolId, count) {
      bucketFor(poolId).migrated += count;
    },
    imported(poolId, count) {
      bucketFor(poolId).imported += count;
    },
    series(poolId, minutes) {
      const current = Math.floor(now() / MINUTE_MS);
      const kept = pools.get(poolId);
      const span = Math.min(Math.max(1, Math.floor(minutes)), RETENTION_MINUTES);
      const answer: MinuteStats[] = [];
      for (let minute = current - span + 1; minute <= current; minute++) {
        const bucket = kept?.get(minute) ?? emptyBucket();
        answer.push({
          at: new Date(minute * MINUTE_MS).toISOString(),
          logins: { ...bucket.logins },
          scriptCalls: bucket.latency.reduce((sum, count) => sum + count, 0),
          latencyMs: { p50: quantileMs(bucket.latency, 0.5), p99: quantileMs(bucket.latency, 0.99) },
          migrated: bucket.migrated,
          imported: bucket.imported,
        });
      }
      return answer;
    },
  };
}
