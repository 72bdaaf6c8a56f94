/**
 * oidc-provider's storage adapter over the own store. One adapter per model name and
 * pool: every query carries the pool id, so a code, token or session of one pool is
 * simply absent in another. Clients are not stored here: they are the pool's
 * applications, read from their table and described the way oidc-provider wants.
 */
import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { OidcModelsRepository } from '../store/oidc-models.js';
import type { ApplicationsRepository } from '../store/applications.js';
import { clientMetadata } from './clients.js';

export function adapterFactory(poolId: string, models: OidcModelsRepository, applications: ApplicationsRepository) {
  return (name: string): Adapter => (name === 'Client' ? clientAdapter(poolId, applications) : modelAdapter(poolId, name, models));
}

function modelAdapter(poolId: string, kind: string, models: OidcModelsRepository): Adapter {
  const payload = (found: Record<string, unknown> | undefined) => found as AdapterPayload | undefined;
  return {
    async upsert(id, value, expiresIn) {
      const expiresAt = expiresIn === undefined ? null : new Date(Date.now() + expiresIn * 1000);
      await models.upsert(poolId, kind, id, value as Record<string, unknown>, expiresAt);
    },
    find: async (id) => payload(await models.find(poolId, kind, id)),
    findByUid: async (uid) => payload(await models.findByUid(poolId, kind, uid)),
    findByUserCode: async (userCode) => payload(await models.findByUserCode(poolId, kind, userCode)),
    consume: (id) => models.consume(poolId, kind, id),
    destroy: (id) => models.destroy(poolId, kind, id),
    revokeByGrantId: (grantId) => models.revokeByGrantId(poolId, grantId),
  };
}

function clientAdapter(poolId: string, applications: ApplicationsRepository): Adapter {
  const readOnly = async () => {
    throw new Error('clients are managed through the applications API');
  };
  return {
    async find(clientId) {
      const application = await applications.byClientId(poolId, clientId);
      return application && clientMetadata(application);
    },
    upsert: readOnly,
    findByUid: async () => undefined,
    findByUserCode: async () => undefined,
    consume: readOnly,
    destroy: readOnly,
    revokeByGrantId: async () => undefined,
  };
}
