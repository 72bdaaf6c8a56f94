import { PageQuery, PoolParams } from '../schemas/common.js';
import { JobPage, JobParams, JobResponse } from '../schemas/jobs.js';
import { actorOf, requirePool, type AppServices, type TypedApp } from '../context.js';
import { ApiError } from '../errors.js';

const docs = (summary: string) => ({ docs: { summary, tags: ['jobs'], auth: 'admin' as const } });

export async function jobRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.get(
    '/api/v1/pools/:poolId/jobs',
    { config: docs("List the pool's jobs, newest first"), schema: { params: PoolParams, querystring: PageQuery, response: { 200: JobPage } } },
    async (request) => {
      await requirePool(services, request.params.poolId);
      return services.jobs.list(request.params.poolId, request.query.page, request.query.limit);
    },
  );

  app.get(
    '/api/v1/pools/:poolId/jobs/:jobId',
    { config: docs('Get a job and its progress'), schema: { params: JobParams, response: { 200: JobResponse } } },
    async (request) => {
      const { poolId, jobId } = request.params;
      await requirePool(services, poolId);
      const job = await services.jobs.get(poolId, jobId);
      if (!job) throw new ApiError('JOB_NOT_FOUND', `No job with id ${jobId} in this pool`);
      await services.audit.record(actorOf(request), { action: 'job.cancel', poolId, target: { type: 'job', id: jobId }, changes: {} });
      return job;
    },
  );

  app.post(
    '/api/v1/pools/:poolId/jobs/:jobId/cancel',
    {
      config: docs('Cancel a running job; a finished job is answered as it is'),
      schema: { params: JobParams, response: { 200: JobResponse } },
    },
    async (request) => {
      const { poolId, jobId } = request.params;
      await requirePool(services, poolId);
      const job = await services.jobs.cancel(poolId, jobId);
      if (!job) throw new ApiError('JOB_NOT_FOUND', `No job with id ${jobId} in this pool`);
      await services.audit.record(actorOf(request), { action: 'job.cancel', poolId, target: { type: 'job', id: jobId }, changes: {} });
      return job;
    },
  );
}
