/**
 * Writes the admin console's API types (src/console/api/schema.gen.ts) from the OpenAPI
 * document the server serves at GET /api/openapi.json, so the console's idea of the API
 * comes from the schemas the server validates with rather than from a second copy.
 *
 *   npm run generate:api-types     (also run by `npm run build`)
 *
 * The document is taken from a server built in process through the same composition root
 * as `npm start` and asked through `inject`: nothing listens, and the throwaway SQLite
 * data dir is removed afterwards. test/console/api-types.test.ts fails when the committed
 * file differs from what this would write.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString, type OpenAPI3 } from 'openapi-typescript';
import { loadConfig } from '../src/config/config.js';
import { createServer } from '../src/server.js';

export const GENERATED_TYPES_PATH = fileURLToPath(new URL('../src/console/api/schema.gen.ts', import.meta.url));
export const GENERATE_COMMAND = 'npm run generate:api-types';

const HEADER = `/**
 * GENERATED FILE, DO NOT EDIT. Written by tools/generate-console-api-types.ts from the
 * server's OpenAPI document (GET /api/openapi.json); run \`${GENERATE_COMMAND}\` after
 * changing a route or schema. src/console/api/types.ts names the types the console uses.
 */

`;

/** The document GET /api/openapi.json answers, from a server that never listens. */
export async function buildOpenApiDocument(): Promise<OpenAPI3> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-openapi-'));
  try {
    // Through loadConfig, so the tool keeps up with new settings by taking their defaults.
    const loaded = loadConfig({
      GATEHOUSE_DATA_DIR: dataDir,
      GATEHOUSE_ADMIN_TOKEN: randomBytes(24).toString('base64url'),
    });
    if (!loaded.ok) throw new Error(`Could not configure a server for the OpenAPI document:\n${loaded.problems.join('\n')}`);
    const server = await createServer(loaded.config, { runtimes: { warmSpare: false } });
    try {
      const response = await server.app.inject({ method: 'GET', url: '/api/openapi.json' });
      if (response.statusCode !== 200) {
        throw new Error(`GET /api/openapi.json answered ${String(response.statusCode)}: ${response.body}`);
      }
      return response.json<OpenAPI3>();
    } finally {
      await server.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The text of schema.gen.ts for a document; the same document always gives the same text. */
export async function renderApiTypes(document: OpenAPI3): Promise<string> {
  // Sorted keys keep the file independent of the order routes happen to be registered in.
  const ast = await openapiTS(document, { alphabetize: true, silent: true });
  return HEADER + astToString(ast);
}

export async function generateApiTypes(): Promise<string> {
  return renderApiTypes(await buildOpenApiDocument());
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const text = await generateApiTypes();
  writeFileSync(GENERATED_TYPES_PATH, text);
  console.log(`wrote ${path.relative(process.cwd(), GENERATED_TYPES_PATH)}`);
}
