/**
 * Schemas shared by routes. They validate requests (Ajv), shape responses
 * (fast-json-stringify drops any field not listed, a second guard against leaking a
 * hash) and feed the OpenAPI document: one definition for all three.
 */
import { Type, type Static, type TSchema } from '@sinclair/typebox';

export const ErrorResponse = Type.Object(
  {
    error: Type.Object({
      code: Type.String(),
      message: Type.String(),
      requestId: Type.String(),
    }),
  },
  { $id: 'ErrorResponse' },
);

export const PageQuery = Type.Object(
  {
    page: Type.Integer({ minimum: 1, maximum: 1_000_000, default: 1 }),
    limit: Type.Integer({ minimum: 1, maximum: 100, default: 10 }),
  },
  { additionalProperties: false },
);
export type PageQuery = Static<typeof PageQuery>;

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ totalCount: Type.Integer({ minimum: 0 }), list: Type.Array(item) });

export const PoolParams = Type.Object({ poolId: Type.String({ minLength: 1, maxLength: 64 }) });
export type PoolParams = Static<typeof PoolParams>;

export const JsonObject = Type.Record(Type.String(), Type.Unknown());

export const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);
