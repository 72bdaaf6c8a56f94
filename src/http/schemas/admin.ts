/** Admin keys and the audit log. */
import { Type } from '@sinclair/typebox';
import { Nullable, PageOf, PageQuery, PoolParams } from './common.js';
import { ADMIN_KEY_NAME_MAX_LENGTH } from '../../auth/admin-keys.js';

export const AdminKeyInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: ADMIN_KEY_NAME_MAX_LENGTH }),
    /** the pool the key is limited to; omitted = every pool */
    poolId: Type.Optional(PoolParams.properties.poolId),
  },
  { additionalProperties: false },
);

export const AdminKeyParams = Type.Object({ keyId: Type.String({ minLength: 1, maxLength: 64 }) });

export const AdminKeyResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  poolId: Nullable(Type.String()),
  createdAt: Type.String(),
  revokedAt: Nullable(Type.String()),
});

/** The create's answer: the only time the token is seen. */
export const CreatedAdminKeyResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  poolId: Nullable(Type.String()),
  token: Type.String(),
  createdAt: Type.String(),
});

export const AdminKeyList = Type.Object({ list: Type.Array(AdminKeyResponse) });

export const AuditQuery = Type.Composite([PageQuery, Type.Object({ poolId: Type.Optional(PoolParams.properties.poolId) })], {
  additionalProperties: false,
});

const FieldChange = Type.Object({ from: Type.Optional(Type.Unknown()), to: Type.Optional(Type.Unknown()) });

export const AuditEntryResponse = Type.Object({
  at: Type.String(),
  actor: Type.Object({ keyId: Type.String(), name: Type.String() }),
  action: Type.String(),
  poolId: Nullable(Type.String()),
  target: Type.Object({ type: Type.String(), id: Type.String() }),
  /** field → {from?, to?}; secrets read as the mask */
  changes: Type.Record(Type.String(), FieldChange),
});

export const AuditPage = PageOf(AuditEntryResponse);
