import { Type } from '@sinclair/typebox';
import { JOB_KINDS, JOB_STATUSES } from '../../domain/job.js';
import { Nullable, PageOf, PoolParams } from './common.js';

export const JobResponse = Type.Object({
  id: Type.String(),
  kind: Type.Union(JOB_KINDS.map((kind) => Type.Literal(kind))),
  status: Type.Union(JOB_STATUSES.map((status) => Type.Literal(status))),
  total: Type.Optional(Type.Integer({ minimum: 0 })),
  processed: Type.Integer({ minimum: 0 }),
  created: Type.Integer({ minimum: 0 }),
  updated: Type.Integer({ minimum: 0 }),
  skipped: Type.Integer({ minimum: 0 }),
  failed: Type.Integer({ minimum: 0 }),
  errors: Type.Array(
    Type.Object({
      line: Type.Optional(Type.Integer({ minimum: 1 })),
      externalId: Type.Optional(Type.String()),
      message: Type.String(),
    }),
    { description: 'the first 1000 errors; `failed` counts them all' },
  ),
  startedAt: Type.String(),
  finishedAt: Nullable(Type.String()),
});

export const JobPage = PageOf(JobResponse);

export const JobParams = Type.Composite([PoolParams, Type.Object({ jobId: Type.String({ minLength: 1, maxLength: 64 }) })]);

export const JobStarted = Type.Object({ jobId: Type.String() });
