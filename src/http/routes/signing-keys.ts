import { PoolParams } from '../schemas/common.js';
import { actorOf, requirePool, type AppServices, type TypedApp } from '../context.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['applications'], auth: 'admin' as const } });

export async function signingKeyRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.post(
    '/api/v1/pools/:poolId/signing-keys/rotate',
    {
      config: docs("Rotate the pool's OpenID signing keys: the published next key starts signing, a new next key is published"),
      schema: { params: PoolParams },
    },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      await services.oidc.rotateKeys(pool.id);
      await services.audit.record(actorOf(request), { action: 'signing-keys.rotate', poolId: pool.id, target: { type: 'signing-keys', id: pool.id } });
      return reply.status(204).send();
    },
  );
}
