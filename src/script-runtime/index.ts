/**
 * Script runtime: runs JavaScript in isolated child processes, one per key, with hard
 * limits; answers results or failure values. A generic runner: the user-script contract
 * (names, typed errors, result shapes) is custom-db's. See README.md here for the security
 * model (what is enforced and what is not).
 */
export { RUNTIME_FAILURE_KINDS, DEFAULT_MEMORY_MB, MIN_TIMEOUT_MS, MAX_TIMEOUT_MS, isRuntimeCrash } from './types.js';
export type {
  RuntimeFailureKind,
  RuntimeFailure,
  ScriptLog,
  RunOutcome,
  RuntimeLimits,
  RuntimeSpec,
  ScriptRuntimePoolOptions,
  SandboxStatus,
  RuntimeStopReason,
  ScriptRuntimePoolEvents,
  StartupSnapshotStatus,
} from './types.js';
export { sandboxCapabilities, type SandboxCapabilities, type SandboxLevel } from './os-sandbox.js';
export { ScriptRuntimePool, sandboxStatusFor } from './pool.js';
export { checkEntrySource, type SourceCheckResult } from './source-check.js';
export { egressPolicyFor, normaliseHost, parseAllowedHost, type EgressPolicy, type EgressRule, type ServiceAddress } from './egress-broker.js';
