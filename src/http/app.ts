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
import { bearerToken, OWNER, type AppServices } from './context.js';
import { applicationRoutes } from './routes/applications.js';
import { authRoutes } from './routes/auth.js';
import { signingKeyRoutes } from './routes/signing-keys.js';
import { consoleRoutes } from './routes/console.js';
import { customDbRoutes } from './routes/custom-db.js';
import { emailAdminRoutes, emailRoutes } from './routes/email.js';
import { jobRoutes } from './routes/jobs.js';
import { poolRoutes } from './routes/pools.js';
import { systemRoutes } from './routes/system.js';
import { userRoutes } from './routes/users.js';

export interface AppOptions {
  logger?: FastifyServerOptions['logger'];
  /** largest accepted request body; scripts make a custom-db save the biggest request */
  bodyLimit?: number;
  /** behind a load balancer: which proxies' X-Forwarded-For to believe for the client address */
  trustProxy?: boolean | string[];
}

const SHARED_SCHEMAS = [ErrorResponse, UserResponse];

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

  await typed.register(async (open) => {
    await systemRoutes(open, services, openApi);
    await authRoutes(open, services);
    await emailRoutes(open, services);
  });

  await typed.register(async (admin) => {
    admin.addHook('onRequest', async (request) => {
      const token = bearerToken(request);
      if (token === '' || !services.adminToken.matches(token)) {
        throw new ApiError('UNAUTHORIZED', 'This endpoint needs Authorization: Bearer <admin token>');
      }
      request.adminActor = OWNER;
    });
    await poolRoutes(admin, services);
    await userRoutes(admin, services);
    await customDbRoutes(admin, services);
    await applicationRoutes(admin, services);
    await signingKeyRoutes(admin, services);
    await emailAdminRoutes(admin, services);
    await jobRoutes(admin, services);
  });

  // OpenID Connect per pool and its hosted pages: HTML and OAuth, not the JSON API.
  await app.register(services.oidc.routes);

  // The admin console's static files, outside the admin-token guard (the page signs in itself).
  await app.register(consoleRoutes);

  return app;
}
