/**
 * The one place the console talks to the server: fetch with the admin token, JSON in
 * and out, and every failure turned into an ApiError carrying the API's code and message.
 */
import { getToken, setToken } from './session.js';
import type {
  Application,
  ApplicationInput,
  ConnectionHealth,
  ConnectionVersion,
  ApplicationPatch,
  CreatedApplication,
  CustomDatabase,
  CustomDatabaseInput,
  DebugInput,
  DebugResult,
  ImportContentType,
  ImportStarted,
  Job,
  JobList,
  JobStarted,
  MigrationProgress,
  PoolStats,
  StatsWindow,
  OpenIdConfiguration,
  PasswordCheck,
  Page,
  Pool,
  PublicIps,
  ResponseOf,
  RotatedSecret,
  User,
  UserInput,
} from './types.js';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly requestId?: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The message to show for anything thrown by an API call. */
export function errorMessage(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  if (error instanceof Error) return error.message;
  return String(error);
}

interface ErrorBody {
  error: { code: string; message: string; requestId?: string };
}

function isErrorBody(value: unknown): value is ErrorBody {
  if (typeof value !== 'object' || value === null || !('error' in value)) return false;
  const error = (value as { error: unknown }).error;
  return typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string';
}

export interface RequestOptions {
  body?: unknown;
  /** bytes sent as they are instead of a JSON `body`: an uploaded file, with its content type */
  raw?: { content: Blob; contentType: string };
  /** the token to send instead of the stored one (signing in checks a candidate) */
  token?: string;
  /** send no token at all: public endpoints (the OpenID discovery document) have no use for it */
  anonymous?: boolean;
  signal?: AbortSignal;
  /** extra request headers, e.g. If-Match */
  headers?: Record<string, string>;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  return (await requestTagged<T>(method, path, options)).body;
}

/** A JSON answer with its ETag (null when the server sent none). */
export interface Tagged<T> {
  body: T;
  etag: string | null;
}

/** `request`, also answering the response's ETag: for resources saved with If-Match. */
export async function requestTagged<T>(method: string, path: string, options: RequestOptions = {}): Promise<Tagged<T>> {
  const headers: Record<string, string> = { ...options.headers, accept: 'application/json' };
  const token = options.anonymous ? null : (options.token ?? getToken());
  if (token) headers['authorization'] = `Bearer ${token}`;
  if (options.raw !== undefined) headers['content-type'] = options.raw.contentType;
  else if (options.body !== undefined) headers['content-type'] = 'application/json';
  const body = options.raw?.content ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      ...(body === undefined ? {} : { body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, 'NETWORK_ERROR', `Could not reach the server (${errorMessage(error)})`);
  }
  const etag = response.headers.get('etag');
  if (response.status === 204) return { body: undefined as T, etag };
  const text = await response.text();
  let parsed: unknown = undefined;
  if (text !== '') {
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
  }
  if (!response.ok) {
    if (isErrorBody(parsed)) {
      const { code, message, requestId } = parsed.error;
      // A refused stored token ends the session; a candidate being checked does not.
      if (response.status === 401 && code === 'UNAUTHORIZED' && options.token === undefined && !options.anonymous) setToken(null, 'The server refused the admin token; sign in again.');
      throw new ApiError(response.status, code, message, requestId);
    }
    throw new ApiError(response.status, 'HTTP_ERROR', `The server answered ${String(response.status)} ${response.statusText}`.trim());
  }
  return { body: parsed as T, etag };
}

const pool = (poolId: string) => `/api/v1/pools/${encodeURIComponent(poolId)}`;
const user = (poolId: string, userId: string) => `${pool(poolId)}/users/${encodeURIComponent(userId)}`;
const application = (poolId: string, appId: string) => `${pool(poolId)}/applications/${encodeURIComponent(appId)}`;
const ifMatch = (etag: string | null): Pick<RequestOptions, 'headers'> => (etag === null ? {} : { headers: { 'if-match': etag } });
const query = (params: Record<string, string | number>) =>
  new URLSearchParams(Object.entries(params).map(([key, value]) => [key, String(value)])).toString();

export const api = {
  /** Resolves when the token is accepted; an ApiError (401) when not. */
  checkToken: (token: string) => request<Page<Pool>>('GET', `/api/v1/pools?${query({ page: 1, limit: 1 })}`, { token }),

  listPools: (page: number, limit: number) => request<Page<Pool>>('GET', `/api/v1/pools?${query({ page, limit })}`),
  getPool: (poolId: string) => request<Pool>('GET', pool(poolId)),
  createPool: (name: string) => request<Pool>('POST', '/api/v1/pools', { body: { name } }),

  getCustomDb: (poolId: string) => request<CustomDatabase>('GET', `${pool(poolId)}/custom-db`),
  /** The connection with its ETag, which a save sends back as If-Match. */
  getCustomDbTagged: (poolId: string) => requestTagged<CustomDatabase>('GET', `${pool(poolId)}/custom-db`),
  saveCustomDb: (poolId: string, input: CustomDatabaseInput) =>
    request<CustomDatabase>('PUT', `${pool(poolId)}/custom-db`, { body: input }),
  /** Saves only over `etag` (412 PRECONDITION_FAILED when someone else saved since); null saves over whatever is there. */
  saveCustomDbIfMatch: (poolId: string, input: CustomDatabaseInput, etag: string | null) =>
    requestTagged<CustomDatabase>('PUT', `${pool(poolId)}/custom-db`, { body: input, ...ifMatch(etag) }),
  customDbVersions: (poolId: string, page: number, limit: number) =>
    request<Page<ConnectionVersion>>('GET', `${pool(poolId)}/custom-db/versions?${query({ page, limit })}`),
  customDbVersion: (poolId: string, version: number) =>
    request<CustomDatabase>('GET', `${pool(poolId)}/custom-db/versions/${String(version)}`),
  restoreCustomDbVersion: (poolId: string, version: number, etag: string | null) =>
    requestTagged<CustomDatabase>('POST', `${pool(poolId)}/custom-db/versions/${String(version)}/restore`, { body: {}, ...ifMatch(etag) }),
  customDbHealth: (poolId: string) => request<ConnectionHealth>('GET', `${pool(poolId)}/custom-db/health`),
  templates: () => request<ResponseOf<'/api/v1/custom-db/templates', 'get'>>('GET', '/api/v1/custom-db/templates'),
  scriptSandbox: () => request<ResponseOf<'/api/v1/custom-db/sandbox', 'get'>>('GET', '/api/v1/custom-db/sandbox'),
  /** Saves an Auth0 database connection as Auth0's export writes it (any JSON: the server names what is wrong). */
  importAuth0: (poolId: string, connection: unknown) =>
    requestTagged<CustomDatabase>('POST', `${pool(poolId)}/custom-db/import-auth0`, { body: connection }),
  debug: (poolId: string, script: DebugInput['script'], args: DebugInput['args']) =>
    request<DebugResult>('POST', `${pool(poolId)}/custom-db/debug`, { body: { script, args } satisfies DebugInput }),
  logs: (poolId: string, limit = 50) =>
    request<ResponseOf<'/api/v1/pools/{poolId}/custom-db/logs', 'get'>>('GET', `${pool(poolId)}/custom-db/logs?${query({ limit })}`),
  migration: (poolId: string) => request<MigrationProgress>('GET', `${pool(poolId)}/custom-db/migration`),
  stats: (poolId: string, window: StatsWindow) => request<PoolStats>('GET', `${pool(poolId)}/stats?window=${window}`),
  importRest: (poolId: string) => request<JobStarted>('POST', `${pool(poolId)}/custom-db/import-rest`),
  /** Starts a bulk import of `file`'s users, streamed as the file's bytes (not multipart). */
  importUsers: (poolId: string, file: Blob, contentType: ImportContentType) =>
    request<ImportStarted>('POST', `${pool(poolId)}/users/import`, { raw: { content: file, contentType } }),
  getJob: (poolId: string, jobId: string) => request<Job>('GET', `${pool(poolId)}/jobs/${encodeURIComponent(jobId)}`),
  listJobs: (poolId: string, page: number, limit: number) => request<JobList>('GET', `${pool(poolId)}/jobs?${query({ page, limit })}`),
  cancelJob: (poolId: string, jobId: string) => request<Job>('POST', `${pool(poolId)}/jobs/${encodeURIComponent(jobId)}/cancel`),
  publicIps: () => request<PublicIps>('GET', '/api/system/public-ips'),

  listUsers: (poolId: string, page: number, limit: number) =>
    request<Page<User>>('GET', `${pool(poolId)}/users?${query({ page, limit })}`),
  searchUsers: (poolId: string, keyword: string, page: number, limit: number) =>
    request<Page<User>>('GET', `${pool(poolId)}/users/search?${query({ keyword, page, limit })}`),
  createUser: (poolId: string, input: UserInput) => request<User>('POST', `${pool(poolId)}/users`, { body: input }),
  updateUser: (poolId: string, userId: string, changes: UserInput) =>
    request<User>('PATCH', user(poolId, userId), { body: changes }),
  deleteUser: (poolId: string, userId: string) => request<undefined>('DELETE', user(poolId, userId)),
  verifyPassword: (poolId: string, userId: string, password: string) =>
    request<PasswordCheck>('POST', `${user(poolId, userId)}/verify-password`, { body: { password } }),

  listApplications: (poolId: string, page: number, limit: number) =>
    request<Page<Application>>('GET', `${pool(poolId)}/applications?${query({ page, limit })}`),
  createApplication: (poolId: string, input: ApplicationInput) =>
    request<CreatedApplication>('POST', `${pool(poolId)}/applications`, { body: input }),
  updateApplication: (poolId: string, appId: string, changes: ApplicationPatch) =>
    request<Application>('PATCH', application(poolId, appId), { body: changes }),
  deleteApplication: (poolId: string, appId: string) => request<undefined>('DELETE', application(poolId, appId)),
  rotateSecret: (poolId: string, appId: string) => request<RotatedSecret>('POST', `${application(poolId, appId)}/rotate-secret`),
  /** The pool's OpenID discovery document, which names the issuer as GATEHOUSE_PUBLIC_URL makes it. */
  openIdConfiguration: (poolId: string) =>
    request<OpenIdConfiguration>('GET', `/oidc/${encodeURIComponent(poolId)}/.well-known/openid-configuration`, { anonymous: true }),
};

export type Api = typeof api;
