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
import { ERROR_STATUS, type CustomDbFailureCode } from '../domain/error-codes.js';
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
import { runAuth0Operation } from './auth0/auth0-operations.js';
import { auth0Sources, entryName, type Auth0Entry } from './auth0/auth0-runtime.js';
import { AUTH0_PRELUDE } from './auth0/sandbox-prelude.js';
import { isAuth0ScriptName } from './auth0/auth0-scripts.js';
import type { ConnectionGuard, Refusal } from './breaker.js';

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
  // The Auth0 dialect is this same spec with other entries and globals: one runtime, one set of limits.
  const auth0 = spec.dialect === 'auth0' ? auth0Sources(spec.scripts) : null;
  const fresh: RuntimeSpec = {
    key: spec.key,
    sources: auth0?.sources ?? sources,
    env: spec.env,
    globalsSource: auth0 === null ? TYPED_ERRORS_PRELUDE : AUTH0_PRELUDE,
    labels: auth0?.labels ?? LABELS,
    limits: { timeoutMs: spec.timeoutMs, ...(spec.memoryMb === undefined ? {} : { memoryMb: spec.memoryMb }) },
    egress: connectionEgressPolicy(spec),
  };
  runtimeSpecs.set(spec, fresh);
  return fresh;
}

/**
 * Sees each call of an Auth0 connection's scripts (the script as the connection names it,
 * its arguments, its outcome) and answers the outcome to go on with: the script caller
 * scrubs and logs each one there, as one operation may run several scripts.
 */
export type EntryObserver = (script: string, args: readonly unknown[], outcome: CallOutcome) => CallOutcome;

const unobserved: EntryObserver = (_script, _args, outcome) => outcome;

/** One run of an Auth0 script or a Gatehouse-style companion of an Auth0 connection, its outcome as the script gave it. */
export async function runAuth0Entry(
  runtimes: ScriptRuntimePool,
  spec: ConnectionSpec,
  entry: Auth0Entry,
  args: unknown[],
  observe: EntryObserver = unobserved,
): Promise<CallOutcome> {
  if (scriptSource(spec, entry as ScriptName) === null) {
    const failure: ScriptFailure = isAuth0ScriptName(entry)
      ? { kind: 'not_implemented', name: 'NotImplementedError', message: `This connection has no Auth0 ${entry} script` }
      : notImplementedFailure(entry);
    return { ok: false, error: failure, logs: [], durationMs: 0 };
  }
  const outcome = await runtimes.call(toRuntimeSpec(spec), isAuth0ScriptName(entry) ? entryName(entry) : entry, args);
  return observe(entry, args, outcome);
}

/**
 * One script call under the contract: a default script fails with `not_implemented` without
 * a runtime, and a successful result of the wrong shape fails with `invalid_result`. With
 * the Auth0 dialect the operation is carried out by Auth0's scripts (auth0/auth0-operations.ts).
 * Never rejects.
 */
export async function runUserScript(
  runtimes: ScriptRuntimePool,
  spec: ConnectionSpec,
  script: ScriptName,
  args: unknown[],
  observe: EntryObserver = unobserved,
): Promise<CallOutcome> {
  if (!isScriptName(script)) {
    return { ok: false, error: { kind: 'runtime', name: 'Error', message: `Unknown script ${JSON.stringify(script)}` }, logs: [], durationMs: 0 };
  }
  if (spec.dialect === 'auth0') {
    return runAuth0Operation(
      {
        has: (entry) => scriptSource(spec, entry as ScriptName) !== null,
        call: (entry, entryArgs) => runAuth0Entry(runtimes, spec, entry, entryArgs, observe),
      },
      script,
      args,
    );
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

export interface CallOptions {
  request?: RequestInfo | null;
  paging?: { page: number; limit: number };
}

export interface ScriptCaller {
  /** Runs `script` with `args` (without context); every secret is scrubbed from what comes back. */
  call(script: ScriptName, args: unknown[], options?: CallOptions): Promise<CallOutcome>;
  /**
   * Runs one script of an Auth0 connection as it is (debug): an Auth0 script with Auth0's
   * arguments, answering what it called back with; a companion with Gatehouse's, context added.
   */
  callAuth0(script: Auth0Entry, args: unknown[]): Promise<CallOutcome>;
}

/** The plain passwords among an Auth0 script's arguments. */
function auth0PasswordsIn(script: Auth0Entry, args: readonly unknown[]): string[] {
  if (!isAuth0ScriptName(script)) return passwordsIn(script, args);
  const text = (value: unknown): string[] => (typeof value === 'string' && value !== '' ? [value] : []);
  if (script === 'login' || script === 'change_password') return text(args[1]);
  if (script === 'create' && args[0] !== null && typeof args[0] === 'object') return text((args[0] as { password?: unknown }).password);
  return [];
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

/**
 * Has the runtime pool bind and load the scripts of a pool's enabled connection ahead of its
 * first call (after a save), with the very spec its calls will pass.
 */
export function prepareRuntime(pool: Pool, config: CustomDbConfig, runtimes: ScriptRuntimePool, serverServices?: ServerServices): void {
  if (!config.enabled) return;
  runtimes.prepare(toRuntimeSpec(derivedFrom(pool.id, config, serverServices).spec));
}

/** The connection's guard (breaker.ts) and whether this caller's calls count towards its circuit. */
export interface CallerGuard {
  guard: ConnectionGuard;
  /** false for debug runs: they take a concurrency slot but neither wait on nor move the circuit */
  counted: boolean;
}

export function createScriptCaller(
  pool: Pool,
  config: CustomDbConfig,
  runtimes: ScriptRuntimePool,
  log: ConnectionLog,
  /** the server's own listener and store, once it listens: refused to scripts */
  serverServices?: ServerServices,
  guard?: CallerGuard,
): ScriptCaller {
  const { spec, secrets: configSecrets } = derivedFrom(pool.id, config, serverServices);
  const contextFor = (options: CallOptions): ScriptContext => ({
    userPoolId: pool.id,
    userPoolName: pool.name,
    userPoolMetadata: pool.metadata,
    request: { ip: options.request?.ip ?? null, userAgent: options.request?.userAgent ?? null },
    ...options.paging,
  });
  const record = (script: string, outcome: CallOutcome): void =>
    log.append(pool.id, {
      at: new Date().toISOString(),
      script,
      outcome: outcome.ok ? 'success' : outcomeName(outcome.error),
      durationMs: outcome.durationMs,
      message: outcome.ok ? '' : `${outcome.error.name}: ${outcome.error.message}`,
    });
  /** Scrubs and logs each script an Auth0 operation runs; remembers the last failure logged. */
  const observer = (passwords: string[]) => {
    const state: { observe: EntryObserver; lastFailure: ScriptFailure | null } = {
      lastFailure: null,
      observe: (script, _args, raw) => {
        const outcome = redactOutcome(raw, [...configSecrets, ...passwords]);
        record(script, outcome);
        state.lastFailure = outcome.ok ? null : outcome.error;
        return outcome;
      },
    };
    return state;
  };
  return {
    async call(script, args, options = {}) {
      const padded = Array.from({ length: SCRIPT_ARITY[script] }, (_, i) => (args[i] === undefined ? null : args[i]));
      const passwords = passwordsIn(script, args);
      const entries = observer(passwords);
      const run = () => runUserScript(runtimes, spec, script, [...padded, contextFor(options)], entries.observe);
      const guarded =
        guard === undefined
          ? { ok: true as const, value: await run() }
          : await guard.guard.run(config, { counted: guard.counted, failed: (outcome) => isInfrastructureFailure(script, outcome) }, run);
      // Refused without running: nothing to log (the health endpoint tells), so the log keeps
      // the failures that opened the circuit instead of filling up with refusals.
      if (!guarded.ok) return refusedOutcome(guarded.refusal);
      const outcome = redactOutcome(redactExportedHashesFromLogs(script, guarded.value), [
        ...configSecrets,
        ...passwords,
      ]);
      // Auth0 connections log each script they ran; what the operation itself decided (a
      // missing script, a result of the wrong shape) is logged under the operation's name.
      const logged = spec.dialect === 'auth0' && (outcome.ok || outcome.error.message === entries.lastFailure?.message);
      if (!logged) record(script, outcome);
      return outcome;
    },
    async callAuth0(script, args) {
      const entries = observer(auth0PasswordsIn(script, args));
      const callArgs = isAuth0ScriptName(script) ? args : [...args, contextFor({})];
      const run = () => runAuth0Entry(runtimes, spec, script, callArgs, entries.observe);
      if (guard === undefined) return run();
      // Only debug runs call this: they take a concurrency slot like any call (never counted, see CallerGuard).
      const guarded = await guard.guard.run(config, { counted: guard.counted, failed: (outcome) => !outcome.ok && outcome.error.kind !== 'runtime' }, run);
      return guarded.ok ? guarded.value : refusedOutcome(guarded.refusal);
    },
  };
}

/**
 * What the breaker counts: a call the API answers 502 or 504 (untyped throws, crashes,
 * timeouts, `oom`, `denied`, `invalid_result`). Typed errors (a wrong password) and scripts
 * left at their default say nothing about the database being down.
 */
export function isInfrastructureFailure(script: ScriptName, outcome: CallOutcome): boolean {
  if (outcome.ok) return false;
  const status: number = ERROR_STATUS[failureFor(script, outcome.error).error.code];
  return status === 502 || status === 504;
}

const REFUSAL_MESSAGES: Record<Refusal['reason'], { name: string; message: string }> = {
  open: {
    name: 'CircuitOpenError',
    message: 'The custom database is unavailable after repeated failures; calls resume once it answers again',
  },
  busy: {
    name: 'ConcurrencyCapError',
    message: 'The custom database connection has as many calls in flight as it allows; retry shortly',
  },
};

function refusedOutcome(refusal: Refusal): CallOutcome {
  return {
    ok: false,
    error: { kind: 'unavailable', ...REFUSAL_MESSAGES[refusal.reason], retryAfterSeconds: refusal.retryAfterSeconds },
    logs: [],
    durationMs: 0,
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
    case 'unavailable':
      // Our own words (breaker.ts), not the script's: safe to pass on, with when to retry.
      return fail('CUSTOM_DB_UNAVAILABLE', failure.message, failure.retryAfterSeconds ?? 1);
    default:
      return fail('CUSTOM_DB_ERROR', 'The custom database script failed; its connection log has the details');
  }
}
