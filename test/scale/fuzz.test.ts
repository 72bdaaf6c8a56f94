import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_TOKEN, startTestServer, type TestServer } from '../support/server.js';

/**
 * A few thousand generated bad requests against every operation of the OpenAPI
 * document: every answer must be a 4xx in the error shape, and the server stays healthy.
 * The generator is seeded, so a failure can be replayed.
 */
type Schema = { type?: string | string[]; properties?: Record<string, Schema>; required?: string[]; maxLength?: number; anyOf?: Schema[]; maximum?: number; minimum?: number };
interface Operation {
  method: string;
  path: string;
  body?: Schema;
  query: { name: string; schema: Schema }[];
}

function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state / 0x7fffffff;
  };
}

const typesOf = (schema: Schema): string[] =>
  schema.anyOf ? schema.anyOf.flatMap(typesOf) : Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];

/** A value that is certainly not valid for the schema. */
function wrongValue(schema: Schema, pick: () => number): unknown {
  const types = typesOf(schema);
  if (types.length === 0) return undefined;
  if (types.includes('string') && schema.maxLength !== undefined && pick() < 0.3) return 'x'.repeat(schema.maxLength + 1 + Math.floor(pick() * 100));
  const candidates: unknown[] = [42.5, true, ['a'], { nested: { deep: 1 } }, 'text', -1];
  const wrong = candidates.filter((value) => {
    const kind = Array.isArray(value) ? 'array' : typeof value === 'number' ? (Number.isInteger(value) ? 'integer' : 'number') : typeof value === 'object' ? 'object' : typeof value;
    if (types.includes(kind)) return false;
    if (kind === 'integer' && types.includes('number')) return false;
    return true;
  });
  return wrong[Math.floor(pick() * wrong.length)];
}

const typeOfQuery = (schema: Schema): string => typesOf(schema)[0] ?? 'string';

function badBody(body: Schema, pick: () => number): unknown {
  const properties = Object.entries(body.properties ?? {});
  const choice = pick();
  if (choice < 0.15) return [null, 'a string', 123, [1, 2], true][Math.floor(pick() * 5)];
  if (choice < 0.3 || properties.length === 0) return { [`unknown_${Math.floor(pick() * 1000)}`]: 'x' };
  const [name, schema] = properties[Math.floor(pick() * properties.length)] ?? ['x', {}];
  const value = wrongValue(schema, pick);
  if (value === undefined) return { [`unknown_${name}`]: 1 };
  return { [name]: value };
}

describe('fuzzing every endpoint with bad requests', () => {
  let t: TestServer;
  let operations: Operation[] = [];
  let poolId: string;
  let userId: string;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
    userId = (await t.admin('POST', `/api/v1/pools/${poolId}/users`, { username: 'fuzz', password: 'fuzz-password' })).json().id;
    const doc = (await t.request('GET', '/api/openapi.json')).json() as {
      paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: Schema }> }; parameters: { name: string; in: string; schema: Schema }[] }>>;
    };
    operations = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        method: method.toUpperCase(),
        path: path.replace('{poolId}', poolId).replace('{userId}', userId),
        body: operation.requestBody?.content['application/json']?.schema,
        query: operation.parameters.filter((p) => p.in === 'query').map((p) => ({ name: p.name, schema: p.schema })),
      })),
    );
  });
  afterAll(() => t.close());

  it('answers every one of them with a 4xx in the error shape', async () => {
    const pick = random(20261128);
    const failures: string[] = [];
    let sent = 0;
    const targets = operations.filter((op) => op.body || op.query.length > 0);
    expect(targets.length).toBeGreaterThan(10);
    for (let round = 0; round < 150; round++) {
      for (const op of targets) {
        const kind = pick();
        const headers: Record<string, string> = {};
        let payload: string | undefined;
        let url = op.path;
        if (op.body && kind < 0.7) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify(badBody(op.body, pick));
        } else if (op.body && kind < 0.8) {
          headers['content-type'] = 'application/json';
          payload = '{"broken": ' + '['.repeat(Math.floor(pick() * 50));
        } else if (op.body && kind < 0.87) {
          headers['content-type'] = ['text/plain', 'application/xml', 'application/x-www-form-urlencoded'][Math.floor(pick() * 3)] ?? 'text/plain';
          payload = 'a=1&b=2';
        } else if (op.body && kind < 0.9) {
          headers['content-type'] = 'application/json';
          payload = JSON.stringify({ name: 'x'.repeat(1024 * 1024 + 10) });
        } else if (op.query.length > 0) {
          const param = op.query[Math.floor(pick() * op.query.length)];
          // Query values arrive as text: a string parameter is only wrong when too long,
          // a number one when it is not a number in range.
          const numeric = param !== undefined && typeOfQuery(param.schema) !== 'string';
          const bad = numeric
            ? ['abc', '-7', '0', '1e999', '3.5', '99999999'][Math.floor(pick() * 6)] ?? 'abc'
            : 'k'.repeat((param?.schema.maxLength ?? 0) + 1 + Math.floor(pick() * 50));
          url += `?${pick() < 0.3 || !param ? 'unknownParam=1' : `${param.name}=${encodeURIComponent(bad)}`}`;
          if (op.body) {
            headers['content-type'] = 'application/json';
            payload = '[]';
          }
        } else {
          headers['content-type'] = 'application/json';
          payload = 'null';
        }
        const response = await t.server.app.inject({ method: op.method as 'POST', url, headers: { ...headers, authorization: `Bearer ${ADMIN_TOKEN}` }, ...(payload === undefined ? {} : { payload }) });
        sent++;
        let shaped = false;
        try {
          const body = response.json() as { error?: { code?: unknown; message?: unknown; requestId?: unknown } };
          shaped = typeof body.error?.code === 'string' && typeof body.error.message === 'string' && typeof body.error.requestId === 'string';
        } catch {
          shaped = false;
        }
        if (response.statusCode < 400 || response.statusCode > 499 || !shaped) {
          failures.push(`${op.method} ${url} ${payload?.slice(0, 120) ?? ''} → ${response.statusCode} ${response.body.slice(0, 200)}`);
        }
      }
    }
    expect(sent).toBeGreaterThan(2000);
    expect(failures.slice(0, 10)).toEqual([]);
    expect((await t.request('GET', '/healthz')).statusCode).toBe(200);
    expect((await t.admin('GET', `/api/v1/pools/${poolId}/users/${userId}`)).statusCode).toBe(200);
  });
});
