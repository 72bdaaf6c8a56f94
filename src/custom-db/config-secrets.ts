/**
 * The secrets of a connection config as responses and logs see them: masked in answers,
 * a mask sent back standing for the stored value, and the list of secret values that
 * are scrubbed from everything a script returns or prints.
 *
 * A URI holds secrets in two places: the password of its userinfo, and query parameters
 * whose name says they are one (`isSecretParam`: `password`, `sslpassword`, `pass`,
 * `apiKey`, `access_token`, `client_secret`, `sig`…). Both are masked and scrubbed alike.
 */
import { fail, ok, type Result } from '../domain/result.js';
import type { Connection, CustomDbConfig } from './connection-config.js';

export const MASK = '********';

export function parseUri(uri: string): URL | undefined {
  try {
    const url = new URL(uri);
    return url.protocol.length > 1 ? url : undefined;
  } catch {
    return undefined;
  }
}

/** A percent-decoded text, or the text itself when it holds a bad escape: never throws. */
export function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/**
 * Query parameter names that hold a secret, compared lower-case without `-`, `_` and `.`:
 * anything with pass (password, sslpassword, passphrase), pwd, secret, token, key (apikey,
 * sslkey, accesskey), credential or signature in it, and `sig`. Broad on purpose: masking a
 * value that was not secret only hides it behind the mask, which still keeps it.
 */
const SECRET_PARAM = /pass|pwd|secret|token|key|credential|signature|^sig$/;

export function isSecretParam(name: string): boolean {
  return SECRET_PARAM.test(safeDecode(name.replaceAll('+', ' ')).toLowerCase().replace(/[-_.\s]/g, ''));
}

interface QueryParam {
  /** the name as written, still encoded */
  name: string;
  /** the value as written, still encoded; undefined for a bare `?name` */
  value: string | undefined;
}

function queryParams(url: URL): QueryParam[] {
  if (url.search.length <= 1) return [];
  return url.search
    .slice(1)
    .split('&')
    .map((part) => {
      const equals = part.indexOf('=');
      return equals < 0 ? { name: part, value: undefined } : { name: part.slice(0, equals), value: part.slice(equals + 1) };
    });
}

function setQueryParams(url: URL, params: readonly QueryParam[]): void {
  // Written back piece by piece, as they were: URLSearchParams would re-encode every other parameter.
  url.search = params.map(({ name, value }) => (value === undefined ? name : `${name}=${value}`)).join('&');
}

/** The raw values of the URI's secret query parameters. */
function secretParamValues(url: URL): string[] {
  return queryParams(url)
    .filter((param) => param.value !== undefined && param.value !== '' && isSecretParam(param.name))
    .map((param) => param.value ?? '');
}

function maskUri(uri: string): string {
  const url = parseUri(uri);
  if (!url) return MASK;
  if (url.password !== '') url.password = MASK;
  const params = queryParams(url);
  if (params.some((param) => param.value !== undefined && param.value !== '' && isSecretParam(param.name))) {
    setQueryParams(
      url,
      params.map((param) => (param.value !== undefined && param.value !== '' && isSecretParam(param.name) ? { ...param, value: MASK } : param)),
    );
  }
  return url.toString();
}

/** What a response shows: everything but the secrets. */
export function maskConfig(config: CustomDbConfig): CustomDbConfig {
  const connection: Connection =
    config.connection?.type === 'uri'
      ? { type: 'uri', uri: maskUri(config.connection.uri) }
      : config.connection?.type === 'programmatic'
        ? { ...config.connection, password: config.connection.password === '' ? '' : MASK }
        : null;
  return {
    ...config,
    connection,
    env: Object.fromEntries(Object.keys(config.env).map((key) => [key, MASK])),
  };
}

/**
 * A submitted URI with its masks replaced by the stored URI's values: the userinfo password,
 * and each masked secret query parameter by the stored parameter of the same name and
 * position among those of that name.
 */
function unmaskUri(submitted: string, stored: Connection): Result<string> {
  const storedUrl = stored?.type === 'uri' ? parseUri(stored.uri) : undefined;
  // The whole URI masked: checked before parsing, since the mask alone is no URI.
  if (submitted === MASK) {
    return stored?.type === 'uri' ? ok(stored.uri) : fail('VALIDATION_ERROR', 'connection.uri holds the mask, but no URI is stored to keep');
  }
  const url = parseUri(submitted);
  if (!url) return fail('VALIDATION_ERROR', 'connection.uri must be a URI such as postgres://user:password@host:5432/database');
  const params = queryParams(url);
  const maskedParams = params.some((param) => param.value === MASK && isSecretParam(param.name));
  if (url.password !== MASK && !maskedParams) return ok(submitted);
  if (!storedUrl) return fail('VALIDATION_ERROR', 'connection.uri holds the mask, but no URI is stored to keep');

  if (url.password === MASK) {
    if (storedUrl.password === '') return fail('VALIDATION_ERROR', 'connection.uri holds the mask as its password, but no password is stored to keep');
    url.password = storedUrl.password;
  }
  if (maskedParams) {
    const storedParams = queryParams(storedUrl);
    const seen = new Map<string, number>();
    const merged: QueryParam[] = [];
    for (const param of params) {
      const position = seen.get(param.name) ?? 0;
      seen.set(param.name, position + 1);
      if (param.value !== MASK || !isSecretParam(param.name)) {
        merged.push(param);
        continue;
      }
      const kept = storedParams.filter((candidate) => candidate.name === param.name)[position];
      if (kept?.value === undefined || kept.value === '') {
        return fail('VALIDATION_ERROR', `connection.uri holds the mask for its ${safeDecode(param.name)} parameter, but no value is stored to keep`);
      }
      merged.push(kept);
    }
    setQueryParams(url, merged);
  }
  return ok(url.toString());
}

/**
 * The submitted config with every mask replaced by the stored secret it stands for.
 * A mask with nothing stored behind it is a client error, never an empty secret.
 */
export function unmask(submitted: CustomDbConfig, stored: CustomDbConfig): Result<CustomDbConfig> {
  let connection = submitted.connection;
  if (connection?.type === 'uri') {
    const uri = unmaskUri(connection.uri, stored.connection);
    if (!uri.ok) return uri;
    connection = { type: 'uri', uri: uri.value };
  } else if (connection?.type === 'programmatic' && connection.password === MASK) {
    if (stored.connection?.type !== 'programmatic') {
      return fail('VALIDATION_ERROR', 'connection.password holds the mask, but no password is stored to keep');
    }
    connection = { ...connection, password: stored.connection.password };
  }

  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(submitted.env)) {
    if (value !== MASK) {
      env[key] = value;
      continue;
    }
    const kept = stored.env[key];
    if (kept === undefined) return fail('VALIDATION_ERROR', `env.${key} holds the mask, but no value is stored to keep`);
    env[key] = kept;
  }
  return ok({ ...submitted, connection, env });
}

/**
 * An encoded secret as it is written, and the ways a driver may decode it (percent escapes,
 * and `+` as a space in a query). A bad escape never throws: the text is kept as written.
 */
function spellings(encoded: string): string[] {
  return [encoded, safeDecode(encoded), safeDecode(encoded.replaceAll('+', ' '))];
}

/** Every secret value of a config, for scrubbing them out of logs and messages. Never throws. */
export function secretsOf(config: CustomDbConfig): string[] {
  const secrets = Object.values(config.env);
  if (config.connection?.type === 'uri') {
    secrets.push(config.connection.uri);
    const url = parseUri(config.connection.uri);
    if (url) {
      if (url.password !== '') secrets.push(...spellings(url.password));
      for (const value of secretParamValues(url)) secrets.push(...spellings(value));
    }
  }
  if (config.connection?.type === 'programmatic') secrets.push(config.connection.password);
  return [...new Set(secrets)].filter((secret) => secret.length >= 3);
}
