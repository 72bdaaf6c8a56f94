/**
 * The one rule that keeps a pool-scoped admin key inside its pool, checked for every admin
 * request before its body is read or its route runs, so a route added later is covered
 * without doing anything:
 *
 * - a route whose path names a pool (`/api/v1/pools/:poolId/…`, or any `:poolId` param)
 *   is allowed only for the key's pool;
 * - a route without a pool in its path is refused unless it says `openToScopedKeys`
 *   (it then narrows its answer to the key's pool itself).
 *
 * The refusal says nothing of the other pool, not even whether it exists.
 */
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../domain/actor.js';
import { ApiError } from './errors.js';

/** The name of the path parameter that holds the pool, in a route under /api/v1/pools/. */
const POOL_PATH = /^\/api\/v1\/pools\/:([A-Za-z0-9_]+)/;

/** The pool a request's path names, or undefined when its route has none. */
function poolInPath(request: FastifyRequest): string | undefined {
  const params = (request.params ?? {}) as Record<string, unknown>;
  const name = POOL_PATH.exec(request.routeOptions.url ?? '')?.[1] ?? 'poolId';
  const value = params[name];
  return typeof value === 'string' ? value : undefined;
}

export function assertWithinScope(actor: Actor, request: FastifyRequest): void {
  if (actor.poolId === undefined) return;
  const poolId = poolInPath(request);
  const allowed = poolId === undefined ? request.routeOptions.config.openToScopedKeys === true : poolId === actor.poolId;
  if (!allowed) throw new ApiError('FORBIDDEN', 'This admin key is limited to one pool and may not use this endpoint');
}
