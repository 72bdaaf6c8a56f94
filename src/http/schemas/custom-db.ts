import { Type, type Static } from '@sinclair/typebox';
import { SCRIPT_NAMES } from '../../custom-db/contract/script-contract.js';
import { MODES } from '../../custom-db/modes.js';
import { Nullable } from './common.js';
import { JobResponse } from './jobs.js';

/** Generous for a script, small enough that eight of them fit the body limit. */
const SCRIPT_MAX_LENGTH = 100_000;
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';

const Mode = Type.Union(MODES.map((mode) => Type.Literal(mode)));
const ScriptSource = Nullable(Type.String({ maxLength: SCRIPT_MAX_LENGTH }));
const Scripts = Type.Object(
  Object.fromEntries(SCRIPT_NAMES.map((name) => [name, Type.Optional(ScriptSource)])),
  { additionalProperties: false },
);

/**
 * One object for both connection forms so a mistake is reported per field ("body.connection.host
 * is required…") rather than as "must match one of two schemas"; the route checks the fields
 * each `type` needs.
 */
const ConnectionInput = Type.Object(
  {
    type: Type.Union([Type.Literal('uri'), Type.Literal('programmatic')]),
    uri: Type.Optional(Type.String({ minLength: 1, maxLength: 2048 })),
    host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
    port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535 })),
    username: Type.Optional(Type.String({ maxLength: 255 })),
    password: Type.Optional(Type.String({ maxLength: 1024 })),
    database: Type.Optional(Type.String({ maxLength: 255 })),
  },
  { additionalProperties: false },
);
export type ConnectionInput = Static<typeof ConnectionInput>;

export const CustomDbInput = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    mode: Type.Optional(Mode),
    connection: Type.Optional(Nullable(ConnectionInput)),
    env: Type.Optional(
      Type.Record(Type.String({ pattern: ENV_NAME }), Type.String({ maxLength: 4096 }), {
        maxProperties: 64,
        additionalProperties: false,
      }),
    ),
    scripts: Type.Optional(Scripts),
    timeoutMs: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000 })),
    allowedHosts: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { maxItems: 64 })),
    /** Read-only (the server's own warnings): accepted and ignored, so a GET's answer can be PUT back as it is. */
    warnings: Type.Optional(Type.Array(Type.String({ maxLength: 4096 }), { maxItems: 16 })),
  },
  { additionalProperties: false },
);
export type CustomDbInput = Static<typeof CustomDbInput>;

const ConnectionResponse = Nullable(
  Type.Object({
    type: Type.String(),
    uri: Type.Optional(Type.String()),
    host: Type.Optional(Type.String()),
    port: Type.Optional(Type.Integer()),
    username: Type.Optional(Type.String()),
    password: Type.Optional(Type.String()),
    database: Type.Optional(Type.String()),
  }),
);

export const CustomDbResponse = Type.Object(
  {
    enabled: Type.Boolean(),
    mode: Mode,
    connection: ConnectionResponse,
    env: Type.Record(Type.String(), Type.String()),
    scripts: Type.Object(Object.fromEntries(SCRIPT_NAMES.map((name) => [name, ScriptSource]))),
    timeoutMs: Type.Integer(),
    allowedHosts: Type.Array(Type.String()),
    /** what the administrator should know about this connection (e.g. it shares the server's own store) */
    warnings: Type.Optional(Type.Array(Type.String())),
  },
);

export const DebugInput = Type.Object(
  {
    script: Type.Union(SCRIPT_NAMES.map((name) => Type.Literal(name))),
    args: Type.Array(Type.Unknown(), { maxItems: 2 }),
  },
  { additionalProperties: false },
);
export type DebugInput = Static<typeof DebugInput>;

export const LogsQuery = Type.Object(
  { limit: Type.Integer({ minimum: 1, maximum: 500, default: 50 }) },
  { additionalProperties: false },
);
export type LogsQuery = Static<typeof LogsQuery>;

export const LogsResponse = Type.Object({
  list: Type.Array(
    Type.Object({
      at: Type.String(),
      script: Type.String(),
      outcome: Type.String(),
      durationMs: Type.Integer(),
      message: Type.String(),
    }),
  ),
});

export const MigrationResponse = Type.Object({
  migratedUsers: Type.Integer(),
  lastMigratedAt: Nullable(Type.String()),
  importedUsers: Type.Integer({ description: 'users with source "imported"' }),
  legacyTotal: Nullable(Type.Integer({ description: "the old database's users as exportUsers last counted them" })),
  remainingUsers: Nullable(
    Type.Integer({ description: 'legacyTotal less migrated, imported and deleted users (at least 0); 0: the migration can be finished' }),
  ),
  activeJob: Nullable(JobResponse),
  lastJob: Nullable(JobResponse),
});

export const TemplatesResponse = Type.Object({
  list: Type.Array(
    Type.Object({
      id: Type.String(),
      name: Type.String(),
      scripts: Type.Record(Type.String(), Type.String()),
    }),
  ),
});

export const SandboxResponse = Type.Object({
  level: Type.Union([Type.Literal('bwrap'), Type.Literal('unshare'), Type.Literal('none')]),
  reason: Type.String(),
  scriptsAllowed: Type.Boolean(),
  warning: Type.Optional(Type.String()),
});
