/**
 * Messages between the server (parent) and a runtime process (child) over the IPC channel.
 * The child is plain JavaScript (it must run under `node` without a TS loader) and imports
 * these types through JSDoc only; nothing here exists at run time in the child.
 *
 * The parent must treat every child message as untrusted: a script can reach `process.send`
 * and forge messages, so `parseChildMessage` checks shapes before anything is used.
 */
import type { RuntimeFailure, ScriptLog } from './types.js';

export interface InitMessage {
  type: 'init';
  /** `[entry, source]` pairs, loaded in this order. */
  entries: [string, string][];
  /** Run once before the entries (e.g. error classes scripts throw); null for none. */
  globalsSource: string | null;
  env: Record<string, string>;
  allowedHosts: string[];
  logLimitBytes: number;
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
