import { Type, type Static } from '@sinclair/typebox';
import { JsonObject, PageOf } from './common.js';

const Name = Type.String({ minLength: 1, maxLength: 128 });
/** Pool metadata reaches scripts as context.userPoolMetadata; kept small and JSON. */
const Metadata = Type.Record(Type.String({ maxLength: 128 }), Type.Unknown(), { maxProperties: 64 });

export const PoolInput = Type.Object({ name: Name, metadata: Type.Optional(Metadata) }, { additionalProperties: false });
export type PoolInput = Static<typeof PoolInput>;

export const PoolPatch = Type.Object(
  { name: Type.Optional(Name), metadata: Type.Optional(Metadata) },
  { additionalProperties: false, minProperties: 1 },
);
export type PoolPatch = Static<typeof PoolPatch>;

export const PoolResponse = Type.Object({
  id: Type.String(),
  name: Type.String(),
  metadata: JsonObject,
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

export const PoolPage = PageOf(PoolResponse);
