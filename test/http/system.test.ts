import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../support/server.js';

describe('system endpoints', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite', { publicIps: ['203.0.113.10', '203.0.113.11'] });
  });
  afterAll(() => t.close());

  it('answers /healthz once the store is reachable', async () => {
    const response = await t.request('GET', '/healthz');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ status: 'ok' });
  });

  it('reports GATEHOUSE_PUBLIC_IPS without a token', async () => {
    expect((await t.request('GET', '/api/system/public-ips')).json()).toEqual({ ips: ['203.0.113.10', '203.0.113.11'] });
  });

  it('serves an OpenAPI document generated from the validating schemas', async () => {
    const doc = (await t.request('GET', '/api/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    for (const path of [
      '/api/v1/pools',
      '/api/v1/pools/{poolId}',
      '/api/v1/pools/{poolId}/users',
      '/api/v1/pools/{poolId}/users/search',
      '/api/v1/pools/{poolId}/users/find',
      '/api/v1/pools/{poolId}/users/{userId}',
      '/api/v1/pools/{poolId}/users/{userId}/verify-password',
      '/api/v1/pools/{poolId}/auth/register',
      '/api/v1/pools/{poolId}/auth/login',
      '/api/v1/pools/{poolId}/auth/me',
      '/.well-known/jwks.json',
      '/api/system/public-ips',
      '/healthz',
    ]) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
    const login = doc.paths['/api/v1/pools/{poolId}/auth/login'].post;
    expect(login.requestBody.content['application/json'].schema.properties).toHaveProperty('password');
    expect(login.requestBody.content['application/json'].schema.additionalProperties).toBe(false);
    expect(doc.paths['/api/v1/pools'].post.security).toEqual([{ adminToken: [] }]);
    expect(doc.components.schemas.User.properties).toHaveProperty('externalId');
  });
});
