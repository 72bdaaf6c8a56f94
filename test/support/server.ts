/**
 * An in-process Gatehouse built through the same composition root as `npm start`, on
 * either store dialect, with helpers for the admin and end-user APIs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { createServer, type Server, type ServerOptions } from '../../src/server.js';
import type { Config } from '../../src/config/config.js';
import { createPostgresDatabase, type TestDatabase } from './databases.js';
import { DEFAULT_THROTTLE } from '../../src/config/config.js';

export type StoreDialect = 'sqlite' | 'postgres';
export const ADMIN_TOKEN = 'test-admin-token-0123456789';

export interface TestServer {
  server: Server;
  config: Config;
  dataDir: string;
  request(method: string, url: string, options?: { body?: unknown; token?: string | null; headers?: Record<string, string> }): Promise<LightMyRequestResponse>;
  /** admin request: the admin token is sent unless `token` says otherwise */
  admin(method: string, url: string, body?: unknown): Promise<LightMyRequestResponse>;
  createPool(name?: string): Promise<string>;
  close(): Promise<void>;
}

export async function startTestServer(
  dialect: StoreDialect,
  overrides: Partial<Config> = {},
  options: ServerOptions = {},
): Promise<TestServer> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-test-'));
  let database: TestDatabase | undefined;
  if (dialect === 'postgres' && overrides.databaseUrl === undefined) database = await createPostgresDatabase();
  const config: Config = {
    port: 0,
    host: '127.0.0.1',
    dataDir,
    databaseUrl: database?.url,
    adminToken: ADMIN_TOKEN,
    secretKey: undefined,
    publicIps: [],
    trustProxy: false,
    throttle: DEFAULT_THROTTLE,
    ...overrides,
  };
  const server = await createServer(config, options);

  const request: TestServer['request'] = (method, url, options = {}) => {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers['authorization'] = `Bearer ${options.token}`;
    return server.app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
  };

  return {
    server,
    config,
    dataDir,
    request,
    admin: (method, url, body) => request(method, url, { body, token: ADMIN_TOKEN }),
    async createPool(name = 'Test pool') {
      const response = await request('POST', '/api/v1/pools', { body: { name }, token: ADMIN_TOKEN });
      if (response.statusCode !== 201) throw new Error(`pool create failed: ${response.body}`);
      return (response.json() as { id: string }).id;
    },
    async close() {
      await server.close();
      await database?.drop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
