import { PageQuery, PoolParams } from '../schemas/common.js';
import { JobStarted } from '../schemas/jobs.js';
import {
  CustomDbInput,
  Auth0ConnectionInput,
  CustomDbResponse,
  DebugInput,
  HealthResponse,
  RestoreInput,
  VersionParams,
  VersionsResponse,
  LogsQuery,
  LogsResponse,
  MigrationResponse,
  TemplatesResponse,
  SandboxResponse,
  type ConnectionInput,
} from '../schemas/custom-db.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { actorOf, assertConnectionWithinScope, requirePool, type AppServices, type TypedApp } from '../context.js';
import { diffFields, type AuditChanges } from '../../domain/audit.js';
import { ApiError, unwrap } from '../errors.js';
import { etagOf, parseIfMatch } from '../etag.js';
import type { Pool } from '../../domain/pool.js';
import type { SavedConfig, SaveMeta } from '../../custom-db/connection-configs.js';
import { CONNECTION_ENV_NAMES, uriProblem, type Connection } from '../../custom-db/connection-config.js';
import { MASK } from '../../custom-db/config-secrets.js';
import type { ConfigChanges } from '../../custom-db/connection-configs.js';
import { TEMPLATES } from '../../custom-db/templates/index.js';
import { SCRIPT_ARITY } from '../../custom-db/script-caller.js';
import { isScriptName } from '../../custom-db/contract/script-contract.js';
import { AUTH0_ARGUMENTS } from '../../custom-db/auth0/auth0-scripts.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['custom database'], auth: 'admin' as const } });

const RESERVED_ENV: ReadonlySet<string> = new Set(CONNECTION_ENV_NAMES);

function connectionFrom(input: ConnectionInput | null): Connection {
  if (input === null) return null;
  const extra = (allowed: string[]) => Object.keys(input).find((key) => key !== 'type' && !allowed.includes(key));
  if (input.type === 'uri') {
    const stray = extra(['uri']);
    if (stray) throw new ApiError('VALIDATION_ERROR', `body.connection.${stray} is not a field of a uri connection`);
    if (input.uri === undefined) throw new ApiError('VALIDATION_ERROR', 'body.connection.uri is required for a uri connection');
    // The mask alone stands for the stored URI; saving checks that one is stored.
    const problem = input.uri === MASK ? null : uriProblem(input.uri, 'body.connection.uri');
    if (problem !== null) throw new ApiError('VALIDATION_ERROR', problem);
    return { type: 'uri', uri: input.uri };
  }
  const stray = extra(['host', 'port', 'username', 'password', 'database']);
  if (stray) throw new ApiError('VALIDATION_ERROR', `body.connection.${stray} is not a field of a programmatic connection`);
  for (const field of ['host', 'port', 'username', 'database'] as const) {
    if (input[field] === undefined) {
      throw new ApiError('VALIDATION_ERROR', `body.connection.${field} is required for a programmatic connection`);
    }
  }
  return {
    type: 'programmatic',
    host: input.host ?? '',
    port: input.port ?? 0,
    username: input.username ?? '',
    password: input.password ?? '',
    database: input.database ?? '',
  };
}

export async function customDbRoutes(app: TypedApp, services: AppServices): Promise<void> {
  const customDb = services.customDb;

  /** Who saves, the note, and the revision the If-Match header names (a stale or garbage one is a 412 here). */
  const saveMeta = async (request: FastifyRequest, pool: Pool, note: string | null | undefined): Promise<SaveMeta> => {
    const { keyId, name } = actorOf(request);
    const meta: SaveMeta = { savedBy: { keyId, name }, note: note ?? null };
    const header = request.headers['if-match'];
    const ifMatch = parseIfMatch(Array.isArray(header) ? header.join(',') : header);
    if (ifMatch === 'any') return meta;
    const { revision } = await customDb.getMasked(pool.id);
    if (ifMatch === 'unmatchable' || !ifMatch.includes(revision)) {
      throw new ApiError(
        'PRECONDITION_FAILED',
        ifMatch === 'unmatchable'
          ? 'If-Match must be the ETag that GET …/custom-db answered (a quoted revision such as "3"), or *'
          : 'The custom database connection was changed by someone else since you read it; read it again (GET answers its current ETag) and retry',
      );
    }
    // Checked again atomically by the store: a save that lands in between still loses.
    return { ...meta, expectedRevision: revision };
  };

  /**
   * Runs a save (a PUT, an Auth0 import, a restore), records it in the audit log and answers
   * the saved connection with its ETag. The diff is read back after the save: a save on
   * another instance in between would show in the entry too (the versions say exactly what
   * each save stored).
   */
  const auditedSave = async (
    request: FastifyRequest,
    reply: FastifyReply,
    pool: Pool,
    audit: { action: string; changes?: AuditChanges },
    save: () => Promise<SavedConfig>,
  ) => {
    const before = await customDb.auditFields(pool.id);
    const saved = await save();
    await services.audit.record(actorOf(request), {
      action: audit.action,
      poolId: pool.id,
      target: { type: 'custom-db', id: pool.id },
      changes: { ...audit.changes, ...diffFields(before, await customDb.auditFields(pool.id)) },
    });
    reply.header('etag', etagOf(saved.revision));
    return { ...saved.config, warnings: customDb.warningsFor(saved.config) };
  };

  app.get(
    '/api/v1/custom-db/templates',
    {
      config: { ...docs('Script templates for PostgreSQL, MySQL, MongoDB and web services'), openToScopedKeys: true },
      schema: { response: { 200: TemplatesResponse } },
    },
    async () => ({ list: [...TEMPLATES] }),
  );

  app.get(
    '/api/v1/custom-db/sandbox',
    {
      config: { ...docs("How this instance isolates scripts: the OS sandbox in use, or why there is none"), openToScopedKeys: true },
      schema: { response: { 200: SandboxResponse } },
    },
    async () => services.scriptSandbox(),
  );

  app.get(
    '/api/v1/pools/:poolId/custom-db',
    {
      config: docs("The pool's custom database connection, secrets masked"),
      schema: { params: PoolParams, response: { 200: CustomDbResponse } },
    },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      const { config, revision } = await customDb.getMasked(pool.id);
      reply.header('etag', etagOf(revision));
      return { ...config, warnings: customDb.warningsFor(config) };
    },
  );

  app.put(
    '/api/v1/pools/:poolId/custom-db',
    {
      config: docs(
        'Save the connection as its newest version; omitted fields keep their values, the mask keeps a stored secret. ' +
          'With If-Match, only over the ETag it names (else 412)',
      ),
      schema: { params: PoolParams, body: CustomDbInput, response: { 200: CustomDbResponse } },
    },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      const { connection, env, note, warnings: _readOnly, ...rest } = request.body;
      const reserved = Object.keys(env ?? {}).find((key) => RESERVED_ENV.has(key));
      if (reserved) throw new ApiError('VALIDATION_ERROR', `body.env.${reserved} is set by the connection; choose another name`);
      const changes: ConfigChanges = {
        ...rest,
        ...(env === undefined ? {} : { env }),
        ...(connection === undefined ? {} : { connection: connectionFrom(connection) }),
      };
      if (actorOf(request).poolId !== undefined) {
        // Checked whatever the save changes: new scripts on a connection to the store's
        // server reach the store as surely as a new connection does.
        const { config: stored } = await customDb.getMasked(pool.id);
        // Omitted or the whole URI masked stands for the stored one; any other URI names its own host.
        const next = changes.connection;
        const keepsStored = next === undefined || (next?.type === 'uri' && next.uri === MASK);
        assertConnectionWithinScope(services, actorOf(request), { ...stored, connection: keepsStored ? stored.connection : next });
      }
      const meta = await saveMeta(request, pool, note);
      return auditedSave(request, reply, pool, { action: 'custom-db.save' }, async () => unwrap(await customDb.save(pool, changes, meta)));
    },
  );

  app.get(
    '/api/v1/pools/:poolId/custom-db/versions',
    {
      config: docs('Saved versions of the connection, newest first'),
      schema: { params: PoolParams, querystring: PageQuery, response: { 200: VersionsResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return customDb.versions(pool.id, request.query.page, request.query.limit);
    },
  );

  app.get(
    '/api/v1/pools/:poolId/custom-db/versions/:version',
    {
      config: docs('One saved version of the connection, secrets masked'),
      schema: { params: VersionParams, response: { 200: CustomDbResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return unwrap(await customDb.version(pool.id, request.params.version));
    },
  );

  app.post(
    '/api/v1/pools/:poolId/custom-db/import-auth0',
    {
      config: docs("Save an Auth0 database connection as Auth0's export writes it: its scripts run unchanged (dialect auth0)"),
      // Checked field by field by the importer, so a mistake is named the way Auth0's export spells it.
      schema: { params: PoolParams, body: Auth0ConnectionInput, response: { 200: CustomDbResponse } },
    },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      const actor = actorOf(request);
      const meta = await saveMeta(request, pool, 'Imported from Auth0');
      return auditedSave(request, reply, pool, { action: 'custom-db.import-auth0' }, async () =>
        unwrap(await customDb.importAuth0(pool, request.body, meta, (next) => assertConnectionWithinScope(services, actor, next))),
      );
    },
  );

  app.post(
    '/api/v1/pools/:poolId/custom-db/versions/:version/restore',
    {
      config: docs('Save a version again, secrets included, as the newest version (If-Match as for PUT)'),
      schema: { params: VersionParams, body: RestoreInput, response: { 200: CustomDbResponse } },
      // The body is optional: a restore without one is a restore without a note of its own.
      preValidation: async (request) => {
        request.body ??= {};
      },
    },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      const { version } = request.params;
      const actor = actorOf(request);
      // A restored version is checked like a save: an older version may point at the store's server.
      assertConnectionWithinScope(services, actor, unwrap(await customDb.version(pool.id, version)));
      const meta = await saveMeta(request, pool, request.body.note ?? `Restored version ${version}`);
      return auditedSave(request, reply, pool, { action: 'custom-db.restore', changes: { version: { to: version } } }, async () =>
        unwrap(await customDb.restore(pool, version, meta)),
      );
    },
  );

  app.get(
    '/api/v1/pools/:poolId/custom-db/health',
    {
      config: docs("The connection's circuit breaker and calls in flight, on the instance that answers"),
      schema: { params: PoolParams, response: { 200: HealthResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return customDb.health(pool.id);
    },
  );

  app.post(
    '/api/v1/pools/:poolId/custom-db/debug',
    {
      config: docs('Run a saved script with given arguments and show what it did'),
      schema: { params: PoolParams, body: DebugInput },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      const { script, args } = request.body;
      // Auth0's change_email takes three arguments, every other script at most two.
      const most = isScriptName(script) ? SCRIPT_ARITY[script] : AUTH0_ARGUMENTS[script].length;
      if (args.length > most) throw new ApiError('VALIDATION_ERROR', `body.args: the ${script} script takes at most ${most} arguments`);
      const outcome = unwrap(await customDb.debug(pool, script, args));
      // A debug run can change the legacy database (createUser, deleteUser…): it is recorded,
      // by script name only (its arguments may hold a password).
      await services.audit.record(actorOf(request), {
        action: 'custom-db.debug',
        poolId: pool.id,
        target: { type: 'custom-db', id: pool.id },
        changes: { script: { to: script } },
      });
      return outcome;
    },
  );

  app.get(
    '/api/v1/pools/:poolId/custom-db/logs',
    {
      config: docs('Recent script runs, newest first'),
      schema: { params: PoolParams, querystring: LogsQuery, response: { 200: LogsResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return { list: await customDb.logs.list(pool.id, request.query.limit) };
    },
  );

  app.get(
    '/api/v1/pools/:poolId/custom-db/migration',
    {
      config: docs('Lazy migration progress'),
      schema: { params: PoolParams, response: { 200: MigrationResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      return services.importRest.overview(pool.id);
    },
  );

  app.post(
    '/api/v1/pools/:poolId/custom-db/import-rest',
    {
      config: docs(
        'Import the rest: a job that creates every user of the old database not migrated yet (exportUsers), with their password hashes',
      ),
      schema: { params: PoolParams, response: { 202: JobStarted } },
    },
    async (request, reply) => {
      const pool = await requirePool(services, request.params.poolId);
      const job = unwrap(await services.importRest.start(pool));
      await services.audit.record(actorOf(request), {
        action: 'custom-db.import-rest',
        poolId: pool.id,
        target: { type: 'job', id: job.id },
        changes: {},
      });
      return reply.code(202).send({ jobId: job.id });
    },
  );
}
