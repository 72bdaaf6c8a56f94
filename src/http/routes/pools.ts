import { PageQuery, PoolParams } from '../schemas/common.js';
import { PoolInput, PoolPage, PoolPatch, PoolResponse } from '../schemas/pools.js';
import { actorOf, requirePool, type AppServices, type TypedApp } from '../context.js';
import { ApiError } from '../errors.js';
import { diffFields, plainFields } from '../../domain/audit.js';
import type { Pool } from '../../domain/pool.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['pools'], auth: 'admin' as const } });

const poolTarget = (poolId: string) => ({ type: 'pool', id: poolId });
const auditedFields = (pool: Pool) => plainFields({ name: pool.name, metadata: pool.metadata });

/** Metadata is echoed into scripts and responses; only plain JSON survives a round trip. */
function assertJsonMetadata(metadata: Record<string, unknown> | undefined): void {
  if (metadata !== undefined && JSON.stringify(metadata).length > 16 * 1024) {
    throw new ApiError('VALIDATION_ERROR', 'body.metadata must be at most 16 KiB of JSON');
  }
}

export async function poolRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.post(
    '/api/v1/pools',
    { config: docs('Create a user pool'), schema: { body: PoolInput, response: { 201: PoolResponse } } },
    async (request, reply) => {
      assertJsonMetadata(request.body.metadata);
      const pool = await services.pools.create({ name: request.body.name, metadata: request.body.metadata ?? {} });
      await services.audit.record(actorOf(request), {
        action: 'pool.create',
        poolId: pool.id,
        target: poolTarget(pool.id),
        changes: diffFields({}, auditedFields(pool)),
      });
      return reply.status(201).send(pool);
    },
  );

  app.get(
    '/api/v1/pools',
    {
      config: { ...docs("List user pools (a pool-scoped key sees its own pool only)"), openToScopedKeys: true },
      schema: { querystring: PageQuery, response: { 200: PoolPage } },
    },
    async (request) => {
      const scope = actorOf(request).poolId;
      if (scope === undefined) return services.pools.list(request.query.page, request.query.limit);
      const own = await services.pools.get(scope);
      const all = own ? [own] : [];
      return { totalCount: all.length, list: request.query.page === 1 ? all : [] };
    },
  );

  app.get(
    '/api/v1/pools/:poolId',
    { config: docs('Get a user pool'), schema: { params: PoolParams, response: { 200: PoolResponse } } },
    async (request) => requirePool(services, request.params.poolId),
  );

  app.patch(
    '/api/v1/pools/:poolId',
    {
      config: docs('Rename a user pool or replace its metadata'),
      schema: { params: PoolParams, body: PoolPatch, response: { 200: PoolResponse } },
    },
    async (request) => {
      assertJsonMetadata(request.body.metadata);
      const before = await requirePool(services, request.params.poolId);
      const pool = await services.pools.update(request.params.poolId, request.body);
      if (!pool) throw new ApiError('POOL_NOT_FOUND', `No user pool with id ${request.params.poolId}`);
      await services.audit.record(actorOf(request), {
        action: 'pool.update',
        poolId: pool.id,
        target: poolTarget(pool.id),
        changes: diffFields(auditedFields(before), auditedFields(pool)),
      });
      return pool;
    },
  );

  app.delete(
    '/api/v1/pools/:poolId',
    { config: docs('Delete a user pool and its local users'), schema: { params: PoolParams } },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      if (!(await services.pools.delete(pool.id))) {
        throw new ApiError('POOL_NOT_FOUND', `No user pool with id ${request.params.poolId}`);
      }
      await services.audit.record(actorOf(request), {
        action: 'pool.delete',
        poolId: pool.id,
        target: poolTarget(pool.id),
        changes: diffFields(auditedFields(pool), {}),
      });
      return reply.status(204).send();
    },
  );
}
