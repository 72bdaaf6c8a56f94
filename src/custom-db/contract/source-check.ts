/**
 * The save-time (and editor) check of a user script: the runtime's entry check, named the
 * way administrators know the scripts. Pure: the console runs it in the browser.
 */
import { checkEntrySource, type SourceCheckResult } from '../../script-runtime/source-check.js';
import { scriptLabel, type ScriptName } from './script-contract.js';

export type { SourceCheckResult };

export function checkScriptSource(script: ScriptName, source: string): SourceCheckResult {
  return checkEntrySource(script, source, scriptLabel(script));
}
