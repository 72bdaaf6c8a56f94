/**
 * Request validation. Bodies are checked strictly: no type coercion ("5" is not 5) and
 * unknown fields rejected, not silently dropped (Fastify's defaults do both). Query
 * strings and path params arrive as text, so there numbers are coerced and defaults
 * filled in.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

export function createValidatorCompiler(sharedSchemas: object[]): FastifySchemaCompiler<FastifySchema> {
  const options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false } as const;
  const strict = new Ajv({ ...options, coerceTypes: false, schemas: sharedSchemas });
  const lenient = new Ajv({ ...options, coerceTypes: true, schemas: sharedSchemas });
  return ({ schema, httpPart }) => {
    // Fastify reads `.errors` off the returned Ajv function when it answers false.
    const validate: ValidateFunction = (httpPart === 'body' ? strict : lenient).compile(schema as object);
    return validate;
  };
}
