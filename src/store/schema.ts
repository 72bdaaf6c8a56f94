import type { Generated } from 'kysely';

/**
 * Table types of the server's own store. The same migrations create these tables in
 * SQLite and PostgreSQL, so the types stay within what both share: text, integer
 * (booleans as 0/1) and ISO-8601 UTC timestamps as text (they sort correctly as text).
 */


export interface SettingsTable {
  key: string;
  value: string;
}

export interface PoolsTable {
  id: string;
  name: string;
  /** JSON object */
  metadata: string;
  created_at: string;
  updated_at: string;
}

export interface UsersTable {
  id: string;
  pool_id: string;
  username: string | null;
  /** lower-cased username: uniqueness and look-ups are case-insensitive */
  username_key: string | null;
  email: string | null;
  /** lower-cased email: uniqueness and look-ups are case-insensitive */
  email_key: string | null;
  email_verified: number;
  phone: string | null;
  phone_verified: number;
  nickname: string | null;
  name: string | null;
  /** JSON object with the remaining profile fields (photo, givenName, address, …) */
  profile: string;
  blocked: number;
  logins_count: number;
  last_login: string | null;
  last_ip: string | null;
  signed_up: string;
  created_at: string;
  updated_at: string;
  password_hash: string | null;
  /** the algorithm of password_hash, recorded per user so hashes can be upgraded later */
  password_algorithm: string | null;
  /** the user's id in the custom database, for migrated users */
  external_id: string | null;
  source: string;
  /** the import job that last wrote this user (duplicate lines within one file are found by it) */
  import_job_id: string | null;
}

export interface CustomDbConnectionsTable {
  pool_id: string;
  enabled: number;
  mode: string;
  /** JSON of the connection, its secrets sealed; null for no connection */
  connection: string | null;
  /** JSON object name → sealed value */
  env: string;
  /** JSON object script name → source */
  scripts: string;
  timeout_ms: number;
  /** JSON array of host names */
  allowed_hosts: string;
  updated_at: string;
  /** bumped by every save (the database does it), so readers can check for changes cheaply */
  revision: Generated<number>;
}

export interface ConnectionLogsTable {
  id: string;
  pool_id: string;
  at: string;
  script: string;
  outcome: string;
  duration_ms: number;
  message: string;
}

export interface UserTombstonesTable {
  pool_id: string;
  external_id: string;
  deleted_at: string;
}

export interface LoginAttemptsTable {
  pool_id: string;
  /** `user:<local user id>`, `email:<normalised>`, `username:<lowercased>`, `phone:<as given>` or `ip:<address>` */
  key: string;
  /** epoch milliseconds (bigint: PostgreSQL answers it as text, SQLite as a number) */
  window_start: number | string;
  /** attempts counted in this window, less those given back (successes, refusals) */
  attempts: number;
}

export interface ApplicationsTable {
  id: string;
  pool_id: string;
  client_id: string;
  name: string;
  type: string;
  /** JSON array */
  redirect_uris: string;
  /** JSON array */
  post_logout_redirect_uris: string;
  id_token_signing_alg: string;
  /** `sha256:<hex>`; null for public clients */
  secret_hash: string | null;
  created_at: string;
  updated_at: string;
}

export interface OidcModelsTable {
  pool_id: string;
  /** oidc-provider's model name: Session, Grant, AuthorizationCode, RefreshToken, … */
  kind: string;
  id: string;
  /** the library's JSON payload */
  payload: string;
  grant_id: string | null;
  /** the user a session, grant or token belongs to (the library's `accountId`) */
  account_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: string | null;
  consumed_at: string | null;
}

export interface OidcSigningKeysTable {
  kid: string;
  pool_id: string;
  alg: string;
  /** integer; PostgreSQL and SQLite both answer a number */
  generation: number;
  public_jwk: string;
  /** sealed private JWK */
  private_jwk: string;
  created_at: string;
}

export interface EmailTokensTable {
  /** SHA-256 of the token, hex */
  token_hash: string;
  pool_id: string;
  /** `reset` or `verify` */
  purpose: string;
  user_id: string;
  email: string;
  created_at: string;
  expires_at: string;
  used_at: string | null;
}

export interface OutboxTable {
  id: string;
  pool_id: string;
  at: string;
  to_address: string;
  subject: string;
  text: string;
}

export interface PoolEmailSettingsTable {
  pool_id: string;
  verify_email_on_registration: number;
  updated_at: string;
}

export interface JobsTable {
  id: string;
  pool_id: string;
  /** `import` or `import-rest` */
  kind: string;
  /** `running`, `done`, `failed` or `cancelled` */
  status: string;
  total: number | null;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  /** JSON array of `{line?, externalId?, message}`, the first ones only */
  errors: string;
  /** where the work goes on from after a restart; opaque to the store */
  cursor: string | null;
  cancel_requested: number;
  /** the runner (instance) that holds the job's lease */
  lease_owner: string | null;
  /** ISO-8601; past it, another instance may take the job over */
  lease_expires_at: string | null;
  started_at: string;
  finished_at: string | null;
  updated_at: string;
}

export interface StoreSchema {
  jobs: JobsTable;
  email_tokens: EmailTokensTable;
  outbox: OutboxTable;
  pool_email_settings: PoolEmailSettingsTable;
  login_attempts: LoginAttemptsTable;
  applications: ApplicationsTable;
  oidc_models: OidcModelsTable;
  oidc_signing_keys: OidcSigningKeysTable;
  settings: SettingsTable;
  pools: PoolsTable;
  users: UsersTable;
  custom_db_connections: CustomDbConnectionsTable;
  connection_logs: ConnectionLogsTable;
  user_tombstones: UserTombstonesTable;
}

