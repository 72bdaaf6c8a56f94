/**
 * Script pieces the PostgreSQL and MySQL templates share: the sample table's columns, the row
 * → profile mapping and the input → column whitelist. What differs is passed in.
 */
import { DATE_FIELDS, PROFILE_COLUMNS } from '../../sample-db/schema.js';
import { PROFILE_FIELDS, indent, jsString, wrapList } from './compose.js';

export interface SqlDialect {
  /** SQL reading a DATE column as `YYYY-MM-DD` text, e.g. `to_char(birthdate, 'YYYY-MM-DD')`. */
  readonly dateAsText: (column: string) => string;
  /** Extra line(s) at the end of toProfile, e.g. MySQL's 0/1 booleans. */
  readonly profileFixups?: string;
}

const DATE_SET: ReadonlySet<string> = new Set(DATE_FIELDS);

/** field → column, and the SELECT list of every profile column (never `password`). */
export function columnConstants(dialect: SqlDialect): string {
  const entries = PROFILE_FIELDS.map((field) => `${field}: '${PROFILE_COLUMNS[field]}'`);
  const selected = [
    'id',
    ...PROFILE_FIELDS.map((field) => {
      const column = PROFILE_COLUMNS[field];
      return DATE_SET.has(field) ? `${dialect.dateAsText(column)} AS ${column}` : column;
    }),
  ];
  return [
    '// Profile field → column of the sample `users` table.',
    wrapList(entries, 'const COLUMNS = {', '};'),
    '// Every profile column and never `password`: the hash does not leave the database.',
    wrapList(selected.map(jsString), 'const PROFILE = [', "].join(', ');"),
  ].join('\n');
}

export function toProfileHelper(dialect: SqlDialect): string {
  const fixups = dialect.profileFixups === undefined ? '' : `\n${indent(dialect.profileFixups)}`;
  return String.raw`// A row as the profile: camelCase names, string id, timestamps as ISO 8601 text.
function toProfile(row) {
  const profile = { id: String(row.id) };
  for (const [field, column] of Object.entries(COLUMNS)) {
    const value = row[column];
    profile[field] = value instanceof Date ? value.toISOString() : value;
  }` + `${fixups}\n  return profile;\n}`;
}

/** The table's ids are integers; any other id names no user (rather than failing the query). */
export const TO_ROW_ID = String.raw`function toRowId(id) {
  const text = String(id);
  return /^[1-9][0-9]{0,17}$/.test(text) ? text : null;
}`;

/** Backslash is the default LIKE escape character in both PostgreSQL and MySQL. */
export const ESCAPE_LIKE = String.raw`// The keyword matches literally: LIKE's own wildcards (and its escape, \) are escaped.
function escapeLike(text) {
  return String(text).replace(/[\\%_]/g, (character) => '\\' + character);
}`;

/** Needs WRITABLE_FIELDS_CONSTANT among the constants and WRITABLE_FIELDS_HELPER among the helpers. */
export const WRITABLE_COLUMNS = String.raw`// The whitelisted fields of input, as parallel lists of columns and values.
function writableColumns(input) {
  const fields = writableFields(input);
  return { columns: Object.keys(fields).map((field) => COLUMNS[field]), values: Object.values(fields) };
}`;
