import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uriProblem } from '../../src/custom-db/connection-config.js';
import { startTestServer, type TestServer } from '../support/server.js';

describe('uriProblem', () => {
  it.each([
    ['postgres://app:pa%40ss@db:5432/app?sslmode=require', null],
    ['mysql://root@127.0.0.1:3306/legacy', null],
    ['not a uri', /must be a URI/],
    ['postgres:app', /must name a host/],
    ['postgres://app:%zz@db/app', /bad percent escape in its password/],
    ['postgres://%E0%A4%A@db/app', /bad percent escape in its user name/],
    ['postgres://app:pw@db/a%zzb', /bad percent escape in its path/],
    ['postgres://app@db/app?password=%zz', /bad percent escape in its query/],
  ])('%s → %s', (uri, problem) => {
    const found = uriProblem(uri, 'body.connection.uri');
    if (problem === null) expect(found).toBeNull();
    else {
      expect(found).toMatch(problem);
      expect(found).toMatch(/^body\.connection\.uri /);
    }
  });
});

describe('saving a connection URI', () => {
  let t: TestServer;
  let poolId: string;
  const url = () => `/api/v1/pools/${poolId}/custom-db`;

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    poolId = await t.createPool();
  });
  afterAll(() => t.close());

  const refused: [string, string, RegExp][] = [
    ['a bad percent escape in the password', 'postgres://app:%zz@db/app', /^body\.connection\.uri has a bad percent escape in its password/],
    ['a bad percent escape in the query', 'postgres://app@db/app?password=ab%zz', /^body\.connection\.uri has a bad percent escape in its query/],
    ['no host', 'postgres:app', /^body\.connection\.uri must name a host/],
    ['no URI at all', 'db.internal:5432', /^body\.connection\.uri must/],
  ];
  for (const [name, uri, message] of refused) {
    it(`answers 400 naming the field for ${name}, and saves nothing`, async () => {
      const before = (await t.admin('GET', url())).body;
      const response = await t.admin('PUT', url(), { connection: { type: 'uri', uri } });
      expect(response.statusCode, response.body).toBe(400);
      expect(response.json().error).toMatchObject({ code: 'VALIDATION_ERROR', message: expect.stringMatching(message) });
      expect(response.body).not.toContain('%zz');
      expect((await t.admin('GET', url())).body).toBe(before);
    });
  }

  it('answers that no URI is stored when the mask alone is sent first', async () => {
    const response = await t.admin('PUT', url(), { connection: { type: 'uri', uri: '********' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toBe('connection.uri holds the mask, but no URI is stored to keep');
  });

  it('refuses the mask as a password when the stored URI has none', async () => {
    expect((await t.admin('PUT', url(), { connection: { type: 'uri', uri: 'postgres://app@db/app' } })).statusCode).toBe(200);
    const response = await t.admin('PUT', url(), { connection: { type: 'uri', uri: 'postgres://app:********@db/app' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().error.message).toMatch(/holds the mask as its password, but no password is stored/);
  });

  it('saves a valid URI and the mask alone keeps it', async () => {
    const saved = await t.admin('PUT', url(), { connection: { type: 'uri', uri: 'postgres://app:pa%40ss@127.0.0.1:5432/app' } });
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.json().connection.uri).toBe('postgres://app:********@127.0.0.1:5432/app');
    expect((await t.admin('PUT', url(), { connection: { type: 'uri', uri: '********' } })).statusCode).toBe(200);
    expect((await t.admin('GET', url())).json().connection.uri).toBe('postgres://app:********@127.0.0.1:5432/app');
  });

  it('answers 4xx, never 500, for odd pool ids and URIs on every custom-db route', async () => {
    const routes: [string, string, unknown?][] = [
      ['GET', ''],
      ['PUT', '', { enabled: false }],
      ['POST', '/debug', { script: 'login', args: [{}, 'x'] }],
      ['GET', '/logs?limit=1'],
      ['GET', '/migration'],
    ];
    for (const id of ['%00', 'a%00b', '%zz', 'x'.repeat(65), '..%2F..', '%F0%9F%92%A9']) {
      for (const [method, suffix, body] of routes) {
        const response = await t.admin(method, `/api/v1/pools/${id}/custom-db${suffix}`, body);
        expect(response.statusCode, `${method} ${id}${suffix}: ${response.body}`).toBeGreaterThanOrEqual(400);
        expect(response.statusCode, `${method} ${id}${suffix}: ${response.body}`).toBeLessThan(500);
      }
    }
    for (const uri of ['postgres://app:a\u0000b@db/app', 'postgres://[::1/app', 'postgres://app:%@db/app', 'postgres://app@db:99999/app', '%zz']) {
      const response = await t.admin('PUT', url(), { connection: { type: 'uri', uri } });
      expect(response.statusCode, `${uri}: ${response.body}`).toBe(400);
    }
  });
});
