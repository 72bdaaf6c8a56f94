/**
 * The template scripts as source, as the server serves them: each of the 36 parses with the
 * server's own save-time check and declares its function; declares nothing else at the top
 * level (so scripts of one connection cannot collide, whichever way the runtime scopes them);
 * passes the project's ESLint config for template files, which lints them as classic scripts
 * with only the script globals; and writes the sample schema's facts (columns, fields) as the
 * sample-db module has them, now that no code copies them in.
 */
import { describe, expect, it } from 'vitest';
import { ESLint } from 'eslint';
import { parse, type Node } from 'acorn';
import { TEMPLATES, TEMPLATES_DIRECTORY, templateFilePath } from '../../../src/custom-db/templates/index.js';
import { SCRIPT_NAMES } from '../../../src/custom-db/contract/script-contract.js';
import { checkScriptSource } from '../../../src/custom-db/contract/source-check.js';
import { DATE_FIELDS, PROFILE_COLUMNS, SEARCH_FIELDS, TIMESTAMP_FIELDS, WRITABLE_FIELDS } from '../../../src/sample-db/schema.js';

/** As the runtime runs a script: a classic script inside an async function. */
function parseScript(source: string) {
  return parse(source, { ecmaVersion: 'latest', sourceType: 'script', allowAwaitOutsideFunction: true });
}

const eslint = new ESLint();

describe.each(TEMPLATES.map((template) => [template.id, template] as const))('%s template sources', (_id, template) => {
  it('has exactly the nine scripts', () => {
    expect(Object.keys(template.scripts).sort()).toEqual([...SCRIPT_NAMES].sort());
  });

  it.each(SCRIPT_NAMES.map((name) => [name]))('%s passes the server\'s source check (parses, declares its function)', (name) => {
    expect(checkScriptSource(name, template.scripts[name])).toEqual({ ok: true });
  });

  it.each(SCRIPT_NAMES.map((name) => [name]))('%s declares nothing at the top level but its function', (name) => {
    const declared = parseScript(template.scripts[name]).body.flatMap((statement) => {
      if (statement.type === 'FunctionDeclaration' || statement.type === 'ClassDeclaration') return [statement.id.name];
      if (statement.type === 'VariableDeclaration') {
        return statement.declarations.map((declaration) => (declaration.id.type === 'Identifier' ? declaration.id.name : declaration.id.type));
      }
      return [];
    });
    expect(declared).toEqual([name]);
  });

  it.each(SCRIPT_NAMES.map((name) => [name]))('%s passes ESLint as a template file', async (name) => {
    const [result] = await eslint.lintText(template.scripts[name], { filePath: templateFilePath(TEMPLATES_DIRECTORY, template.id, name) });
    expect(result?.messages.map((message) => `${String(message.line)}:${String(message.column)} ${message.message}`)).toEqual([]);
  });
});

describe('the ESLint config for template files', () => {
  const login = TEMPLATES[0]?.scripts.login ?? '';
  const filePath = templateFilePath(TEMPLATES_DIRECTORY, 'postgres', 'login');

  async function ruleIds(source: string, path = filePath): Promise<(string | null)[]> {
    const [result] = await eslint.lintText(source, { filePath: path });
    return result?.messages.map((message) => message.ruleId) ?? ['no result'];
  }

  it('refuses the server\'s globals that a script is not given', async () => {
    expect(await ruleIds(`${login}\nprocess.exit(1);\n`)).toEqual(['no-undef']);
  });

  it('lets only the function named after the file go unused', async () => {
    expect(await ruleIds(`${login}\nasync function getUser() {}\n`)).toEqual(['@typescript-eslint/no-unused-vars']);
    const getUserPath = templateFilePath(TEMPLATES_DIRECTORY, 'postgres', 'getUser');
    expect(await ruleIds(login, getUserPath)).toEqual(['@typescript-eslint/no-unused-vars']);
  });
});

/** The value of a literal (string, number, boolean, null, or arrays and objects of them). */
function literalValue(node: Node): unknown {
  if (node.type === 'Literal' && 'value' in node) return node.value;
  if (node.type === 'ArrayExpression' && 'elements' in node) {
    return (node.elements as (Node | null)[]).map((element) => (element === null ? undefined : literalValue(element)));
  }
  if (node.type === 'ObjectExpression' && 'properties' in node) {
    return Object.fromEntries(
      (node.properties as Node[]).map((property) => {
        if (property.type !== 'Property' || !('key' in property) || !('value' in property)) throw new Error('not a literal object');
        const key = property.key as Node;
        const name = key.type === 'Identifier' && 'name' in key ? key.name : literalValue(key);
        return [String(name), literalValue(property.value as Node)];
      }),
    );
  }
  throw new Error(`not a literal: ${node.type}`);
}

/** Every `const NAME = <literal>` (or `<literal array>.join(…)`) in a script, wherever it is. */
function constants(source: string): [string, unknown][] {
  const found: [string, unknown][] = [];
  const visit = (value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach(visit);
      return;
    }
    if (typeof value !== 'object' || value === null || !('type' in value)) return;
    const node = value as Node & Record<string, unknown>;
    if (node.type === 'VariableDeclarator') {
      const id = node['id'] as Node & { name?: string };
      let init = node['init'] as (Node & Record<string, unknown>) | null;
      // `[…].join(', ')`: the list is the fact.
      if (init?.type === 'CallExpression') init = ((init['callee'] as Record<string, unknown>)['object'] as typeof init | undefined) ?? null;
      if (id.type === 'Identifier' && id.name !== undefined && init !== null && /^(Literal|ArrayExpression|ObjectExpression)$/.test(init.type)) {
        try {
          found.push([id.name, literalValue(init)]);
        } catch {
          // Not a constant of literals (it computes something): not a schema fact.
        }
      }
    }
    for (const [key, child] of Object.entries(node)) if (key !== 'type') visit(child);
  };
  visit(parseScript(source));
  return found;
}

const PROFILE_FIELDS = Object.keys(PROFILE_COLUMNS);

describe.each(TEMPLATES.map((template) => [template.id, template] as const))('%s template: the sample schema written in', (id, template) => {
  it('every copy of a schema constant equals the sample schema', () => {
    const checked = new Set<string>();
    for (const name of SCRIPT_NAMES) {
      for (const [constant, value] of constants(template.scripts[name])) {
        const where = `${id}/${name}.js ${constant}`;
        switch (constant) {
          case 'COLUMNS':
            expect(value, where).toEqual(PROFILE_COLUMNS);
            break;
          case 'PROFILE_FIELDS':
            expect(value, where).toEqual(PROFILE_FIELDS);
            break;
          case 'WRITABLE_FIELDS':
            expect(value, where).toEqual(WRITABLE_FIELDS);
            break;
          case 'TIMESTAMPS':
            expect(value, where).toEqual(TIMESTAMP_FIELDS);
            break;
          case 'SEARCHED':
            expect(value, where).toEqual(SEARCH_FIELDS);
            break;
          case 'PROFILE': {
            // The SELECT list: the id and every profile column (dates formatted), never the hash.
            const items = value as string[];
            const columns = items.map((item) => / AS (\w+)$/.exec(item)?.[1] ?? item);
            expect(columns, where).toEqual(['id', ...Object.values(PROFILE_COLUMNS)]);
            // Only DATE columns are read through an expression (as YYYY-MM-DD text).
            expect(columns.filter((_column, index) => items[index] !== columns[index]), where).toEqual(DATE_FIELDS.map((field) => PROFILE_COLUMNS[field]));
            break;
          }
          case 'MATCHES':
            // PostgreSQL writes its search condition out; MySQL's is computed from SEARCHED.
            expect(value, where).toBe(SEARCH_FIELDS.map((field) => `${field} ILIKE $1`).join(' OR '));
            break;
          default:
            continue;
        }
        checked.add(constant);
      }
    }
    // Each template carries its profile mapping and write whitelist, so none is left unchecked.
    expect([...checked].sort()).toEqual(
      expect.arrayContaining(id === 'postgres' || id === 'mysql' ? ['COLUMNS', 'PROFILE', 'WRITABLE_FIELDS'] : ['PROFILE_FIELDS', 'WRITABLE_FIELDS']),
    );
  });
});
