/**
 * Serves the admin console (src/console, built by `npm run build` into dist/console) at
 * /console: hashed assets cached for good, and every other path under /console answered
 * with index.html so the app's own routes survive a reload. When the build is missing,
 * /console says how to make it instead of a bare 404.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** From src/http/routes (tsx, vitest) and dist/http/routes (node) alike: <repo>/dist/console. */
export const CONSOLE_ROOT = fileURLToPath(new URL('../../../dist/console/', import.meta.url));

export interface ConsoleRouteOptions {
  /** the built console; CONSOLE_ROOT unless a test says otherwise */
  root?: string;
}

export const CONSOLE_NOT_BUILT =
  'The admin console has not been built. Run `npm run build` (npm start does it before starting) and reload this page.';

/**
 * The console runs only its own bundle: no inline or third-party scripts, no framing.
 * CodeMirror injects its styles at run time, hence 'unsafe-inline' for styles only.
 */
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
};

/** A last segment with an extension is a file (an asset); anything else is a page of the app. */
const looksLikeFile = (relative: string): boolean => /\.[A-Za-z0-9]+$/.test(relative);

export async function consoleRoutes(app: FastifyInstance, options: ConsoleRouteOptions = {}): Promise<void> {
  const root = path.resolve(options.root ?? CONSOLE_ROOT);
  // serve: false — only sendFile; the routes below decide what is a file and what is a page.
  // The OpenAPI document leaves /console out (http/openapi.ts): it is a page, not API.
  await app.register(fastifyStatic, { root, serve: false, suppressWarning: true, index: false });

  const page = (reply: FastifyReply): FastifyReply => {
    reply.headers(SECURITY_HEADERS);
    if (!existsSync(path.join(root, 'index.html'))) {
      return reply.status(503).type('text/plain; charset=utf-8').header('cache-control', 'no-store').send(CONSOLE_NOT_BUILT);
    }
    // The page names the current hashed assets, so it is always revalidated.
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };

  app.get('/console', async (_request, reply) => page(reply));

  app.get<{ Params: { '*': string } }>('/console/*', async (request, reply) => {
    const relative = request.params['*'];
    if (!looksLikeFile(relative)) return page(reply);
    reply.headers(SECURITY_HEADERS);
    const hashed = relative.startsWith('assets/');
    return reply.sendFile(relative, hashed ? { maxAge: '365d', immutable: true } : { maxAge: 0 });
  });
}
