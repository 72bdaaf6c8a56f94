import { PageQuery, PoolParams } from '../schemas/common.js';
import {
  ApplicationInput,
  ApplicationPage,
  ApplicationParams,
  ApplicationPatch,
  ApplicationResponse,
  CreatedApplicationResponse,
  RotatedSecretResponse,
} from '../schemas/applications.js';
import { requirePool, type AppServices, type TypedApp } from '../context.js';
import { unwrap } from '../errors.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['applications'], auth: 'admin' as const } });

export async function applicationRoutes(app: TypedApp, services: AppServices): Promise<void> {
  const { applications } = services;

  app.post(
    '/api/v1/pools/:poolId/applications',
    {
      config: docs('Register an application (the secret is answered once)'),
      schema: { params: PoolParams, body: ApplicationInput, response: { 201: CreatedApplicationResponse } },
    },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      return reply.status(201).send(unwrap(await applications.create(pool.id, request.body)));
    },
  );

  app.get(
    '/api/v1/pools/:poolId/applications',
    { config: docs('List applications'), schema: { params: PoolParams, querystring: PageQuery, response: { 200: ApplicationPage } } },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return applications.list(pool.id, request.query.page, request.query.limit);
    },
  );

  app.get(
    '/api/v1/pools/:poolId/applications/:appId',
    { config: docs('Get an application'), schema: { params: ApplicationParams, response: { 200: ApplicationResponse } } },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return unwrap(await applications.get(pool.id, request.params.appId));
    },
  );

  app.patch(
    '/api/v1/pools/:poolId/applications/:appId',
    {
      config: docs('Rename an application or change its URIs'),
      schema: { params: ApplicationParams, body: ApplicationPatch, response: { 200: ApplicationResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return unwrap(await applications.update(pool.id, request.params.appId, request.body));
    },
  );

  app.delete(
    '/api/v1/pools/:poolId/applications/:appId',
    { config: docs('Delete an application; its tokens stop working'), schema: { params: ApplicationParams } },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      unwrap(await applications.delete(pool.id, request.params.appId));
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/pools/:poolId/applications/:appId/rotate-secret',
    {
      config: docs('Replace the secret of a web or m2m application (answered once)'),
      schema: { params: ApplicationParams, response: { 200: RotatedSecretResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return unwrap(await applications.rotateSecret(pool.id, request.params.appId));
    },
  );
}
