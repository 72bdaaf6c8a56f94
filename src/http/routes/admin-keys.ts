import { AdminKeyInput, AdminKeyList, AdminKeyParams, CreatedAdminKeyResponse } from '../schemas/admin.js';
import { actorOf, type AppServices, type TypedApp } from '../context.js';
import { unwrap } from '../errors.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['admin keys'], auth: 'admin' as const } });

/** Pool-scoped keys get 403 here: no route of this file is open to them (http/admin-scope.ts). */
export async function adminKeyRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.post(
    '/api/v1/admin-keys',
    {
      config: docs('Create a named admin key, optionally limited to one pool (the token is answered once)'),
      schema: { body: AdminKeyInput, response: { 201: CreatedAdminKeyResponse } },
    },
    async (request, reply) => reply.status(201).send(unwrap(await services.adminKeys.create(actorOf(request), request.body))),
  );

  app.get(
    '/api/v1/admin-keys',
    { config: docs('List admin keys, revoked ones included (never their tokens)'), schema: { response: { 200: AdminKeyList } } },
    async () => ({ list: await services.adminKeys.list() }),
  );

  app.delete(
    '/api/v1/admin-keys/:keyId',
    { config: docs('Revoke an admin key: it stops working at once, on every instance'), schema: { params: AdminKeyParams } },
    async (request, reply) => {
      unwrap(await services.adminKeys.revoke(actorOf(request), request.params.keyId));
      return reply.status(204).send();
    },
  );
}
