/**
 * Scrubbing secrets out of what a script call brings back. The connection's secrets
 * (config-secrets.ts's `secretsOf`) and the plain passwords among the call's arguments are
 * replaced by the mask in every string of the outcome: the result's values and its keys, the
 * failure's name, message and stack, and every console line. The debug answer and the
 * connection log are built from the scrubbed outcome only.
 */
import { MASK } from './config-secrets.js';
import { isTypedErrorName, type CallOutcome, type ScriptFailure, type ScriptName } from './contract/script-contract.js';

/** The plain passwords among a script's arguments, wherever that script takes them. */
export function passwordsIn(script: ScriptName, args: readonly unknown[]): string[] {
  const text = (value: unknown): string[] => (typeof value === 'string' && value !== '' ? [value] : []);
  const field = (value: unknown): string[] =>
    value !== null && typeof value === 'object' ? text((value as { password?: unknown }).password) : [];
  switch (script) {
    case 'login':
    case 'validatePassword':
      return text(args[1]);
    case 'createUser':
      return field(args[0]);
    case 'updateUser':
      return field(args[1]);
    default:
      return [];
  }
}

/** Replaces every secret in a text with the mask, longest first so no fragment survives. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (secret.length > 0) out = out.split(secret).join(MASK);
  }
  return out;
}

/**
 * Deeper than any valid result (result-validation.ts refuses those before scrubbing); a
 * value below it is replaced by the mask rather than walked, so scrubbing never overflows
 * the stack.
 */
const MAX_DEPTH = 64;

/**
 * Every string inside a value scrubbed, object keys included: a script can put a secret in
 * a key as easily as in a value. Results arrive as JSON, so strings, numbers, booleans,
 * null, arrays and plain objects are all there is; anything else is kept as it is.
 */
export function redactValue(value: unknown, secrets: readonly string[], depth = 0): unknown {
  if (typeof value === 'string') return redact(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return MASK;
  if (Array.isArray(value)) return value.map((item) => redactValue(item, secrets, depth + 1));
  const prototype: unknown = Object.getPrototypeOf(value);
  if (prototype !== Object.prototype && prototype !== null) return value;
  return Object.fromEntries(Object.entries(value).map(([key, item]) => [redact(key, secrets), redactValue(item, secrets, depth + 1)]));
}

/**
 * A failure with every text scrubbed. The typed errors' names are the contract's own fixed
 * words, kept as they are so a short secret that happens to be part of one cannot turn a
 * wrong password into a script failure.
 */
function redactFailure(failure: ScriptFailure, secrets: readonly string[]): ScriptFailure {
  return {
    kind: failure.kind,
    name: isTypedErrorName(failure.name) ? failure.name : redact(failure.name, secrets),
    message: redact(failure.message, secrets),
    ...(failure.stack === undefined ? {} : { stack: redact(failure.stack, secrets) }),
  };
}

/** A call outcome with every secret scrubbed from what it carries back (results included). */
export function redactOutcome(outcome: CallOutcome, secrets: readonly string[]): CallOutcome {
  const logs = outcome.logs.map((log) => ({ level: log.level, message: redact(log.message, secrets) }));
  if (outcome.ok) return { ok: true, result: redactValue(outcome.result, secrets), logs, durationMs: outcome.durationMs };
  return { ok: false, error: redactFailure(outcome.error, secrets), logs, durationMs: outcome.durationMs };
}

/** The secret parts of a `passwordHash` an exported profile carries (the hash, and a salt). */
const HASH_SECRET_PARTS = ['hash', 'salt'] as const;

function exportedHashes(result: unknown): Record<string, unknown>[] {
  const list = result !== null && typeof result === 'object' ? (result as { list?: unknown }).list : undefined;
  if (!Array.isArray(list)) return [];
  return list.flatMap((item: unknown) => {
    const hash = item !== null && typeof item === 'object' ? (item as { passwordHash?: unknown }).passwordHash : undefined;
    return hash !== null && typeof hash === 'object' ? [hash as Record<string, unknown>] : [];
  });
}

/**
 * `exportUsers` is the one script that answers password hashes, which the import needs as
 * they are. Its console lines (in the debug answer and the connection log) must not repeat
 * them, so every hash and salt of the result is scrubbed from the logs; the result keeps them.
 */
export function redactExportedHashesFromLogs(script: ScriptName, outcome: CallOutcome): CallOutcome {
  if (script !== 'exportUsers' || !outcome.ok) return outcome;
  const secrets = exportedHashes(outcome.result).flatMap((hash) =>
    HASH_SECRET_PARTS.flatMap((part) => (typeof hash[part] === 'string' && hash[part] !== '' ? [hash[part]] : [])),
  );
  if (secrets.length === 0) return outcome;
  return { ...outcome, logs: outcome.logs.map((log) => ({ level: log.level, message: redact(log.message, secrets) })) };
}

/**
 * The debug answer of an `exportUsers` run: each `passwordHash` shows its algorithm and
 * parameters (so an administrator sees the script answers one) with the hash and salt masked.
 */
export function maskExportedHashes(script: ScriptName, outcome: CallOutcome): CallOutcome {
  if (script !== 'exportUsers' || !outcome.ok) return outcome;
  const result = outcome.result as { list?: unknown };
  if (!Array.isArray(result.list)) return outcome;
  const list = result.list.map((item: unknown) => {
    const profile = item as Record<string, unknown>;
    const hash = profile['passwordHash'];
    if (hash === null || typeof hash !== 'object') return item;
    const masked: Record<string, unknown> = { ...(hash as Record<string, unknown>) };
    for (const part of HASH_SECRET_PARTS) if (part in masked) masked[part] = MASK;
    return { ...profile, passwordHash: masked };
  });
  return { ...outcome, result: { ...result, list } };
}
