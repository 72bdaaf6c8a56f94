/**
 * The script templates served to administrators: all eight scripts for each kind of
 * database, written against the sample schema (docs/sample-schema.md), so a template saved
 * unchanged works against the sample database.
 */
import type { ScriptName } from './compose.js';
import { MONGODB_SCRIPTS } from './mongodb.js';
import { MYSQL_SCRIPTS } from './mysql.js';
import { POSTGRES_SCRIPTS } from './postgres.js';
import { WEBSERVICE_SCRIPTS } from './webservice.js';

export type { ScriptName } from './compose.js';

export type TemplateId = 'postgres' | 'mysql' | 'mongodb' | 'webservice';

export interface Template {
  readonly id: TemplateId;
  readonly name: string;
  readonly scripts: Readonly<Record<ScriptName, string>>;
}

export const TEMPLATES: readonly Template[] = Object.freeze([
  { id: 'postgres', name: 'PostgreSQL', scripts: Object.freeze(POSTGRES_SCRIPTS) },
  { id: 'mysql', name: 'MySQL / MariaDB', scripts: Object.freeze(MYSQL_SCRIPTS) },
  { id: 'mongodb', name: 'MongoDB', scripts: Object.freeze(MONGODB_SCRIPTS) },
  { id: 'webservice', name: 'Web service', scripts: Object.freeze(WEBSERVICE_SCRIPTS) },
]);

export function templateById(id: TemplateId): Template {
  const template = TEMPLATES.find((candidate) => candidate.id === id);
  if (template === undefined) throw new Error(`no template ${id}`);
  return template;
}
