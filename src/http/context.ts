/**
 * What every route needs from the rest of the server, in one place: the services the
 * composition root wires in, and the small request helpers routes share. Routes import
 * this module, never the app that registers them or each other.
 */
import type {
  FastifyBaseLogger,
  FastifyInstance,
  FastifyRequest,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { AdminTokenCheck } from '../auth/admin-token.js';
import type { TokenService } from '../auth/tokens.js';
import type { LoginUseCase } from '../auth/login.js';
import type { Pool } from '../domain/pool.js';
import type { RequestInfo } from '../domain/user.js';
import type { PoolsRepository } from '../store/pools.js';
import type { UserDirectory } from '../users/user-directory.js';
import type { CustomDbService } from '../custom-db/custom-db-service.js';
import type { CustomDbConfig } from '../custom-db/connection-config.js';
import type { ApplicationsService } from '../applications/applications.js';
import type { OidcService } from '../oidc/index.js';
import type { PasswordReset } from '../auth/password-reset.js';
import type { EmailVerification } from '../auth/email-verification.js';
import type { OutboxRepository } from '../store/outbox.js';
import type { EmailSettingsRepository } from '../store/email-settings.js';
import type { Actor } from '../domain/actor.js';
import type { AdminKeys } from '../auth/admin-keys.js';
import type { AuditLog } from '../audit/audit-log.js';
import type { Metrics } from '../metrics/metrics.js';
import type { JobRunner } from '../jobs/runner.js';
import type { UserImport } from '../import/user-import.js';
import type { ImportRest } from '../migration/import-rest.js';
import { OWNER } from '../domain/actor.js';
import { ApiError } from './errors.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** set by the admin guard: the key this admin request is made with */
    adminActor?: Actor;
  }
  interface FastifyContextConfig {
    /**
     * An admin route without a pool in its path that a pool-scoped key may still call,
     * because the route narrows its answer to the key's pool itself (the pool list, the
     * audit log) or answers nothing of any pool (script templates). Every other such route
     * answers 403 FORBIDDEN to a scoped key (http/admin-scope.ts).
     */
    openToScopedKeys?: true;
  }
}

/** The admin key behind an admin request (the admin guard sets it; routes record it as who changed what). */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.adminActor) throw new Error('actorOf called outside the admin guard');
  return request.adminActor;
}

export { OWNER };

/** The Fastify instance routes are registered on: request and reply types come from the TypeBox schemas. */
export type TypedApp = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

/** What the server tells operators about the script sandbox (the runtime's status, structurally). */
export interface ScriptSandbox {
  level: 'bwrap' | 'unshare' | 'none';
  reason: string;
  scriptsAllowed: boolean;
  warning?: string;
}

export interface AppServices {
  pools: PoolsRepository;
  /** The users of a pool, through whichever face its custom database mode selects. */
  directoryFor(pool: Pool): Promise<UserDirectory>;
  /** The pool's login: throttling, the pool's directory and failure counting. */
  login: LoginUseCase;
  customDb: CustomDbService;
  applications: ApplicationsService;
  /** the OpenID providers of the pools and their hosted pages */
  oidc: Pick<OidcService, 'routes' | 'rotateKeys'>;
  tokens: TokenService;
  /** the startup admin token alone (the owner) */
  adminToken: AdminTokenCheck;
  /** named admin keys, and the actor behind any admin bearer token (owner included) */
  adminKeys: AdminKeys;
  /** every admin change: routes record theirs here once it succeeded */
  audit: Pick<AuditLog, 'record' | 'list'>;
  publicIps: string[];
  /** the script sandbox this instance enforces (or the warning that it cannot) */
  scriptSandbox(): ScriptSandbox;
  /** forgot / reset password (auth/password-reset.ts) */
  passwordReset: PasswordReset;
  /** verification emails and their links (auth/email-verification.ts) */
  emailVerification: EmailVerification;
  /** development mail, per pool */
  outbox: Pick<OutboxRepository, 'list'>;
  emailSettings: EmailSettingsRepository;
  /** background jobs (imports), their progress and cancellation */
  jobs: Pick<JobRunner, 'start' | 'get' | 'list' | 'cancel'>;
  /** bulk import of users (a job) */
  userImport: UserImport;
  /** finishing a lazy migration: the import-rest job and the migration's progress */
  importRest: ImportRest;
  /** true once the own store answers */
  storeReachable(): Promise<boolean>;
  /** Prometheus text, HTTP request counting and the console's per-minute pool stats */
  metrics: Pick<Metrics, 'text' | 'contentType' | 'httpRequest' | 'pools'>;
  /** who may read GET /metrics: GATEHOUSE_METRICS_TOKEN, or the admin token when that is unset */
  metricsToken: AdminTokenCheck;
}

/**
 * A key limited to one pool may not point that pool's connection at the server's own
 * database server: its scripts could then reach the store (the egress guard lets a
 * connection reach its own database) and, with a database user allowed to, read every
 * pool's data. The owner and unscoped keys are warned instead (`warningsFor`). Every route
 * that saves a connection calls this before saving.
 */
export function assertConnectionWithinScope(services: Pick<AppServices, 'customDb'>, actor: Actor, config: CustomDbConfig): void {
  if (actor.poolId === undefined || services.customDb.warningsFor(config).length === 0) return;
  throw new ApiError('FORBIDDEN', "An admin key limited to one pool may not connect it to the database server of Gatehouse's own store");
}

/** The pool named in the path, or a 404 POOL_NOT_FOUND. */
export async function requirePool(services: Pick<AppServices, 'pools'>, poolId: string): Promise<Pool> {
  const pool = await services.pools.get(poolId);
  if (!pool) throw new ApiError('POOL_NOT_FOUND', `No user pool with id ${poolId}`);
  return pool;
}

export const requestInfo = (request: FastifyRequest): RequestInfo => ({
  ip: request.ip ?? null,
  userAgent: request.headers['user-agent'] ?? null,
});

/** The token of an `Authorization: Bearer <token>` header, or '' when there is none. */
export function bearerToken(request: FastifyRequest): string {
  const header = request.headers.authorization ?? '';
  return header.startsWith('Bearer ') ? header.slice('Bearer '.length).trim() : '';
}
