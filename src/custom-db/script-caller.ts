/**
 * Runs one of a pool's scripts the way every caller needs it run: the user-script contract
 * applied on top of the generic runtime (default scripts answer `not_implemented`, typed
 * errors defined, results checked), the `context` argument filled in, the outcome written to
 * the connection log with every secret scrubbed out, and a failure translated into the API's
 * error codes in one place.
 */
import type { Pool } from '../domain/pool.js';
import type { RequestInfo } from '../domain/user.js';
import { fail, type Failure } from '../domain/result.js';
import type { CustomDbFailureCode } from '../domain/error-codes.js';
import type { RuntimeSpec, ScriptRuntimePool } from '../script-runtime/index.js';
import { connectionEgressPolicy } from './contract/egress.js';
import { validateResult } from './contract/result-validation.js';
import {
  SCRIPT_DISPLAY_NAMES,
  SCRIPT_NAMES,
  TYPED_ERRORS_PRELUDE,
  isScriptName,
  isTypedErrorName,
  notImplementedFailure,
  scriptLabel,
  type CallOutcome,
  type ConnectionSpec,
  type ScriptFailure,
  type ScriptName,
  type TypedErrorName,
} from './contract/script-contract.js';
import type { CustomDbConfig } from './connection-config.js';
import { secretsOf } from './config-secrets.js';
import { passwordsIn, redactExportedHashesFromLogs, redactOutcome } from './redaction.js';
import { runtimeSpec, type ServerServices } from './runtime-spec.js';
import type { ConnectionLog } from './connection-log.js';

function scriptSource(spec: ConnectionSpec, script: ScriptName): string | null {
  const source = spec.scripts[script];
  return typeof source === 'string' && source.trim() !== '' ? source : null;
}

const LABELS: Record<string, string> = Object.fromEntries(SCRIPT_NAMES.map((name) => [name, scriptLabel(name)]));

/**
 * The generic runtime's spec for a connection: only the scripts with source (in the
 * contract's order), the typed errors as a globals prelude, and the egress policy.
 * Cached per spec object, so the runtime pool sees the same object (and hashes it once).
 */
const runtimeSpecs = new WeakMap<ConnectionSpec, RuntimeSpec>();
export function toRuntimeSpec(spec: ConnectionSpec): RuntimeSpec {
  const cached = runtimeSpecs.get(spec);
  if (cached !== undefined) return cached;
  const sources: Record<string, string> = {};
  for (const name of SCRIPT_NAMES) {
    const source = scriptSource(spec, name);
    if (source !== null) sources[name] = source;
  }
  const fresh: RuntimeSpec = {
    key: spec.key,
    sources,
    env: spec.env,
    globalsSource: TYPED_ERRORS_PRELUDE,
    labels: LABELS,
    limits: { timeoutMs: spec.timeoutMs, ...(spec.memoryMb === undefined ? {} : { memoryMb: spec.memoryMb }) },
    egress: connectionEgressPolicy(spec),
  };
  runtimeSpecs.set(spec, fresh);
  return fresh;
}

/**
 * One script call under the contract: a default script fails with `not_implemented` without
 * a runtime, and a successful result of the wrong shape fails with `invalid_result`.
 * Never rejects.
 */
export async function runUserScript(
  runtimes: ScriptRuntimePool,
  spec: ConnectionSpec,
  script: ScriptName,
  args: unknown[],
): Promise<CallOutcome> {
  if (!isScriptName(script)) {
    return { ok: false, error: { kind: 'runtime', name: 'Error', message: `Unknown script ${JSON.stringify(script)}` }, logs: [], durationMs: 0 };
  }
  if (scriptSource(spec, script) === null) return { ok: false, error: notImplementedFailure(script), logs: [], durationMs: 0 };
  const outcome = await runtimes.call(toRuntimeSpec(spec), script, args);
  if (!outcome.ok) return outcome;
  const valid = validateResult(script, outcome.result);
  return valid.ok
    ? outcome
    : { ok: false, error: { kind: 'invalid_result', name: 'InvalidResultError', message: valid.message }, logs: outcome.logs, durationMs: outcome.durationMs };
}

/** How many arguments each script takes before `context`. */
export const SCRIPT_ARITY: Record<ScriptName, number> = {
  login: 2,
  getUser: 1,
  searchUser: 1,
  createUser: 1,
  updateUser: 2,
  deleteUser: 1,
  listUsers: 2,
  validatePassword: 2,
  exportUsers: 2,
};

export interface ScriptContext {
  userPoolId: string;
  userPoolName: string;
  userPoolMetadata: Record<string, unknown>;
  request: { ip: string | null; userAgent: string | null };
  page?: number;
  limit?: number;
}

export interface ScriptCaller {
  /** Runs `script` with `args` (without context); every secret is scrubbed from what comes back. */
  call(
    script: ScriptName,
    args: unknown[],
    options?: { request?: RequestInfo | null; paging?: { page: number; limit: number } },
  ): Promise<CallOutcome>;
}

/**
 * The runtime spec and the secrets of a config, worked out once per opened config: the
 * same spec object on every call also lets the runtime pool skip re-hashing the scripts.
 */
const derived = new WeakMap<CustomDbConfig, { poolId: string; services: ServerServices | undefined; spec: ConnectionSpec; secrets: string[] }>();
function derivedFrom(
  poolId: string,
  config: CustomDbConfig,
  services: ServerServices | undefined,
): { spec: ConnectionSpec; secrets: string[] } {
  const cached = derived.get(config);
  if (cached?.poolId === poolId && cached.services === services) return cached;
  const fresh = { poolId, services, spec: runtimeSpec(poolId, config, services), secrets: secretsOf(config) };
  derived.set(config, fresh);
  return fresh;
}

export function createScriptCaller(
  pool: Pool,
  config: CustomDbConfig,
  runtimes: ScriptRuntimePool,
  log: ConnectionLog,
  /** the server's own listener and store, once it listens: refused to scripts */
  serverServices?: ServerServices,
): ScriptCaller {
  const { spec, secrets: configSecrets } = derivedFrom(pool.id, config, serverServices);
  return {
    async call(script, args, options = {}) {
      const context: ScriptContext = {
        userPoolId: pool.id,
        userPoolName: pool.name,
        userPoolMetadata: pool.metadata,
        request: { ip: options.request?.ip ?? null, userAgent: options.request?.userAgent ?? null },
        ...options.paging,
      };
      const padded = Array.from({ length: SCRIPT_ARITY[script] }, (_, i) => (args[i] === undefined ? null : args[i]));
      const raw = await runUserScript(runtimes, spec, script, [...padded, context]);
      const outcome = redactOutcome(redactExportedHashesFromLogs(script, raw), [...configSecrets, ...passwordsIn(script, args)]);
      log.append(pool.id, {
        at: new Date().toISOString(),
        script,
        outcome: outcome.ok ? 'success' : outcomeName(outcome.error),
        durationMs: outcome.durationMs,
        message: outcome.ok ? '' : `${outcome.error.name}: ${outcome.error.message}`,
      });
      return outcome;
    },
  };
}

/** `rejected` for typed errors (an expected answer such as a wrong password), else the failure kind. */
function outcomeName(failure: ScriptFailure): string {
  return failure.kind === 'runtime' && isTypedErrorName(failure.name) ? 'rejected' : failure.kind;
}

const TYPED_ERROR_CODES: Record<TypedErrorName, { code: CustomDbFailureCode; message: string }> = {
  WrongUsernameOrPasswordError: { code: 'WRONG_USERNAME_OR_PASSWORD', message: 'Wrong username or password' },
  UserNotFoundError: { code: 'USER_NOT_FOUND', message: 'No such user' },
  UserExistsError: { code: 'USER_EXISTS', message: 'A user with this email, username or phone already exists' },
  AccountBlockedError: { code: 'ACCOUNT_BLOCKED', message: 'This account is blocked' },
};

/** A script failure as the API answers it: typed errors keep their meaning, the rest are generic. */
export function failureFor(script: ScriptName, failure: ScriptFailure): { ok: false; error: Failure<CustomDbFailureCode> } {
  if (failure.kind === 'runtime' && isTypedErrorName(failure.name)) {
    // In login, "no such user" is the same answer as a wrong password: no account enumeration.
    if (script === 'login' && failure.name === 'UserNotFoundError') {
      return fail('WRONG_USERNAME_OR_PASSWORD', TYPED_ERROR_CODES.WrongUsernameOrPasswordError.message);
    }
    const typed = TYPED_ERROR_CODES[failure.name];
    return fail(typed.code, typed.message);
  }
  switch (failure.kind) {
    case 'not_implemented':
      return fail('SCRIPT_NOT_IMPLEMENTED', `Please implement the ${SCRIPT_DISPLAY_NAMES[script]} script for this database connection`);
    case 'timeout':
      return fail('CUSTOM_DB_TIMEOUT', 'The custom database did not answer in time');
    default:
      return fail('CUSTOM_DB_ERROR', 'The custom database script failed; its connection log has the details');
  }
}
