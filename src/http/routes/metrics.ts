/**
 * `GET /metrics` for Prometheus (its own bearer, GATEHOUSE_METRICS_TOKEN, or the admin
 * token when that is unset) and the console's per-minute pool stats (admin).
 */
import { ApiError } from '../errors.js';
import { PoolParams } from '../schemas/common.js';
import { PoolStatsQuery, PoolStatsResponse, STATS_WINDOWS } from '../schemas/metrics.js';
import { bearerToken, requirePool, type AppServices, type TypedApp } from '../context.js';

export async function metricsRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.get(
    '/metrics',
    {
      config: { docs: { summary: 'Prometheus metrics (bearer: GATEHOUSE_METRICS_TOKEN, or the admin token when unset)', tags: ['system'] } },
      onRequest: async (request) => {
        const token = bearerToken(request);
        if (token === '' || !services.metricsToken.matches(token)) {
          throw new ApiError('UNAUTHORIZED', 'This endpoint needs Authorization: Bearer <metrics token> (the admin token when GATEHOUSE_METRICS_TOKEN is unset)');
        }
      },
    },
    async (_request, reply) => reply.type(services.metrics.contentType).send(await services.metrics.text()),
  );
}

export async function poolStatsRoutes(admin: TypedApp, services: AppServices): Promise<void> {
  admin.get(
    '/api/v1/pools/:poolId/stats',
    {
      config: { docs: { summary: "Per-minute logins, script latency and migration of a pool (this instance's, in memory)", tags: ['pools'], auth: 'admin' } },
      schema: { params: PoolParams, querystring: PoolStatsQuery, response: { 200: PoolStatsResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      const { window } = request.query;
      const { migratedUsers } = await services.customDb.migration(pool.id);
      return {
        window,
        bucketSeconds: 60,
        scope: 'instance' as const,
        minutes: services.metrics.pools.series(pool.id, STATS_WINDOWS[window]),
        migratedUsers,
      };
    },
  );
}
