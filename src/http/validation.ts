/**
 * Request validation. Bodies are checked strictly: no type coercion ("5" is not 5) and
 * unknown fields rejected, not silently dropped (Fastify's defaults do both). Query
 * strings and path params arrive as text, so there numbers are coerced and defaults
 * filled in.
 *
 * No part of a request may carry a NUL character: PostgreSQL cannot store one in text and
 * no identifier or profile field needs one, so it is refused up front as a 400 naming the
 * field rather than failing later as a 500.
 */
import { Ajv, type ValidateFunction } from 'ajv';
import type { FastifySchema, FastifySchemaCompiler } from 'fastify';

export function createValidatorCompiler(sharedSchemas: object[]): FastifySchemaCompiler<FastifySchema> {
  const options = { allErrors: false, useDefaults: true, removeAdditional: false, strict: false } as const;
  const strict = new Ajv({ ...options, coerceTypes: false, schemas: sharedSchemas });
  const lenient = new Ajv({ ...options, coerceTypes: true, schemas: sharedSchemas });
  return ({ schema, httpPart }) => {
    // Fastify reads `.errors` off the returned function when it answers false.
    const validate: ValidateFunction = (httpPart === 'body' ? strict : lenient).compile(schema as object);
    const guarded = (data: unknown): boolean => {
      const at = nulPath(data, '', 0);
      if (at !== null) {
        guarded.errors = [{ instancePath: at, schemaPath: '', keyword: 'nul', params: {}, message: 'must not contain NUL characters' }];
        return false;
      }
      const valid = validate(data) as boolean;
      guarded.errors = validate.errors;
      return valid;
    };
    guarded.errors = null as ValidateFunction['errors'];
    return guarded;
  };
}

const MAX_DEPTH = 64;

/** The JSON pointer of the first string (value or key) holding a NUL character, or null. */
function nulPath(value: unknown, path: string, depth: number): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (value === null || typeof value !== 'object' || depth > MAX_DEPTH) return null;
  for (const [key, item] of Object.entries(value)) {
    const itemPath = `${path}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
    if (key.includes('\u0000')) return itemPath;
    const found = nulPath(item, itemPath, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
