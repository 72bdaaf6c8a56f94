import { Type } from '@sinclair/typebox';
import { PoolParams } from '../schemas/common.js';
import { LoginInput, LoginResponse, RegisterInput, UserResponse } from '../schemas/users.js';
import { bearerToken, requestInfo, requirePool, type AppServices, type TypedApp } from '../context.js';
import { loginAccountQuery } from '../account-query.js';
import { ApiError, unwrap } from '../errors.js';

const docs = (summary: string, auth?: 'user') => ({ docs: { summary, tags: ['end users'], ...(auth ? { auth } : {}) } });

export async function authRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.post(
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

  app.post(
    '/api/v1/pools/:poolId/auth/login',
    { config: docs('Log in'), schema: { params: PoolParams, body: LoginInput, response: { 200: LoginResponse } } },
    async (request) => {
      const query = loginAccountQuery(request.body);
      const pool = await requirePool(services, request.params.poolId);
      const user = unwrap(await services.login(pool, query, request.body.password, requestInfo(request)));
      const token = await services.tokens.issue({ userId: user.id, poolId: pool.id });
      return { user, accessToken: token.accessToken, tokenType: 'Bearer' as const, expiresIn: token.expiresIn };
    },
  );

  app.get(
    '/api/v1/pools/:poolId/auth/me',
    { config: docs('The logged-in user', 'user'), schema: { params: PoolParams, response: { 200: Type.Ref(UserResponse) } } },
    async (request) => {
      const token = bearerToken(request);
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
