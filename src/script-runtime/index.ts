/**
 * Script runtime: runs administrators' JavaScript in isolated child processes, one per
 * connection, with hard limits; answers results or failure values. See README.md here for
 * the security model (what is enforced and what is not).
 */
export {
  SCRIPT_NAMES,
  SCRIPT_DISPLAY_NAMES,
  FAILURE_KINDS,
  TYPED_ERROR_NAMES,
  DEFAULT_MEMORY_MB,
  MIN_TIMEOUT_MS,
  MAX_TIMEOUT_MS,
  isScriptName,
  isTypedErrorName,
} from './types.js';
export type {
  ScriptName,
  FailureKind,
  ScriptFailure,
  TypedErrorName,
  ScriptLog,
  CallOutcome,
  ConnectionSpec,
  ScriptRuntimePoolOptions,
} from './types.js';
export { ScriptRuntimePool, notImplementedFailure } from './pool.js';
export { checkScriptSource, type SourceCheckResult } from './source-check.js';
export { validateResult, type ValidationResult } from './result-validation.js';
