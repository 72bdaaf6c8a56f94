/**
 * The editor's check: the same one the server makes on save (script-runtime/source-check),
 * so what the editor marks is exactly what a save would refuse. An empty editor is the
 * default script and passes.
 */
import { checkScriptSource, type SourceCheckResult } from '../../custom-db/contract/source-check.js';
import { checkAuth0ScriptSource, isAuth0ScriptName } from '../../custom-db/auth0/auth0-scripts.js';
import type { ScriptKey } from '../api/types.js';

export type ScriptCheck = SourceCheckResult;

/** `login` is checked the same way in both dialects: a top-level function named login. */
export function checkScript(name: ScriptKey, source: string): ScriptCheck {
  if (source.trim() === '') return { ok: true };
  return name !== 'login' && isAuth0ScriptName(name) ? checkAuth0ScriptSource(name, source) : checkScriptSource(name, source);
}
