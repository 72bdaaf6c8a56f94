/**
 * Messages between the server (parent) and a runtime process (child), carried as frames
 * (frames.ts) over a plain pipe. The child is plain JavaScript (it must run under `node`
 * without a TS loader) and imports these types through JSDoc only.
 *
 * The parent treats every child message as hostile: a script shares the child's process and
 * can write frames of its own, so `parseChildMessage` checks each one's whole shape and a
 * message that fails it ends the runtime.
 */
import { RUNTIME_FAILURE_KINDS, type RuntimeFailure, type RuntimeFailureKind, type ScriptLog } from './types.js';

export interface InitMessage {
  type: 'init';
  /** `[entry, source]` pairs, loaded in this order. */
  entries: [string, string][];
  /** Run once before the entries (e.g. error classes scripts throw); null for none. */
  globalsSource: string | null;
  env: Record<string, string>;
  allowedHosts: string[];
  logLimitBytes: number;
  /** A result whose JSON is longer fails the call with `invalid_result` in the child. */
  resultLimitBytes: number;
}

export interface CallMessage {
  type: 'call';
  id: number;
  entry: string;
  args: unknown[];
}

export interface PingMessage {
  type: 'ping';
  id: number;
}

export type ParentMessage = InitMessage | CallMessage | PingMessage;

export interface ReadyMessage {
  type: 'ready';
}

export interface ResultMessage {
  type: 'result';
  id: number;
  ok: boolean;
  result?: unknown;
  error?: RuntimeFailure;
  logs: ScriptLog[];
}

export interface PongMessage {
  type: 'pong';
  id: number;
}

/** Sent just before the child exits on an uncaught exception, so pending calls can say why. */
export interface FatalMessage {
  type: 'fatal';
  error: RuntimeFailure;
}

export type ChildMessage = ReadyMessage | ResultMessage | PongMessage | FatalMessage;

/** Bounds of the strings a failure may carry (the child clips to 8 KiB; slack for the suffixes it adds). */
const MAX_NAME_CHARS = 256;
const MAX_MESSAGE_CHARS = 16 * 1024;
const MAX_STACK_CHARS = 16 * 1024;
const LOG_LEVELS: ReadonlySet<string> = new Set(['log', 'info', 'warn', 'error']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isId(value: unknown): value is number {
  // Stryker disable next-line ConditionalExpression: Number.isSafeInteger refuses every non-number too; the typeof narrows the type for `>=`
  if (typeof value !== 'number') return false;
  return Number.isSafeInteger(value) && value >= 0;
}

function hasOnlyKeys(value: Record<string, unknown>, allowed: readonly string[]): boolean {
  return Object.keys(value).every((key) => allowed.includes(key));
}

function parseFailure(value: unknown): RuntimeFailure | null {
  if (!isRecord(value) || !hasOnlyKeys(value, ['kind', 'name', 'message', 'stack'])) return null;
  const { kind, name, message, stack } = value;
  if (!(RUNTIME_FAILURE_KINDS as readonly unknown[]).includes(kind)) return null;
  if (typeof name !== 'string' || name.length > MAX_NAME_CHARS) return null;
  if (typeof message !== 'string' || message.length > MAX_MESSAGE_CHARS) return null;
  if (stack !== undefined && (typeof stack !== 'string' || stack.length > MAX_STACK_CHARS)) return null;
  const failure: RuntimeFailure = { kind: kind as RuntimeFailureKind, name, message };
  if (typeof stack === 'string') failure.stack = stack;
  return failure;
}

function parseLogs(value: unknown): ScriptLog[] | null {
  if (!Array.isArray(value)) return null;
  const logs: ScriptLog[] = [];
  for (const entry of value) {
    if (!isRecord(entry) || !hasOnlyKeys(entry, ['level', 'message'])) return null;
    const { level, message } = entry;
    // Stryker disable next-line ConditionalExpression: LOG_LEVELS.has refuses every non-string too; the typeof narrows the type for it
    if (typeof level !== 'string') return null;
    if (!LOG_LEVELS.has(level) || typeof message !== 'string') return null;
    logs.push({ level: level as ScriptLog['level'], message });
  }
  return logs;
}

/** The message if its whole shape is one the child may send, else null (the runtime is then ended). */
export function parseChildMessage(value: unknown): ChildMessage | null {
  if (!isRecord(value)) return null;
  switch (value['type']) {
    case 'ready':
      return hasOnlyKeys(value, ['type']) ? { type: 'ready' } : null;
    case 'pong':
      return hasOnlyKeys(value, ['type', 'id']) && isId(value['id']) ? { type: 'pong', id: value['id'] } : null;
    case 'fatal': {
      const error = hasOnlyKeys(value, ['type', 'error']) ? parseFailure(value['error']) : null;
      return error === null ? null : { type: 'fatal', error };
    }
    case 'result': {
      if (!hasOnlyKeys(value, ['type', 'id', 'ok', 'result', 'error', 'logs'])) return null;
      const { id, ok } = value;
      const logs = parseLogs(value['logs']);
      if (!isId(id) || typeof ok !== 'boolean' || logs === null) return null;
      if (ok) return Object.hasOwn(value, 'error') ? null : { type: 'result', id, ok, result: value['result'], logs };
      const error = parseFailure(value['error']);
      return error === null || Object.hasOwn(value, 'result') ? null : { type: 'result', id, ok, error, logs };
    }
    default:
      return null;
  }
}
