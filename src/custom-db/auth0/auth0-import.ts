/**
 * An Auth0 database connection, as Auth0's export tooling writes it (the Management API's
 * connection object, or the Deploy CLI's), turned into the changes that save it as a pool's
 * connection with the `auth0` dialect. Auth0's other fields are accepted and ignored.
 */
import { fail, ok, type Result } from '../../domain/result.js';
import { CONNECTION_ENV_NAMES, uriProblem, type Connection } from '../connection-config.js';
import type { ConfigChanges } from '../connection-configs.js';
import { AUTH0_SCRIPT_NAMES, isAuth0ScriptName } from './auth0-scripts.js';

/** The same bounds a connection's env has when saved through PUT …/custom-db. */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]{0,63}$/;
const MAX_ENV_ENTRIES = 64;
const MAX_ENV_VALUE = 4096;
const MAX_SCRIPT = 100_000;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const invalid = (message: string) => fail('VALIDATION_ERROR', message);

/**
 * The connection the configuration names with Gatehouse's variables: `DB_CONNECTION_URI`, or
 * all of `DB_HOST`, `DB_PORT`, `DB_USERNAME`, `DB_DATABASE` (and `DB_PASSWORD`). Scripts still
 * see them in `configuration`, as the connection's variables.
 */
function connectionFrom(configuration: Record<string, string>): Result<Connection | undefined, 'VALIDATION_ERROR'> {
  const uri = configuration['DB_CONNECTION_URI'];
  if (uri !== undefined) {
    const problem = uriProblem(uri, 'body.options.configuration.DB_CONNECTION_URI');
    return problem === null ? ok({ type: 'uri', uri }) : invalid(problem);
  }
  const given = CONNECTION_ENV_NAMES.filter((name) => configuration[name] !== undefined);
  if (given.length === 0) return ok(undefined);
  const needed = ['DB_HOST', 'DB_PORT', 'DB_USERNAME', 'DB_DATABASE'] as const;
  const absent = needed.find((name) => configuration[name] === undefined);
  if (absent !== undefined) {
    return invalid(`body.options.configuration.${absent} is missing: Gatehouse sets DB_* from the connection, so give DB_CONNECTION_URI or all of ${needed.join(', ')} (and DB_PASSWORD), or rename ${given.join(', ')}`);
  }
  const port = Number(configuration['DB_PORT']);
  if (!Number.isInteger(port) || port < 1 || port > 65535) return invalid('body.options.configuration.DB_PORT must be a port number (1-65535)');
  return ok({
    type: 'programmatic',
    host: configuration['DB_HOST'] ?? '',
    port,
    username: configuration['DB_USERNAME'] ?? '',
    password: configuration['DB_PASSWORD'] ?? '',
    database: configuration['DB_DATABASE'] ?? '',
  });
}

export function changesFromAuth0Connection(body: unknown): Result<ConfigChanges, 'VALIDATION_ERROR'> {
  if (!isRecord(body)) return invalid('body must be an Auth0 database connection object');
  if (typeof body['name'] !== 'string' || body['name'] === '') return invalid('body.name must be the connection\'s name (a non-empty string)');
  if (body['strategy'] !== 'auth0') return invalid('body.strategy must be "auth0": only Auth0 database connections have custom database scripts');
  const options = body['options'];
  if (!isRecord(options)) return invalid('body.options must be an object');
  for (const field of ['enabledDatabaseCustomization', 'import_mode'] as const) {
    if (options[field] !== undefined && typeof options[field] !== 'boolean') return invalid(`body.options.${field} must be true or false`);
  }

  const customScripts = options['customScripts'] ?? {};
  if (!isRecord(customScripts)) return invalid('body.options.customScripts must be an object of script name → source');
  const scripts: ConfigChanges['scripts'] = Object.fromEntries(AUTH0_SCRIPT_NAMES.map((name) => [name, null]));
  for (const [name, source] of Object.entries(customScripts)) {
    if (!isAuth0ScriptName(name)) {
      return invalid(`body.options.customScripts.${name} is not an Auth0 script Gatehouse runs; they are ${AUTH0_SCRIPT_NAMES.join(', ')}`);
    }
    if (typeof source !== 'string' || source.length > MAX_SCRIPT) return invalid(`body.options.customScripts.${name} must be the script's source, at most ${MAX_SCRIPT} characters`);
    scripts[name] = source.trim() === '' ? null : source;
  }

  const rawConfiguration = options['configuration'] ?? {};
  if (!isRecord(rawConfiguration)) return invalid('body.options.configuration must be an object of name → text');
  const entries = Object.entries(rawConfiguration);
  if (entries.length > MAX_ENV_ENTRIES + CONNECTION_ENV_NAMES.length) return invalid(`body.options.configuration has more than ${MAX_ENV_ENTRIES} entries`);
  const configuration: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!ENV_NAME.test(name)) return invalid(`body.options.configuration.${name}: names are letters, digits and _, not starting with a digit, at most 64 characters`);
    // The value is never quoted: configuration holds secrets.
    if (typeof value !== 'string' || value.length > MAX_ENV_VALUE) return invalid(`body.options.configuration.${name} must be text of at most ${MAX_ENV_VALUE} characters`);
    configuration[name] = value;
  }
  const connection = connectionFrom(configuration);
  if (!connection.ok) return connection;
  const reserved: ReadonlySet<string> = new Set(CONNECTION_ENV_NAMES);
  const env = Object.fromEntries(Object.entries(configuration).filter(([name]) => !reserved.has(name)));
  if (Object.keys(env).length > MAX_ENV_ENTRIES) return invalid(`body.options.configuration has more than ${MAX_ENV_ENTRIES} entries besides DB_*`);

  return ok({
    enabled: options['enabledDatabaseCustomization'] === true,
    mode: options['import_mode'] === true ? 'LAZY_MIGRATION' : 'CUSTOM_USER_STORE',
    dialect: 'auth0',
    env,
    ...(connection.value === undefined ? {} : { connection: connection.value }),
    scripts,
  });
}
