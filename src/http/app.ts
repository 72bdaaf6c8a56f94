/**
 * The HTTP face of the server: Fastify with strict request validation, one error
 * shape, the admin-token guard, and the routes of API.md. It holds no state of its own:
 * everything comes in through AppServices.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { ApiError, handleError, sendError } from './errors.js';
import { collectOpenApi } from './openapi.js';
import { ErrorResponse } from './schemas/common.js';
import { UserResponse } from './schemas/users.js';
import { createValidatorCompiler } from './validation.js';
import { bearerToken, type AppServices } from './context.js';
import { assertWithinScope } from './admin-scope.js';
import { adminKeyRoutes } from './routes/admin-keys.js';
import { auditRoutes } from './routes/audit.js';
import { applicationRoutes } from './routes/applications.js';
import { authRoutes } from './routes/auth.js';
import { signingKeyRoutes } from './routes/signing-keys.js';
import { consoleRoutes } from './routes/console.js';
import { customDbRoutes } from './routes/custom-db.js';
import { emailAdminRoutes, emailRoutes } from './routes/email.js';
import { jobRoutes } from './routes/jobs.js';
import { userImportRoutes } from './routes/user-import.js';
import { poolRoutes } from './routes/pools.js';
import { systemRoutes } from './routes/system.js';
import { userRoutes } from './routes/users.js';
import { metricsRoutes, poolStatsRoutes } from './routes/metrics.js';
import { UNMATCHED_ROUTE } from '../metrics/metrics.js';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** largest accepted request body; scripts make a custom-db save the biggest request */
  bodyLimit?: number;
  /** behind a load balancer: which proxies' X-Forwarded-For to believe for the client address */
  trustProxy?: boolean | string[];
}

const SHARED_SCHEMAS = [ErrorResponse, UserResponse];

export interface AdminRoute {
  method: string;
  url: string;
}

const adminRoutesByApp = new WeakMap<FastifyInstance, AdminRoute[]>();

/** Every route behind the admin guard, as registered (tests walk them all with a scoped key). */
export function adminRoutesOf(app: FastifyInstance): readonly AdminRoute[] {
  return adminRoutesByApp.get(app) ?? [];
}

export async function buildApp(services: AppServices, options: AppOptions = {}): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimit ?? 1024 * 1024,
    genReqId: () => randomUUID(),
    trustProxy: options.trustProxy ?? false,
    // Fastify answers 503 to requests still arriving during close(); in-flight ones finish.
    return503OnClosing: true,
    routerOptions: { ignoreTrailingSlash: true },
  });
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(createValidatorCompiler(SHARED_SCHEMAS));
  // The API speaks JSON only; Fastify would otherwise accept text/plain bodies as strings.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  const openApi = collectOpenApi(app, SHARED_SCHEMAS);
  // Labelled by the route's pattern, never the raw path: user ids and 404 probes add no series.
  app.addHook('onResponse', async (request, reply) => {
    services.metrics.httpRequest(request.method, request.routeOptions.url ?? UNMATCHED_ROUTE, reply.statusCode, reply.elapsedTime);
  });

  await typed.register(async (open) => {
    await systemRoutes(open, services, openApi);
    await authRoutes(open, services);
    await emailRoutes(open, services);
    await metricsRoutes(open, services);
  });

  const adminRoutes: AdminRoute[] = [];
  adminRoutesByApp.set(app, adminRoutes);
  await typed.register(async (admin) => {
    admin.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD') adminRoutes.push({ method, url: route.url });
    });
    // Before the body is read: an unknown or revoked key, or a scoped key outside its
    // pool, is refused without the request going any further.
    admin.addHook('onRequest', async (request) => {
      const actor = await services.adminKeys.resolve(bearerToken(request));
      if (!actor) throw new ApiError('UNAUTHORIZED', 'This endpoint needs Authorization: Bearer <admin token or admin key>');
      request.adminActor = actor;
      assertWithinScope(actor, request);
    });
    await poolRoutes(admin, services);
    await userRoutes(admin, services);
    await customDbRoutes(admin, services);
    await applicationRoutes(admin, services);
    await signingKeyRoutes(admin, services);
    await emailAdminRoutes(admin, services);
    await adminKeyRoutes(admin, services);
    await auditRoutes(admin, services);
    await poolStatsRoutes(admin, services);
    await jobRoutes(admin, services);
    await userImportRoutes(admin, services);
  });

  // OpenID Connect per pool and its hosted pages: HTML and OAuth, not the JSON API.
  await app.register(services.oidc.routes);

  // The admin console's static files, outside the admin-token guard (the page signs in itself).
  await app.register(consoleRoutes);

  return app;
}
