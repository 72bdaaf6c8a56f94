/**
 * The shapes of the public HTTP API (API.md) as the console uses them. The response
 * shapes are written from the contract, so the console depends on the API rather than
 * on server internals; only the pure contract constants are shared.
 */

export interface Page<T> {
  totalCount: number;
  list: T[];
}

export interface Pool {
  id: string;
  name: string;
  metadata: Record<string, unknown>;
  createdAt: string;
  updatedAt: string;
}

// The script names and modes are part of the contract itself; they come from the one
// pure module that defines them rather than a second copy.
import type { ScriptName } from '../../custom-db/contract/script-contract.js';
import type { CustomDbMode as Mode } from '../../custom-db/modes.js';

export { SCRIPT_NAMES } from '../../custom-db/contract/script-contract.js';
export type { ScriptName, Mode };

export type Connection =
  | { type: 'uri'; uri: string }
  | { type: 'programmatic'; host: string; port: number; username: string; password: string; database: string }
  | null;

export type Scripts = Record<ScriptName, string | null>;

export interface CustomDatabase {
  enabled: boolean;
  mode: Mode;
  connection: Connection;
  env: Record<string, string>;
  scripts: Scripts;
  timeoutMs: number;
  allowedHosts: string[];
}

/** What a save sends: every field optional, a script `null` goes back to the default. */
export interface CustomDatabaseInput {
  enabled?: boolean;
  mode?: Mode;
  connection?: Connection;
  env?: Record<string, string>;
  scripts?: Partial<Scripts>;
  timeoutMs?: number;
}

export interface Template {
  id: string;
  name: string;
  scripts: Partial<Record<ScriptName, string>>;
}

export interface ScriptLogLine {
  level: string;
  message: string;
}

export type FailureKind = 'runtime' | 'timeout' | 'oom' | 'syntax' | 'denied' | 'not_implemented' | 'invalid_result';

export type DebugResult =
  | { ok: true; result: unknown; logs: ScriptLogLine[]; durationMs: number }
  | {
      ok: false;
      error: { kind: FailureKind | string; name?: string; message: string; stack?: string };
      logs: ScriptLogLine[];
      durationMs: number;
    };

export interface ConnectionLogEntry {
  at: string;
  script: string;
  outcome: string;
  durationMs: number;
  message: string;
}

export interface MigrationProgress {
  migratedUsers: number;
  lastMigratedAt: string | null;
}

export type UserSource = 'local' | 'migrated' | 'custom-db';

export interface User {
  id: string;
  userPoolId: string;
  username: string | null;
  email: string | null;
  emailVerified: boolean;
  phone: string | null;
  phoneVerified: boolean;
  nickname: string | null;
  name: string | null;
  blocked: boolean;
  loginsCount: number;
  lastLogin: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  externalId: string | null;
  source: UserSource;
  [field: string]: unknown;
}

/** The profile fields the console's user form edits; the API accepts more. */
export interface UserInput {
  email?: string | null;
  username?: string | null;
  phone?: string | null;
  name?: string | null;
  nickname?: string | null;
  blocked?: boolean;
  password?: string;
}
