/**
 * Helpers for the console's component tests: a fake of the server's API behind a stubbed
 * fetch, recording what the console sent.
 */
import { vi } from 'vitest';
import type { Application, CustomDatabase } from '../../src/console/api/types.js';

export interface SentRequest {
  method: string;
  path: string;
  body: unknown;
  /** the request's headers, names lower-cased */
  headers: Record<string, string>;
}

type Handler = (request: SentRequest) => { status: number; body?: unknown; headers?: Record<string, string> } | undefined;

export function apiError(status: number, code: string, message: string) {
  return { status, body: { error: { code, message, requestId: 'test-request' } } };
}

/** Stubs fetch with `handle` (first match wins); unknown routes answer 404 NOT_FOUND. */
export function fakeApi(handle: Handler) {
  const sent: SentRequest[] = [];
  const fetchStub = vi.fn(async (input: string | URL | Request, init?: RequestInit) => {
    const url = new URL(String(input), 'http://console.test');
    const request: SentRequest = {
      method: init?.method ?? 'GET',
      path: url.pathname + url.search,
      body: typeof init?.body === 'string' ? (JSON.parse(init.body) as unknown) : undefined,
      headers: Object.fromEntries(new Headers(init?.headers).entries()),
    };
    sent.push(request);
    const answer: ReturnType<Handler> & object = handle(request) ?? apiError(404, 'NOT_FOUND', `No route for ${request.method} ${url.pathname}`);
    return new Response(answer.body === undefined ? null : JSON.stringify(answer.body), {
      status: answer.status,
      headers: { 'content-type': 'application/json', ...answer.headers },
    });
  });
  vi.stubGlobal('fetch', fetchStub);
  return { sent, fetch: fetchStub };
}

export const MASK = '********';

/** A custom database as GET answers it, typed by the generated API types so it cannot drift from them. */
export function customDb(overrides: Partial<CustomDatabase> = {}): CustomDatabase {
  return {
    enabled: false,
    mode: 'LAZY_MIGRATION',
    dialect: 'gatehouse',
    connection: null,
    env: {},
    scripts: {
      login: null,
      getUser: null,
      searchUser: null,
      createUser: null,
      updateUser: null,
      deleteUser: null,
      listUsers: null,
      validatePassword: null,
      exportUsers: null,
    },
    timeoutMs: 5000,
    allowedHosts: [],
    maxConcurrency: 50,
    breakerThreshold: 5,
    breakerCooldownMs: 30_000,
    ...overrides,
  };
}

export function user(overrides: Record<string, unknown> = {}) {
  return {
    id: 'u1',
    userPoolId: 'p1',
    username: 'alice',
    email: 'alice@example.com',
    emailVerified: true,
    phone: '+15550100001',
    phoneVerified: true,
    nickname: 'Alice',
    name: 'Alice Dubois',
    blocked: false,
    loginsCount: 1,
    lastLogin: '2024-01-02T03:04:05.000Z',
    createdAt: '2024-01-02T03:04:05.000Z',
    updatedAt: '2024-01-02T03:04:05.000Z',
    externalId: '1',
    source: 'migrated',
    ...overrides,
  };
}

export const TEMPLATES = {
  list: [
    { id: 'postgres', name: 'PostgreSQL', scripts: { login: 'async function login(query, password, context) {\n  return { id: "pg" };\n}\n', getUser: 'async function getUser(query, context) {\n  return null;\n}\n' } },
    { id: 'mysql', name: 'MySQL / MariaDB', scripts: { login: 'async function login(query, password, context) {\n  return { id: "my" };\n}\n' } },
    { id: 'mongodb', name: 'MongoDB', scripts: {} },
    { id: 'webservice', name: 'Web service', scripts: {} },
  ],
};

/** An application as the API answers it, typed by the generated API types. */
export function application(overrides: Partial<Application> = {}): Application {
  return {
    id: 'a1',
    clientId: 'c0ffee00c0ffee00c0ffee00c0ffee00',
    name: 'Shop',
    type: 'web',
    redirectUris: ['https://shop.example.com/callback'],
    postLogoutRedirectUris: [],
    idTokenSigningAlg: 'ES256',
    createdAt: '2024-01-02T03:04:05.000Z',
    updatedAt: '2024-01-02T03:04:05.000Z',
    ...overrides,
  };
}
