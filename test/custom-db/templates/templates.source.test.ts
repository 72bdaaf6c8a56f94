/**
 * The template scripts as source: each of the 32 parses as the runtime runs it, passes ESLint's
 * recommended rules with only the globals the runtime gives a script, declares nothing at the
 * top level but its own function, and builds SQL and queries from constants only.
 */
import { describe, expect, it } from 'vitest';
import { Linter } from 'eslint';
import js from '@eslint/js';
import { TEMPLATES } from '../../../src/custom-db/templates/index.js';
import { SCRIPT_NAMES } from '../../../src/custom-db/contract/script-contract.js';
import { checkScriptSource } from '../../../src/custom-db/contract/source-check.js';

/** What SCRIPTS.md says a script can use, beyond the language's own built-ins. */
const SCRIPT_GLOBALS = Object.fromEntries(
  [
    'env', 'require', 'console', 'global', 'fetch', 'URL', 'TextEncoder', 'AbortSignal', 'setTimeout', 'clearTimeout',
    'WrongUsernameOrPasswordError', 'UserNotFoundError', 'UserExistsError', 'AccountBlockedError',
  ].map((name) => [name, 'readonly' as const]),
);

const linter = new Linter({ configType: 'flat' });

describe.each(TEMPLATES.map((template) => [template.id, template] as const))('%s template sources', (_id, template) => {
  it('has exactly the eight scripts', () => {
    expect(Object.keys(template.scripts).sort()).toEqual([...SCRIPT_NAMES].sort());
  });

  it.each(SCRIPT_NAMES.map((name) => [name]))('%s passes the runtime source check and ESLint', (name) => {
    const source = template.scripts[name];
    expect(checkScriptSource(name, source)).toEqual({ ok: true });
    const messages = linter.verify(source, [
      {
        languageOptions: { ecmaVersion: 2023, sourceType: 'script', globals: SCRIPT_GLOBALS },
        rules: {
          ...js.configs.recommended.rules,
          // The script's own function is what the runtime calls.
          'no-unused-vars': ['error', { varsIgnorePattern: `^${name}$`, args: 'none' }],
        },
      },
    ]);
    expect(messages.map((message) => `${String(message.line)}:${String(message.column)} ${message.message}`)).toEqual([]);
  });

  it.each(SCRIPT_NAMES.map((name) => [name]))('%s declares nothing at the top level but its function', (name) => {
    const topLevel = template.scripts[name]
      .split('\n')
      .filter((line) => /^(const|let|var|function|async function|class)\b/.test(line));
    expect(topLevel).toHaveLength(1);
    expect(topLevel[0]).toMatch(new RegExp(`^async function ${name}\\(`));
  });
});
