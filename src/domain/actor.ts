/**
 * Who is making an admin request: the admin key used. The startup admin token acts as the
 * key named `owner`; a key with `poolId` may only use that pool's endpoints.
 */
export interface Actor {
  keyId: string;
  name: string;
  poolId?: string;
}

export const OWNER: Actor = { keyId: 'owner', name: 'owner' };
