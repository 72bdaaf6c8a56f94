import { describe, expect, test } from 'vitest';
import { checkScriptSource } from '../../src/custom-db/contract/source-check.js';
import { checkEntrySource } from '../../src/script-runtime/source-check.js';

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

describe('checkEntrySource', () => {
  test('names the entry by default, or by the label given', () => {
    expect(checkEntrySource('f', 'function g() {}')).toEqual({ ok: false, message: 'The f entry must declare a top-level `async function f(…)`', line: 1, column: 1, from: 0, to: 15 });
    expect(checkEntrySource('f', 'function g() {}', 'The Login script')).toMatchObject({ message: 'The Login script must declare a top-level `async function f(…)`' });
  });

  test('a missing entry marks the first line, or the whole source when it has one line', () => {
    expect(checkEntrySource('f', 'const f = async () => {};\nmore();')).toEqual({ ok: false, message: 'The f entry must declare a top-level `async function f(…)`', line: 1, column: 1, from: 0, to: 25 });
    expect(checkEntrySource('f', '')).toMatchObject({ ok: false, line: 1, column: 1, from: 0, to: 0 });
  });

  test('other statements and functions before the entry are passed over', () => {
    expect(checkEntrySource('f', 'const x = 1;\nfunction g() {}\nasync function f() {}')).toEqual({ ok: true });
  });

  test('a function expression, arrow or class of that name does not count', () => {
    expect(checkEntrySource('f', 'const f = async () => {};').ok).toBe(false);
    expect(checkEntrySource('f', 'var f = function f() {};').ok).toBe(false);
    expect(checkEntrySource('f', 'class f {}').ok).toBe(false);
  });

  test('a generator marks its whole declaration, line and column 1-based', () => {
    expect(checkEntrySource('f', 'function g() {}\n  function* f() {}')).toEqual({
      ok: false,
      message: '`f` must be a function or an async function, not a generator',
      line: 2,
      column: 3,
      from: 18,
      to: 34,
    });
  });

  test('the first declaration of the name decides', () => {
    expect(checkEntrySource('f', 'function f() {}\nfunction* f() {}')).toEqual({ ok: true });
    expect(checkEntrySource('f', 'function* f() {}\nfunction f() {}')).toMatchObject({ ok: false, from: 0, to: 16 });
  });

  test('a syntax error past line 9 and column 9 loses only its "(line:column)" suffix', () => {
    expect(checkEntrySource('f', `${'\n'.repeat(11)}function f() { let x = ; }`)).toEqual({ ok: false, message: 'Unexpected token', line: 12, column: 24, from: 34, to: 35 });
  });

  test('an error at the end of the source marks an empty span there', () => {
    expect(checkEntrySource('f', 'function f() {')).toEqual({ ok: false, message: 'Unexpected token', line: 1, column: 15, from: 14, to: 14 });
  });

  test('a hashbang line is refused (the source runs inside a function body)', () => {
    expect(checkEntrySource('f', '#!/usr/bin/env node\nfunction f() {}')).toEqual({ ok: false, message: "Unexpected character '!'", line: 1, column: 2, from: 1, to: 2 });
  });

  test('top-level await is accepted; current syntax parses', () => {
    expect(checkEntrySource('f', 'await Promise.resolve();\nfunction f() {}')).toEqual({ ok: true });
    expect(checkEntrySource('f', 'class A { static #n = 1; static { A.#n ??= 2; } static has(o) { return #n in o; } }\nconst s = /[\\p{L}--[a-z]]/v;\nfunction f() {}')).toEqual({ ok: true });
  });

  test('module syntax is refused: sources are classic scripts', () => {
    expect(checkEntrySource('f', "import pg from 'pg';\nfunction f() {}")).toMatchObject({ ok: false, message: "'import' and 'export' may appear only with 'sourceType: module'", line: 1, column: 1 });
    expect(checkEntrySource('f', 'export function f() {}')).toMatchObject({ ok: false, line: 1, column: 1 });
  });
});
