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
import { actorOf, requirePool, type AppServices, type TypedApp } from '../context.js';
import { AUDIT_MASK, diffFields, plainFields } from '../../domain/audit.js';
import type { Application } from '../../domain/application.js';
import { unwrap } from '../errors.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['applications'], auth: 'admin' as const } });

const appTarget = (appId: string) => ({ type: 'application', id: appId });
/** What an administrator sets on an application; the secret is never part of it. */
const auditedFields = (app: Application) =>
  plainFields({
    name: app.name,
    redirectUris: app.redirectUris,
    postLogoutRedirectUris: app.postLogoutRedirectUris,
    idTokenSigningAlg: app.idTokenSigningAlg,
  });

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
      const created = unwrap(await applications.create(pool.id, request.body));
      await services.audit.record(actorOf(request), {
        action: 'application.create',
        poolId: pool.id,
        target: appTarget(created.id),
        changes: diffFields({}, { ...plainFields({ type: created.type, clientId: created.clientId }), ...auditedFields(created) }),
      });
      return reply.status(201).send(created);
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
      const before = unwrap(await applications.get(pool.id, request.params.appId));
      const updated = unwrap(await applications.update(pool.id, request.params.appId, request.body));
      await services.audit.record(actorOf(request), {
        action: 'application.update',
        poolId: pool.id,
        target: appTarget(updated.id),
        changes: diffFields(auditedFields(before), auditedFields(updated)),
      });
      return updated;
    },
  );

  app.delete(
    '/api/v1/pools/:poolId/applications/:appId',
    { config: docs('Delete an application; its tokens stop working'), schema: { params: ApplicationParams } },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      const before = unwrap(await applications.get(pool.id, request.params.appId));
      unwrap(await applications.delete(pool.id, request.params.appId));
      await services.audit.record(actorOf(request), {
        action: 'application.delete',
        poolId: pool.id,
        target: appTarget(before.id),
        changes: diffFields(auditedFields(before), {}),
      });
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
      const rotated = unwrap(await applications.rotateSecret(pool.id, request.params.appId));
      await services.audit.record(actorOf(request), {
        action: 'application.rotate-secret',
        poolId: pool.id,
        target: appTarget(request.params.appId),
        changes: { clientSecret: { from: AUDIT_MASK, to: AUDIT_MASK } },
      });
      return rotated;
    },
  );
}
