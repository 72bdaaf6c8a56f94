import { Type } from '@sinclair/typebox';
import { PageQuery, PoolParams } from '../schemas/common.js';
import { FindQuery, PasswordToCheck, SearchQuery, UserInput, UserPage, UserParams, UserResponse } from '../schemas/users.js';
import { actorOf, requirePool, type AppServices, type TypedApp } from '../context.js';
import { setFields } from '../../domain/audit.js';
import { ApiError, unwrap } from '../errors.js';
import { singleAccountQuery } from '../account-query.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['users'], auth: 'admin' as const } });
const UserRef = Type.Ref(UserResponse);
const VerifyInput = Type.Object({ password: PasswordToCheck }, { additionalProperties: false });
const UserPatch = Type.Object(UserInput.properties, { additionalProperties: false, minProperties: 1 });
/** Profile values an administrator set are recorded as they are; a password reads as the mask. */
const userChanges = (body: Record<string, unknown>) => setFields(body, ['password']);
const userTarget = (userId: string) => ({ type: 'user', id: userId });

export async function userRoutes(app: TypedApp, services: AppServices): Promise<void> {
  const directory = async (poolId: string) => services.directoryFor(await requirePool(services, poolId));

  app.get(
    '/api/v1/pools/:poolId/users',
    { config: docs('List users'), schema: { params: PoolParams, querystring: PageQuery, response: { 200: UserPage } } },
    async (request) => unwrap(await (await directory(request.params.poolId)).list(request.query.page, request.query.limit)),
  );

  app.get(
    '/api/v1/pools/:poolId/users/search',
    {
      config: docs('Search users by email, username, phone or nickname'),
      schema: { params: PoolParams, querystring: SearchQuery, response: { 200: UserPage } },
    },
    async (request) => {
      const { keyword, page, limit } = request.query;
      return unwrap(await (await directory(request.params.poolId)).search(keyword, page, limit));
    },
  );

  app.get(
    '/api/v1/pools/:poolId/users/find',
    {
      config: docs('Find one user by email, username or phone'),
      schema: { params: PoolParams, querystring: FindQuery, response: { 200: UserRef } },
    },
    async (request) => {
      const query = singleAccountQuery(request.query, 'querystring');
      const user = unwrap(await (await directory(request.params.poolId)).find(query));
      if (!user) throw new ApiError('USER_NOT_FOUND', 'No user matches this query');
      return user;
    },
  );

  app.get(
    '/api/v1/pools/:poolId/users/:userId',
    { config: docs('Get a user'), schema: { params: UserParams, response: { 200: UserRef } } },
    async (request) => {
      const { poolId, userId } = request.params;
      const user = unwrap(await (await directory(poolId)).find({ id: userId }));
      if (!user) throw new ApiError('USER_NOT_FOUND', `No user with id ${userId} in this pool`);
      return user;
    },
  );

  app.post(
    '/api/v1/pools/:poolId/users',
    { config: docs('Create a user'), schema: { params: PoolParams, body: UserInput, response: { 201: UserRef } } },
    async (request, reply) => {
      const { poolId } = request.params;
      const user = unwrap(await (await directory(poolId)).create(request.body, null));
      await services.audit.record(actorOf(request), { action: 'user.create', poolId, target: userTarget(user.id), changes: userChanges(request.body) });
      return reply.status(201).send(user);
    },
  );

  app.patch(
    '/api/v1/pools/:poolId/users/:userId',
    {
      config: docs('Update a user; a password field sets a new password'),
      schema: { params: UserParams, body: UserPatch, response: { 200: UserRef } },
    },
    async (request) => {
      const { poolId, userId } = request.params;
      const user = unwrap(await (await directory(poolId)).update(userId, request.body));
      // Blocking is the change an investigation looks for: it gets its own action.
      const action = request.body.blocked === true ? 'user.block' : request.body.blocked === false ? 'user.unblock' : 'user.update';
      await services.audit.record(actorOf(request), { action, poolId, target: userTarget(userId), changes: userChanges(request.body) });
      return user;
    },
  );

  app.delete(
    '/api/v1/pools/:poolId/users/:userId',
    { config: docs('Delete a user'), schema: { params: UserParams } },
    async (request, reply) => {
      const { poolId, userId } = request.params;
      unwrap(await (await directory(poolId)).delete(userId));
      await services.audit.record(actorOf(request), { action: 'user.delete', poolId, target: userTarget(userId) });
      return reply.status(204).send();
    },
  );

  app.post(
    '/api/v1/pools/:poolId/users/:userId/verify-password',
    {
      config: docs("Check a user's password"),
      schema: { params: UserParams, body: VerifyInput, response: { 200: Type.Object({ valid: Type.Boolean() }) } },
    },
    async (request) => {
      const { poolId, userId } = request.params;
      return { valid: unwrap(await (await directory(poolId)).verifyPassword(userId, request.body.password)) };
    },
  );
}
