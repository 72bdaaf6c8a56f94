import { AuditPage, AuditQuery } from '../schemas/admin.js';
import { actorOf, type AppServices, type TypedApp } from '../context.js';
import { ApiError } from '../errors.js';

export async function auditRoutes(app: TypedApp, services: AppServices): Promise<void> {
  app.get(
    '/api/v1/audit',
    {
      config: {
        docs: { summary: 'Admin changes, newest first; a pool-scoped key sees its pool only', tags: ['admin keys'], auth: 'admin' as const },
        openToScopedKeys: true,
      },
      schema: { querystring: AuditQuery, response: { 200: AuditPage } },
    },
    async (request) => {
      const scope = actorOf(request).poolId;
      const { poolId, page, limit } = request.query;
      if (scope !== undefined && poolId !== undefined && poolId !== scope) {
        throw new ApiError('FORBIDDEN', 'This admin key is limited to one pool and may not read another pool\'s audit log');
      }
      return services.audit.list({ poolId: scope ?? poolId, page, limit });
    },
  );
}
