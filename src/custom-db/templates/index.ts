/**
 * The script templates served to administrators: all nine scripts (exportUsers optional) for each kind of
 * database, written against the sample schema (docs/sample-schema.md), so a template saved
 * unchanged works against the sample database.
 *
 * Each script is a plain file, `<template id>/<script name>.js` beside this module, holding
 * exactly the text an administrator receives; ESLint and the conformance suite check those
 * files as they are. They are read once, when this module loads (the server's start).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SCRIPT_NAMES, type ScriptName } from '../contract/script-contract.js';

export type { ScriptName };

export type TemplateId = 'postgres' | 'mysql' | 'mongodb' | 'webservice';

export interface Template {
  readonly id: TemplateId;
  readonly name: string;
  readonly scripts: Readonly<Record<ScriptName, string>>;
}

/** The templates in the order the console lists them, with their display names. */
const TEMPLATE_NAMES: Readonly<Record<TemplateId, string>> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL / MariaDB',
  mongodb: 'MongoDB',
  webservice: 'Web service',
};

export const TEMPLATE_IDS = Object.keys(TEMPLATE_NAMES) as readonly TemplateId[];

/**
 * Where the template files are: in `src/`, found from the package root, so the compiled
 * module (`dist/custom-db/templates/`, at the same depth) reads the very same files and the
 * build has nothing to copy (as the console's build is found, http/routes/console.ts).
 */
export const TEMPLATES_DIRECTORY = fileURLToPath(new URL('../../../src/custom-db/templates/', import.meta.url));

export function templateFilePath(directory: string, id: TemplateId, script: ScriptName): string {
  return join(directory, id, `${script}.js`);
}

/**
 * Reads all templates from `directory`. A missing file is a broken installation, not a
 * request's fault, so it throws (stopping the server's start) and names the file.
 */
export function readTemplates(directory: string = TEMPLATES_DIRECTORY): readonly Template[] {
  return Object.freeze(
    TEMPLATE_IDS.map((id) => {
      const scripts = Object.fromEntries(
        SCRIPT_NAMES.map((script) => {
          const path = templateFilePath(directory, id, script);
          try {
            return [script, readFileSync(path, 'utf8')];
          } catch (error) {
            const reason = error instanceof Error ? error.message : String(error);
            throw new Error(`template file ${path} cannot be read: ${reason}`);
          }
        }),
      ) as Record<ScriptName, string>;
      return Object.freeze({ id, name: TEMPLATE_NAMES[id], scripts: Object.freeze(scripts) });
    }),
  );
}

export const TEMPLATES: readonly Template[] = readTemplates();

export function templateById(id: TemplateId): Template {
  const template = TEMPLATES.find((candidate) => candidate.id === id);
  if (template === undefined) throw new Error(`no template ${id}`);
  return template;
}
