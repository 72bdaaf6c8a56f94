import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from '@sinclair/typebox';
import { PoolParams } from '../schemas/common.js';
import { LoginInput, LoginResponse, RegisterInput, UserResponse } from '../schemas/users.js';
import { requirePool, type AppServices } from '../app.js';
import { ApiError, unwrap } from '../errors.js';
import type { NewUserInput, RequestInfo } from '../../users/user-directory.js';
import { accountQueryFrom, type AccountQuery } from '../../users/user.js';
import { singleAccountQuery } from './users.js';
import { accountKeyFor } from '../../auth/login-throttle.js';

const docs = (summary: string, auth?: 'user') => ({ docs: { summary, tags: ['end users'], ...(auth ? { auth } : {}) } });

export const requestInfo = (request: FastifyRequest): RequestInfo => ({
  ip: request.ip ?? null,
  userAgent: request.headers['user-agent'] ?? null,
});

function loginQuery(body: LoginInput): AccountQuery {
  const { account, password: _password, ...keys } = body;
  if (account !== undefined) {
    if (Object.keys(keys).length > 0) {
      throw new ApiError('VALIDATION_ERROR', 'body must have account or one of email, username, phone, not both');
    }
    return accountQueryFrom(account);
  }
  return singleAccountQuery(keys, 'body');
}

export async function authRoutes(app: FastifyInstance, services: AppServices): Promise<void> {
  app.post<{ Params: PoolParams; Body: NewUserInput & { password: string } }>(
    '/api/v1/pools/:poolId/auth/register',
    {
      config: docs('Sign up'),
      schema: {
        params: PoolParams,
        body: RegisterInput,
        response: { 201: Type.Object({ user: Type.Ref(UserResponse) }) },
      },
    },
    async (request, reply) => {
      const body = request.body;
      if (!body.email && !body.username && !body.phone) {
        throw new ApiError('VALIDATION_ERROR', 'body must have at least one of email, username, phone');
      }
      const directory = await services.directoryFor(await requirePool(services, request.params.poolId));
      const user = unwrap(await directory.register(body, requestInfo(request)));
      return reply.status(201).send({ user });
    },
  );

  app.post<{ Params: PoolParams; Body: LoginInput }>(
    '/api/v1/pools/:poolId/auth/login',
    { config: docs('Log in'), schema: { params: PoolParams, body: LoginInput, response: { 200: LoginResponse } } },
    async (request) => {
      const query = loginQuery(request.body);
      const pool = await requirePool(services, request.params.poolId);
      const info = requestInfo(request);
      // Throttle: counted before the password is checked (see auth/login-throttle.ts).
      const accountKey = await accountKeyFor(services.users, pool.id, query);
      const verdict = await services.throttle.begin(pool.id, accountKey, info.ip);
      if (!verdict.allowed) {
        throw new ApiError('TOO_MANY_ATTEMPTS', 'Too many failed logins; try again later', {
          'retry-after': String(verdict.retryAfterSeconds),
        });
      }
      const directory = await services.directoryFor(pool);
      const result = await directory.login(query, request.body.password, info);
      if (result.ok) await services.throttle.succeeded(verdict.attempt);
      const user = unwrap(result);
      const token = await services.tokens.issue({ userId: user.id, poolId: pool.id });
      return { user, accessToken: token.accessToken, tokenType: 'Bearer' as const, expiresIn: token.expiresIn };
    },
  );

  app.get<{ Params: PoolParams }>(
    '/api/v1/pools/:poolId/auth/me',
    { config: docs('The logged-in user', 'user'), schema: { params: PoolParams, response: { 200: Type.Ref(UserResponse) } } },
    async (request) => {
      const header = request.headers.authorization ?? '';
      const token = header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
      const claims = token === '' ? undefined : await services.tokens.verify(token);
      if (!claims || claims.poolId !== request.params.poolId) {
        throw new ApiError('UNAUTHORIZED', 'This endpoint needs Authorization: Bearer <access token> for this pool');
      }
      const directory = await services.directoryFor(await requirePool(services, claims.poolId));
      const user = unwrap(await directory.find({ id: claims.userId }));
      if (!user) throw new ApiError('UNAUTHORIZED', 'The user of this access token no longer exists');
      return user;
    },
  );
}
