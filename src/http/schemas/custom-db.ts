import { Type, type Static } from '@sinclair/typebox';
import { SCRIPT_NAMES } from '../../custom-db/contract/script-contract.js';
import { MODES } from '../../custom-db/modes.js';
import { AUTH0_ONLY_SCRIPT_NAMES, DIALECTS } from '../../custom-db/auth0/auth0-scripts.js';
import { GUARD_LIMITS } from '../../custom-db/connection-config.js';
import { Nullable, PageOf, PoolParams } from './common.js';
import { JobResponse } from './jobs.js';

/** Generous for a script, small enough that eight of them fit the body limit. */
const SCRIPT_MAX_LENGTH = 100_000;
const ENV_NAME = '^[A-Za-z_][A-Za-z0-9_]{0,63}$';

const Mode = Type.Union(MODES.map((mode) => Type.Literal(mode)));
const ScriptSource = Nullable(Type.String({ maxLength: SCRIPT_MAX_LENGTH }));
const Dialect = Type.Union(DIALECTS.map((dialect) => Type.Literal(dialect)));
/** Gatehouse's eight names and Auth0's (`login` is both); which may be set depends on the dialect. */
const Scripts = Type.Object(
  Object.fromEntries([...SCRIPT_NAMES, ...AUTH0_ONLY_SCRIPT_NAMES].map((name) => [name, Type.Optional(ScriptSource)])),
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

const guardField = (field: keyof typeof GUARD_LIMITS) =>
  Type.Integer({ minimum: GUARD_LIMITS[field].minimum, maximum: GUARD_LIMITS[field].maximum });

/** A version's note: why it was saved. */
const Note = Type.String({ maxLength: 500 });

export const CustomDbInput = Type.Object(
  {
    enabled: Type.Optional(Type.Boolean()),
    mode: Type.Optional(Mode),
    dialect: Type.Optional(Dialect),
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
    maxConcurrency: Type.Optional(guardField('maxConcurrency')),
    breakerThreshold: Type.Optional(guardField('breakerThreshold')),
    breakerCooldownMs: Type.Optional(guardField('breakerCooldownMs')),
    /** why this save was made, kept with its version */
    note: Type.Optional(Nullable(Note)),
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
    dialect: Dialect,
    connection: ConnectionResponse,
    env: Type.Record(Type.String(), Type.String()),
    /** Gatehouse's eight always; Auth0's other names when set (the `auth0` dialect) */
    scripts: Type.Object({
      ...Object.fromEntries(SCRIPT_NAMES.map((name) => [name, ScriptSource])),
      ...Object.fromEntries(AUTH0_ONLY_SCRIPT_NAMES.map((name) => [name, Type.Optional(ScriptSource)])),
    }),
    timeoutMs: Type.Integer(),
    allowedHosts: Type.Array(Type.String()),
    maxConcurrency: Type.Integer(),
    breakerThreshold: Type.Integer(),
    breakerCooldownMs: Type.Integer(),
    /** what the administrator should know about this connection (e.g. it shares the server's own store) */
    warnings: Type.Optional(Type.Array(Type.String())),
  },
);

/** An Auth0 database connection as its export writes it; custom-db/auth0/auth0-import.ts checks each field. */
export const Auth0ConnectionInput = Type.Object(
  {
    name: Type.Optional(Type.Unknown()),
    strategy: Type.Optional(Type.Unknown()),
    options: Type.Optional(Type.Unknown()),
  },
  { additionalProperties: true },
);

export const DebugInput = Type.Object(
  {
    script: Type.Union([...SCRIPT_NAMES, ...AUTH0_ONLY_SCRIPT_NAMES].map((name) => Type.Literal(name))),
    /** Auth0's change_email takes three: email, newEmail, verified */
    args: Type.Array(Type.Unknown(), { maxItems: 3 }),
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

export const VersionParams = Type.Object({
  ...PoolParams.properties,
  version: Type.Integer({ minimum: 1, maximum: 2_147_483_647 }),
});
export type VersionParams = Static<typeof VersionParams>;

export const VersionSummary = Type.Object({
  version: Type.Integer(),
  savedAt: Type.String(),
  savedBy: Type.Object({ keyId: Type.String(), name: Type.String() }),
  note: Nullable(Type.String()),
});

export const VersionsResponse = PageOf(VersionSummary);

export const RestoreInput = Type.Object({ note: Type.Optional(Nullable(Note)) }, { additionalProperties: false });

export const HealthResponse = Type.Object({
  circuit: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open')]),
  inFlight: Type.Integer(),
  consecutiveFailures: Type.Integer(),
  openedAt: Nullable(Type.String()),
});
