import { describe, expect, test } from 'vitest';
import { checkScriptSource } from '../../src/custom-db/contract/source-check.js';

describe('checkScriptSource', () => {
  test('accepts an async function named after the script, with top-level code and await', () => {
    expect(checkScriptSource('login', "const { Pool } = require('pg');\nawait null;\nasync function login(query, password, context) { return { id: 1 }; }")).toEqual({ ok: true });
  });

  test('accepts a plain function too', () => {
    expect(checkScriptSource('deleteUser', 'function deleteUser(id) { return true; }')).toEqual({ ok: true });
  });

  test('reports a syntax error with its line and column (1-based)', () => {
    expect(checkScriptSource('getUser', 'async function getUser(query) {\n  const x = ;\n}')).toEqual({
      ok: false,
      message: 'Unexpected token',
      line: 2,
      column: 13,
      from: 44,
      to: 45,
    });
  });

  test('reports a missing function', () => {
    expect(checkScriptSource('listUsers', 'async function listUser() {}')).toMatchObject({
      ok: false,
      message: 'The List users script must declare a top-level `async function listUsers(…)`',
    });
  });

  test('a function of that name nested in another does not count', () => {
    expect(checkScriptSource('login', 'function outer() { async function login() {} }').ok).toBe(false);
  });

  test('refuses a generator', () => {
    expect(checkScriptSource('login', '\n  async function* login() {}')).toMatchObject({ ok: false, line: 2, column: 3 });
  });

  test('refuses module syntax (scripts are classic scripts using require)', () => {
    expect(checkScriptSource('login', "import pg from 'pg';\nasync function login() {}")).toMatchObject({ ok: false, line: 1 });
  });
});
