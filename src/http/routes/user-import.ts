import { Readable } from 'node:stream';
import { PoolParams } from '../schemas/common.js';
import { JobStarted } from '../schemas/jobs.js';
import { actorOf, requirePool, type AppServices, type TypedApp } from '../context.js';
import { ApiError, unwrap } from '../errors.js';
import { IMPORT_MAX_BYTES } from '../../import/user-import.js';
import type { ImportFormat } from '../../import/read-records.js';

const FORMATS: Record<string, ImportFormat> = { 'application/x-ndjson': 'ndjson', 'application/json': 'json-array' };

/**
 * `POST …/users/import`. Its body is never buffered: a parser of its own hands the raw
 * request stream to the import, which reads it as it writes users (so memory stays flat
 * for any size), up to 1 GiB rather than the API's 1 MiB. Registered in a scope of its
 * own so no other route gets that parser or limit.
 */
export async function userImportRoutes(app: TypedApp, services: AppServices): Promise<void> {
  await app.register(async (scope: TypedApp) => {
    scope.removeAllContentTypeParsers();
    // Every type reaches the handler, which answers 415 for the ones it does not read.
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    scope.post(
      '/api/v1/pools/:poolId/users/import',
      {
        bodyLimit: IMPORT_MAX_BYTES,
        config: {
          docs: {
            summary: 'Import users: NDJSON (application/x-ndjson) or a JSON array (application/json), streamed; runs as a job',
            tags: ['users', 'jobs'],
            auth: 'admin' as const,
          },
        },
        schema: { params: PoolParams, response: { 202: JobStarted } },
      },
      async (request, reply) => {
        const mediaType = (request.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
        const format = FORMATS[mediaType];
        if (format === undefined) {
          throw new ApiError('UNSUPPORTED_MEDIA_TYPE', 'Content-Type must be application/x-ndjson (one user a line) or application/json (an array of users)');
        }
        const declared = Number(request.headers['content-length'] ?? 0);
        if (declared > IMPORT_MAX_BYTES) throw new ApiError('PAYLOAD_TOO_LARGE', `An import is at most ${IMPORT_MAX_BYTES} bytes (1 GiB)`);
        const pool = await requirePool(services, request.params.poolId);
        const connection = await services.customDb.scriptsFor(pool);
        if (connection?.mode === 'CUSTOM_USER_STORE') {
          throw new ApiError(
            'VALIDATION_ERROR',
            "This pool's users live in its custom database (mode CUSTOM_USER_STORE): import them there, or switch the pool to LAZY_MIGRATION or off first",
          );
        }
        // No body at all (Fastify runs no parser then) is an empty file.
        const body = request.body instanceof Readable ? request.body : Readable.from([]);
        const started = unwrap(await services.userImport.start(pool.id, body, format));
        // The answer waits until the body has been read: most clients read no answer
        // before they have sent their whole request anyway. The last batch may still be
        // writing; the job's status says when it is done.
        await started.sourceRead;
        await services.audit.record(actorOf(request), {
          action: 'users.import',
          poolId: pool.id,
          target: { type: 'job', id: started.jobId },
          changes: { format: { to: format } },
        });
        return reply.status(202).send({ jobId: started.jobId });
      },
    );
  });
}
