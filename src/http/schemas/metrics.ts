import { Type, type Static } from '@sinclair/typebox';
import { LOGIN_OUTCOMES } from '../../metrics/labels.js';
import { Nullable } from './common.js';

/** The windows the console's charts offer, in minutes. */
export const STATS_WINDOWS = { '15m': 15, '1h': 60, '6h': 360, '24h': 1440 } as const;
export type StatsWindow = keyof typeof STATS_WINDOWS;

export const PoolStatsQuery = Type.Object(
  {
    window: Type.Union(
      (Object.keys(STATS_WINDOWS) as StatsWindow[]).map((window) => Type.Literal(window)),
      { default: '1h', description: 'how far back: 15m, 1h, 6h or 24h' },
    ),
  },
  { additionalProperties: false },
);
export type PoolStatsQuery = Static<typeof PoolStatsQuery>;

const Count = Type.Integer({ minimum: 0 });

export const MinuteStats = Type.Object({
  at: Type.String({ format: 'date-time', description: 'start of the minute' }),
  logins: Type.Object(Object.fromEntries(LOGIN_OUTCOMES.map((outcome) => [outcome, Count])) as Record<(typeof LOGIN_OUTCOMES)[number], typeof Count>),
  scriptCalls: Count,
  latencyMs: Type.Object({ p50: Nullable(Type.Number()), p99: Nullable(Type.Number()) }),
  migrated: Count,
  imported: Count,
});

export const PoolStatsResponse = Type.Object({
  window: Type.String(),
  bucketSeconds: Type.Integer(),
  /** kept per instance, in memory: the instance that answered, since it started */
  scope: Type.Literal('instance'),
  minutes: Type.Array(MinuteStats),
  migratedUsers: Count,
});
