/**
 * Builds the OpenAPI document from the schemas the routes validate with, as each route
 * is registered, so the document cannot drift from what the server enforces.
 */
import type { FastifyInstance, RouteOptions } from 'fastify';

type JsonSchema = Record<string, unknown>;
interface Operation {
  summary?: string;
  tags?: string[];
  security?: Record<string, string[]>[];
  parameters: JsonSchema[];
  requestBody?: JsonSchema;
  responses: Record<string, JsonSchema>;
}

export interface OpenApiCollector {
  document(): JsonSchema;
}

export interface RouteDocs {
  summary?: string;
  tags?: string[];
  /** true for routes behind the admin token, 'user' for routes behind an access token */
  auth?: 'admin' | 'user';
}

declare module 'fastify' {
  interface FastifyContextConfig {
    docs?: RouteDocs;
  }
}

/** Rewrites `$ref: 'User'` (Fastify's shared-schema ids) to OpenAPI component refs. */
function withComponentRefs(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(withComponentRefs);
  if (schema === null || typeof schema !== 'object') return schema;
  const out: JsonSchema = {};
  for (const [key, value] of Object.entries(schema)) {
    out[key] = key === '$ref' && typeof value === 'string' ? `#/components/schemas/${value}` : withComponentRefs(value);
  }
  return out;
}

function parametersFrom(schema: unknown, where: 'query' | 'path'): JsonSchema[] {
  const properties = (schema as { properties?: Record<string, JsonSchema> } | undefined)?.properties ?? {};
  const required = new Set((schema as { required?: string[] } | undefined)?.required ?? []);
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || required.has(name),
    schema: withComponentRefs(property),
  }));
}

export function collectOpenApi(app: FastifyInstance, sharedSchemas: { $id?: string }[]): OpenApiCollector {
  const paths: Record<string, Record<string, Operation>> = {};
  app.addHook('onRoute', (route: RouteOptions) => {
    if (route.method === 'HEAD' || (Array.isArray(route.method) && route.method.includes('HEAD'))) return;
    if (route.url.startsWith('/console')) return;
    const docs = route.config?.docs;
    const schema = route.schema ?? {};
    const operation: Operation = {
      ...(docs?.summary ? { summary: docs.summary } : {}),
      ...(docs?.tags ? { tags: docs.tags } : {}),
      ...(docs?.auth ? { security: [{ [docs.auth === 'admin' ? 'adminToken' : 'accessToken']: [] }] } : {}),
      parameters: [...parametersFrom(schema.params, 'path'), ...parametersFrom(schema.querystring, 'query')],
      responses: {},
    };
    if (schema.body) {
      operation.requestBody = {
        required: true,
        content: { 'application/json': { schema: withComponentRefs(schema.body) } },
      };
    }
    for (const [status, response] of Object.entries((schema.response ?? {}) as Record<string, unknown>)) {
      operation.responses[status] =
        status === '204'
          ? { description: 'No content' }
          : { description: status, content: { 'application/json': { schema: withComponentRefs(response) } } };
    }
    operation.responses['default'] = {
      description: 'Error',
      content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } },
    };
    const path = route.url.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    for (const method of methods) (paths[path] ??= {})[method.toLowerCase()] = operation;
  });

  return {
    document: () => ({
      openapi: '3.1.0',
      info: { title: 'Gatehouse API', version: '1' },
      paths,
      components: {
        schemas: Object.fromEntries(sharedSchemas.map((schema) => [schema.$id, withComponentRefs(schema)])),
        securitySchemes: {
          adminToken: { type: 'http', scheme: 'bearer', description: 'GATEHOUSE_ADMIN_TOKEN' },
          accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    }),
  };
}
