/**
 * The editor's check: the same one the server makes on save (script-runtime/source-check),
 * so what the editor marks is exactly what a save would refuse. An empty editor is the
 * default script and passes.
 */
import { checkScriptSource, type SourceCheckResult } from '../../custom-db/contract/source-check.js';
import type { ScriptName } from '../api/types.js';

export type ScriptCheck = SourceCheckResult;

export function checkScript(name: ScriptName, source: string): ScriptCheck {
  return source.trim() === '' ? { ok: true } : checkScriptSource(name, source);
}
