/**
 * The generic runtime's spec for an Auth0 connection: each Auth0 script becomes an entry
 * (`auth0_<script>`) whose source is the script as written, inside a function scope of its
 * own with Auth0's `require`, followed by a wrapper the runtime calls; the Gatehouse-style
 * companions (getUser, listUsers, searchUser) are entries as they are. The globals are the
 * Auth0 prelude. Same runtime, limits, egress and failure kinds as every connection.
 */
import type { Auth0CompanionScript, Auth0ScriptName } from './auth0-scripts.js';
import { AUTH0_COMPANION_SCRIPTS, AUTH0_FUNCTION_NAMES, AUTH0_SCRIPT_NAMES, auth0ScriptLabel } from './auth0-scripts.js';
import { ADAPTER_GLOBAL } from './sandbox-prelude.js';
import { scriptLabel } from '../contract/script-contract.js';

export type Auth0Entry = Auth0ScriptName | Auth0CompanionScript;

/** Runtime entry names must be identifiers, and must not collide with a script's own functions. */
export function entryName(script: Auth0ScriptName): string {
  return `auth0_${script}`;
}

/**
 * The script's source on the wrapper's first line (so line numbers stay the administrator's),
 * whichever of its accepted function names it declares picked after it.
 */
export function auth0EntrySource(script: Auth0ScriptName, source: string): string {
  const names = AUTH0_FUNCTION_NAMES[script];
  const pick = `${names.map((name) => `typeof ${name} === 'function' ? ${name} : `).join('')}undefined`;
  const label = auth0ScriptLabel(script);
  const missing = `${label} does not declare a top-level function ${names.join(' or ')}`;
  return [
    `const auth0Script = (function (require) { ${source}`,
    `;return ${pick};`,
    `}).call(globalThis, ${ADAPTER_GLOBAL}.require(require));`,
    `if (auth0Script === undefined) throw new SyntaxError(${JSON.stringify(missing)});`,
    `async function ${entryName(script)}(...args) { return ${ADAPTER_GLOBAL}.invoke(auth0Script, args, ${JSON.stringify(label)}); }`,
  ].join('\n');
}

/** Sources and labels of the entries of the scripts that have source. */
export function auth0Sources(scripts: Readonly<Partial<Record<string, string | null>>>): {
  sources: Record<string, string>;
  labels: Record<string, string>;
} {
  const sources: Record<string, string> = {};
  const labels: Record<string, string> = {};
  for (const script of AUTH0_SCRIPT_NAMES) {
    const source = scripts[script];
    if (typeof source !== 'string' || source.trim() === '') continue;
    sources[entryName(script)] = auth0EntrySource(script, source);
    labels[entryName(script)] = auth0ScriptLabel(script);
  }
  for (const script of AUTH0_COMPANION_SCRIPTS) {
    const source = scripts[script];
    if (typeof source !== 'string' || source.trim() === '') continue;
    sources[script] = source;
    labels[script] = scriptLabel(script);
  }
  return { sources, labels };
}
