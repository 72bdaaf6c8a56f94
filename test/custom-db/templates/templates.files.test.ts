/**
 * The templates an administrator receives are the files on disk, byte for byte: the folder
 * holds one file per database and script and nothing else, the server serves exactly those,
 * and the compiled server in dist/ reads the same files.
 */
import { cpSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEMPLATES, TEMPLATE_IDS, readTemplates } from '../../../src/custom-db/templates/index.js';
import type * as TemplatesModule from '../../../src/custom-db/templates/index.js';
import { SCRIPT_NAMES } from '../../../src/custom-db/contract/script-contract.js';
import { startTestServer, type TestServer } from '../../support/server.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SOURCE_DIRECTORY = path.join(ROOT, 'src/custom-db/templates');

/** Every file under a folder, as sorted relative paths. */
function filesUnder(directory: string): string[] {
  return readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)))
    .sort();
}

const EXPECTED_FILES = TEMPLATE_IDS.flatMap((id) => SCRIPT_NAMES.map((name) => `${id}/${name}.js`)).sort();

/** The templates as files, read here without the server's loader. */
function templatesOnDisk(directory: string): Record<string, Record<string, string>> {
  return Object.fromEntries(
    TEMPLATE_IDS.map((id) => [id, Object.fromEntries(SCRIPT_NAMES.map((name) => [name, readFileSync(path.join(directory, id, `${name}.js`), 'utf8')]))]),
  );
}

describe('template files', () => {
  it('are one file per database and script, beside the loader and nothing else', () => {
    expect(filesUnder(SOURCE_DIRECTORY)).toEqual([...EXPECTED_FILES, 'index.ts'].sort());
  });

  it('are what the loader answers, byte for byte', () => {
    const loaded = Object.fromEntries(TEMPLATES.map((template) => [template.id, template.scripts]));
    expect(loaded).toEqual(templatesOnDisk(SOURCE_DIRECTORY));
    expect(TEMPLATES.map((template) => [template.id, template.name])).toEqual([
      ['postgres', 'PostgreSQL'],
      ['mysql', 'MySQL / MariaDB'],
      ['mongodb', 'MongoDB'],
      ['webservice', 'Web service'],
    ]);
  });

  it('a missing file stops the loader with an error naming it', () => {
    const directory = mkdtempSync(path.join(tmpdir(), 'gatehouse-templates-'));
    try {
      cpSync(SOURCE_DIRECTORY, directory, { recursive: true });
      rmSync(path.join(directory, 'mysql', 'deleteUser.js'));
      expect(() => readTemplates(directory)).toThrow(`template file ${path.join(directory, 'mysql', 'deleteUser.js')} cannot be read`);
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('GET /api/v1/custom-db/templates', () => {
  let t: TestServer;
  beforeAll(async () => {
    t = await startTestServer('sqlite');
  });
  afterAll(() => t.close());

  it('answers the files on disk', async () => {
    const response = await t.admin('GET', '/api/v1/custom-db/templates');
    expect(response.statusCode).toBe(200);
    const { list } = response.json() as { list: { id: string; name: string; scripts: Record<string, string> }[] };
    expect(Object.fromEntries(list.map((template) => [template.id, template.scripts]))).toEqual(templatesOnDisk(SOURCE_DIRECTORY));
    expect(list.map((template) => Object.keys(template).sort())).toEqual(TEMPLATE_IDS.map(() => ['id', 'name', 'scripts']));
  });
});

describe('the compiled server (dist/, built by the test setup with tsconfig.build.json as npm run build does)', () => {
  it('reads the same files from src/', async () => {
    const compiled = (await import(pathToFileURL(path.join(ROOT, 'dist/custom-db/templates/index.js')).href)) as typeof TemplatesModule;
    expect(compiled.TEMPLATES_DIRECTORY).toBe(SOURCE_DIRECTORY + path.sep);
    expect(compiled.TEMPLATES).toEqual(TEMPLATES);
  });
});
