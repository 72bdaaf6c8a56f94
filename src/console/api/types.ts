/**
 * The shapes of the public HTTP API as the console uses them, named from the types
 * generated out of the server's OpenAPI document (schema.gen.ts, `npm run
 * generate:api-types`): the schemas the server validates with are the one source, so a
 * changed route shows up here as a type error instead of a silent mismatch.
 */
import type { components, paths } from './schema.gen.js';
import type { SCRIPT_NAMES } from '../../custom-db/contract/script-contract.js';
import type { AUTH0_ONLY_SCRIPT_NAMES } from '../../custom-db/auth0/auth0-scripts.js';

type JsonContent<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;

/** The JSON body an operation answers with `Status`. */
export type ResponseOf<Path extends keyof paths, Method extends keyof paths[Path], Status extends number = 200> =
  paths[Path][Method] extends { responses: infer Responses }
    ? Status extends keyof Responses
      ? JsonContent<Responses[Status]>
      : never
    : never;

/** The JSON body an operation accepts. */
export type RequestOf<Path extends keyof paths, Method extends keyof paths[Path]> =
  paths[Path][Method] extends { requestBody?: infer Body } ? JsonContent<NonNullable<Body>> : never;

type PoolPage = ResponseOf<'/api/v1/pools', 'get'>;
/** Every list endpoint pages the same way as the pool list. */
export type Page<T> = Omit<PoolPage, 'list'> & { list: T[] };

export type Pool = ResponseOf<'/api/v1/pools/{poolId}', 'get'>;

export type CustomDatabase = ResponseOf<'/api/v1/pools/{poolId}/custom-db', 'get'>;
/** What a save sends: every field optional, a script `null` goes back to the default. */
export type CustomDatabaseInput = RequestOf<'/api/v1/pools/{poolId}/custom-db', 'put'>;
/** A stored connection as the API answers it (secrets masked). */
export type Connection = CustomDatabase['connection'];
/** A connection as a save sends it. */
export type ConnectionInput = CustomDatabaseInput['connection'];
export type Scripts = CustomDatabase['scripts'];
/** Every script a connection may hold: Gatehouse's eight and Auth0's names (`login` is both). */
export type ScriptKey = keyof Scripts;
/** Gatehouse's eight scripts. */
export type ScriptName = (typeof SCRIPT_NAMES)[number];
export type Mode = CustomDatabase['mode'];
export type Dialect = CustomDatabase['dialect'];

// The order the console lists scripts in is a contract constant, not part of the document;
// the check below fails to compile if it and the document name different scripts.
export { SCRIPT_NAMES } from '../../custom-db/contract/script-contract.js';
type SameSet<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<Condition extends true> = Condition;
type _ScriptNamesMatchTheDocument = Assert<SameSet<ScriptName | (typeof AUTH0_ONLY_SCRIPT_NAMES)[number], ScriptKey>>;

export type Template = ResponseOf<'/api/v1/custom-db/templates', 'get'>['list'][number];
export type ConnectionLogEntry = ResponseOf<'/api/v1/pools/{poolId}/custom-db/logs', 'get'>['list'][number];
export type MigrationProgress = ResponseOf<'/api/v1/pools/{poolId}/custom-db/migration', 'get'>;
/** A pool's per-minute logins, script latency and migration (GET …/stats). */
export type PoolStats = ResponseOf<'/api/v1/pools/{poolId}/stats', 'get'>;
export type MinuteStats = PoolStats['minutes'][number];
export type LoginOutcome = keyof MinuteStats['logins'];
export type StatsWindow = NonNullable<NonNullable<paths['/api/v1/pools/{poolId}/stats']['get']['parameters']['query']>['window']>;
export type ConnectionVersion = ResponseOf<'/api/v1/pools/{poolId}/custom-db/versions', 'get'>['list'][number];
export type ConnectionHealth = ResponseOf<'/api/v1/pools/{poolId}/custom-db/health', 'get'>;
export type Job = ResponseOf<'/api/v1/pools/{poolId}/jobs/{jobId}', 'get'>;
export type JobList = ResponseOf<'/api/v1/pools/{poolId}/jobs', 'get'>;
export type ImportStarted = ResponseOf<'/api/v1/pools/{poolId}/users/import', 'post', 202>;
/** The two bodies the import endpoint reads: NDJSON (one user a line) or a JSON array. */
export type ImportContentType = 'application/x-ndjson' | 'application/json';
export type JobStarted = ResponseOf<'/api/v1/pools/{poolId}/custom-db/import-rest', 'post', 202>;
export type DebugInput = RequestOf<'/api/v1/pools/{poolId}/custom-db/debug', 'post'>;

// The debug route declares no response schema (its result is whatever the script returned,
// or a failure), so the document has no type for it; this is its shape from the server's
// debug handler. Give the route a response schema and this can be generated too.
export interface ScriptLogLine {
  level: string;
  message: string;
}

export type FailureKind = 'runtime' | 'timeout' | 'oom' | 'syntax' | 'denied' | 'not_implemented' | 'invalid_result';

export type DebugResult =
  | { ok: true; result: unknown; logs: ScriptLogLine[]; durationMs: number }
  | {
      ok: false;
      error: { kind: FailureKind | string; name?: string; message: string; stack?: string };
      logs: ScriptLogLine[];
      durationMs: number;
    };

export type User = components['schemas']['User'];
export type UserSource = User['source'];

/** The profile fields the console's user form edits; the API accepts more. */
export type UserInput = Pick<
  RequestOf<'/api/v1/pools/{poolId}/users', 'post'>,
  'email' | 'username' | 'phone' | 'name' | 'nickname' | 'blocked' | 'password'
>;

export type PublicIps = ResponseOf<'/api/system/public-ips', 'get'>;
export type PasswordCheck = ResponseOf<'/api/v1/pools/{poolId}/users/{userId}/verify-password', 'post'>;

/** A message of the pool's development outbox (kept when no SMTP server is configured). */
export type OutboxMessage = ResponseOf<'/api/v1/pools/{poolId}/outbox', 'get'>['list'][number];
export type ForgotPasswordInput = RequestOf<'/api/v1/pools/{poolId}/auth/forgot-password', 'post'>;
export type Application = ResponseOf<'/api/v1/pools/{poolId}/applications/{appId}', 'get'>;
export type ApplicationType = Application['type'];
/** A create's answer: the application, and its secret this once (web and m2m only). */
export type CreatedApplication = ResponseOf<'/api/v1/pools/{poolId}/applications', 'post', 201>;
export type ApplicationInput = RequestOf<'/api/v1/pools/{poolId}/applications', 'post'>;
export type ApplicationPatch = RequestOf<'/api/v1/pools/{poolId}/applications/{appId}', 'patch'>;
export type RotatedSecret = ResponseOf<'/api/v1/pools/{poolId}/applications/{appId}/rotate-secret', 'post'>;

// The discovery document is oidc-provider's, not a route of the OpenAPI document; the
// console reads only its issuer.
export interface OpenIdConfiguration {
  issuer: string;
}

/** An admin key as listed (never its token). */
export type AdminKey = ResponseOf<'/api/v1/admin-keys', 'get'>['list'][number];
/** A create's answer: the key and its token, this once. */
export type CreatedAdminKey = ResponseOf<'/api/v1/admin-keys', 'post', 201>;
export type AdminKeyInput = RequestOf<'/api/v1/admin-keys', 'post'>;
export type AuditPage = ResponseOf<'/api/v1/audit', 'get'>;
export type AuditEntry = AuditPage['list'][number];
