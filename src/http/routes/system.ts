import { Type } from '@sinclair/typebox';
import type { AppServices, TypedApp } from '../context.js';
import { ApiError } from '../errors.js';
import type { OpenApiCollector } from '../openapi.js';

export async function systemRoutes(app: TypedApp, services: AppServices, openApi: OpenApiCollector): Promise<void> {
  app.get(
    '/healthz',
    {
      config: { docs: { summary: 'Liveness and store reachability', tags: ['system'] } },
      schema: { response: { 200: Type.Object({ status: Type.Literal('ok') }) } },
    },
    async () => {
      if (!(await services.storeReachable())) throw new ApiError('SERVICE_UNAVAILABLE', 'The store is not reachable');
      return { status: 'ok' as const };
    },
  );

  app.get(
    '/api/system/public-ips',
    {
      config: { docs: { summary: 'Egress addresses a firewall in front of a custom database must allow', tags: ['system'] } },
      schema: { response: { 200: Type.Object({ ips: Type.Array(Type.String()) }) } },
    },
    async () => ({ ips: services.publicIps }),
  );

  app.get(
    '/.well-known/jwks.json',
    { config: { docs: { summary: 'Public keys that verify access tokens', tags: ['auth'] } } },
    async (_request, reply) => {
      reply.header('cache-control', 'public, max-age=300');
      return services.tokens.jwks();
    },
  );

  app.get('/api/openapi.json', { config: { docs: { summary: 'This document', tags: ['system'] } } }, async () =>
    openApi.document(),
  );
}
