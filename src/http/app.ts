/**
 * The HTTP face of the server: Fastify with strict request validation, one error
 * shape, the admin-token guard, and the routes of API.md. It holds no state of its own:
 * everything comes in through AppServices.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { AdminTokenCheck } from '../auth/admin-token.js';
import type { TokenService } from '../auth/tokens.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import type { Pool, PoolsRepository } from '../store/pools.js';
import type { UsersRepository } from '../store/users.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { CustomDbService } from '../custom-db/custom-db-service.js';
import { ApiError, handleError, sendError } from './errors.js';
import { collectOpenApi } from './openapi.js';
import { ErrorResponse } from './schemas/common.js';
import { UserResponse } from './schemas/users.js';
import { createValidatorCompiler } from './validation.js';
import { authRoutes } from './routes/auth.js';
import { consoleRoutes } from './routes/console.js';
import { customDbRoutes } from './routes/custom-db.js';
import { poolRoutes } from './routes/pools.js';
import { systemRoutes } from './routes/system.js';
import { userRoutes } from './routes/users.js';

export interface AppServices {
  pools: PoolsRepository;
  /** The users of a pool, through whichever face its custom database mode selects. */
  directoryFor(pool: Pool): Promise<UserDirectory>;
  customDb: CustomDbService;
  throttle: LoginThrottle;
  /** the local users table, read directly only to key the login throttle */
  users: UsersRepository;
  tokens: TokenService;
  adminToken: AdminTokenCheck;
  publicIps: string[];
  /** true once the own store answers */
  storeReachable(): Promise<boolean>;
}

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
  app.setValidatorCompiler(createValidatorCompiler(SHARED_SCHEMAS));
  // The API speaks JSON only; Fastify would otherwise accept text/plain bodies as strings.
  app.removeContentTypeParser('text/plain');
  app.setErrorHandler(handleError);
  app.setNotFoundHandler((request, reply) =>
    sendError(reply, request, 'NOT_FOUND', `No route for ${request.method} ${request.url.split('?')[0] ?? ''}`),
  );
  for (const schema of SHARED_SCHEMAS) app.addSchema(schema);
  const openApi = collectOpenApi(app, SHARED_SCHEMAS);

  await app.register(async (open) => {
    await systemRoutes(open, services, openApi);
    await authRoutes(open, services);
  });

  await app.register(async (admin) => {
    admin.addHook('onRequest', async (request) => {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
      if (token === '' || !services.adminToken.matches(token)) {
        throw new ApiError('UNAUTHORIZED', 'This endpoint needs Authorization: Bearer <admin token>');
      }
    });
    await poolRoutes(admin, services);
    await userRoutes(admin, services);
    await customDbRoutes(admin, services);
  });

  // The admin console's static files, outside the admin-token guard (the page signs in itself).
  await app.register(consoleRoutes);

  return app;
}

/** The pool named in the path, or a 404 POOL_NOT_FOUND. */
export async function requirePool(services: Pick<AppServices, 'pools'>, poolId: string): Promise<Pool> {
  const pool = await services.pools.get(poolId);
  if (!pool) throw new ApiError('POOL_NOT_FOUND', `No user pool with id ${poolId}`);
  return pool;
}
