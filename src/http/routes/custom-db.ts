import { PoolParams } from '../schemas/common.js';
import { JobStarted } from '../schemas/jobs.js';
import {
  CustomDbInput,
  CustomDbResponse,
  DebugInput,
  LogsQuery,
  LogsResponse,
  MigrationResponse,
  TemplatesResponse,
  SandboxResponse,
  type ConnectionInput,
} from '../schemas/custom-db.js';
import { requirePool, type AppServices, type TypedApp } from '../context.js';
import { ApiError, unwrap } from '../errors.js';
import { CONNECTION_ENV_NAMES, uriProblem, type Connection } from '../../custom-db/connection-config.js';
import { MASK } from '../../custom-db/config-secrets.js';
import type { ConfigChanges } from '../../custom-db/connection-configs.js';
import { TEMPLATES } from '../../custom-db/templates/index.js';

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

  app.get(
    '/api/v1/custom-db/templates',
    { config: docs('Script templates for PostgreSQL, MySQL, MongoDB and web services'), schema: { response: { 200: TemplatesResponse } } },
    async () => ({ list: [...TEMPLATES] }),
  );

  app.get(
    '/api/v1/custom-db/sandbox',
    {
      config: docs("How this instance isolates scripts: the OS sandbox in use, or why there is none"),
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
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      const config = await customDb.getMasked(pool.id);
      return { ...config, warnings: customDb.warningsFor(config) };
    },
  );

  app.put(
    '/api/v1/pools/:poolId/custom-db',
    {
      config: docs('Save the connection; omitted fields keep their values, the mask keeps a stored secret'),
      schema: { params: PoolParams, body: CustomDbInput, response: { 200: CustomDbResponse } },
    },
    async (request) => {
      const pool = await requirePool(services, request.params.poolId);
      const { connection, env, warnings: _readOnly, ...rest } = request.body;
      const reserved = Object.keys(env ?? {}).find((key) => RESERVED_ENV.has(key));
      if (reserved) throw new ApiError('VALIDATION_ERROR', `body.env.${reserved} is set by the connection; choose another name`);
      const changes: ConfigChanges = {
        ...rest,
        ...(env === undefined ? {} : { env }),
        ...(connection === undefined ? {} : { connection: connectionFrom(connection) }),
      };
      const saved = unwrap(await customDb.save(pool, changes));
      return { ...saved, warnings: customDb.warningsFor(saved) };
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
      return customDb.debug(pool, request.body.script, request.body.args);
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
      return reply.code(202).send({ jobId: job.id });
    },
  );
}
