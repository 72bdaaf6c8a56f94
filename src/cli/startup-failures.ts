/**
 * Every way a start can fail, as a value: what happened, one line per fix (each naming the
 * variable to change), and the exit status a deploy script can branch on. The one place
 * that turns driver and system errors into words for an operator; the README's exit-status
 * table lists the same causes.
 */
import { isAbsolute, relative } from 'node:path';
import type { Config } from '../config/config.js';
import { StoreSchemaNewerError } from '../store/database.js';
import { SecretKeyMismatchError } from '../secrets/secret-key.js';

export type StartupCause =
  | 'unexpected'
  | 'usage'
  | 'configuration'
  | 'port-unavailable'
  | 'address-unavailable'
  | 'data-dir-not-writable'
  | 'store-unreachable'
  | 'store-refused'
  | 'store-schema-newer'
  | 'secret-key-mismatch';

/** The exit status of each cause; 0 is a clean stop. Documented in the README ("Operating Gatehouse"). */
export const EXIT_CODES: Record<StartupCause, number> = {
  unexpected: 1,
  usage: 2,
  configuration: 3,
  'port-unavailable': 4,
  'address-unavailable': 5,
  'data-dir-not-writable': 6,
  'store-unreachable': 7,
  'store-refused': 8,
  'store-schema-newer': 9,
  'secret-key-mismatch': 10,
};

export interface StartupFailure {
  cause: StartupCause;
  /** the first line: what happened */
  title: string;
  /** one line per thing to do, each naming the variable or command that fixes it */
  fixes: string[];
  exitCode: number;
  /** the original error, whose stack is shown only at LOG_LEVEL=debug or trace */
  error?: unknown;
}

const failure = (cause: StartupCause, title: string, fixes: string[], error?: unknown): StartupFailure => ({
  cause,
  title,
  fixes,
  exitCode: EXIT_CODES[cause],
  ...(error === undefined ? {} : { error }),
});

/** The configuration's problems, in the block operators already know from config.ts. */
export function configurationFailure(problems: readonly string[]): StartupFailure {
  return failure('configuration', 'Gatehouse cannot start; fix these settings:', [...problems]);
}

/** The failure block as printed: the title, then each fix on its own indented line. */
export function formatFailure(startup: StartupFailure): string {
  return [startup.title, ...startup.fixes.map((fix) => `  - ${fix}`)].join('\n');
}

interface ErrorFacts {
  code?: string;
  syscall?: string;
  path?: string;
  message: string;
}

/** The error and everything it wraps (`cause`, an AggregateError's errors), outermost first. */
function chain(error: unknown): ErrorFacts[] {
  const facts: ErrorFacts[] = [];
  const seen = new Set<unknown>();
  const visit = (current: unknown): void => {
    if (typeof current !== 'object' || current === null || seen.has(current)) return;
    seen.add(current);
    const { code, syscall, path, message } = current as Record<string, unknown>;
    facts.push({
      ...(typeof code === 'string' ? { code } : {}),
      ...(typeof syscall === 'string' ? { syscall } : {}),
      ...(typeof path === 'string' ? { path } : {}),
      message: typeof message === 'string' ? message : String(current),
    });
    if (current instanceof AggregateError) current.errors.forEach(visit);
    visit((current as { cause?: unknown }).cause);
  };
  visit(error);
  return facts;
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE']);
/** PostgreSQL: starting up / shutting down / too many connections: worth waiting for. */
const NOT_YET_SQLSTATES = new Set(['57P03', '57P01', '53300']);
const UNREACHABLE_MESSAGE = /Connection terminated|connection timeout|timeout exceeded when trying to connect/i;

/** True when the store could not be reached (yet): a start waits and tries again. */
export function isStoreUnreachable(error: unknown, config: Pick<Config, 'databaseUrl'>): boolean {
  if (config.databaseUrl === undefined) return false;
  // A listen error is the server's own port, not the store.
  return chain(error).some(
    (fact) => fact.syscall !== 'listen' && ((fact.code !== undefined && (UNREACHABLE_CODES.has(fact.code) || NOT_YET_SQLSTATES.has(fact.code))) || UNREACHABLE_MESSAGE.test(fact.message)),
  );
}

/** host:port of the PostgreSQL store, never its user or password. */
export function storeWhere(databaseUrl: string | undefined): string {
  if (databaseUrl === undefined) return 'the embedded SQLite store';
  try {
    const url = new URL(databaseUrl);
    const database = url.pathname.replace(/^\//, '');
    return `PostgreSQL at ${url.hostname || 'the local socket'}:${url.port || '5432'}${database === '' ? '' : `/${database}`}`;
  } catch {
    return 'the PostgreSQL store';
  }
}

/** The driver's reason for a failed store operation, in one line, for the store-waiting log. */
export const briefReason = (error: unknown): string => reasonOf(chain(error));

/** The driver's reason in one line, without the URL (it may hold the password). */
function reasonOf(facts: ErrorFacts[]): string {
  const innermost = facts.find((fact) => fact.code !== undefined && !(fact.message.startsWith('store migration'))) ?? facts[facts.length - 1];
  return innermost?.message.split('\n')[0] ?? 'unknown error';
}

const WRITE_CODES = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST', 'ENOSPC', 'SQLITE_CANTOPEN', 'SQLITE_READONLY', 'SQLITE_IOERR']);

function insideDataDir(file: string | undefined, dataDir: string): boolean {
  if (file === undefined) return false;
  const rel = relative(dataDir, file);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** What a failed start means to an operator. `phase` says whether the server was opening or listening. */
export function startupFailureOf(error: unknown, config: Config, phase: 'opening' | 'listening', waitedSeconds = 0): StartupFailure {
  const facts = chain(error);
  const codes = new Set(facts.flatMap((fact) => (fact.code === undefined ? [] : [fact.code])));
  const store = storeWhere(config.databaseUrl);

  if (error instanceof SecretKeyMismatchError) {
    return failure(
      'secret-key-mismatch',
      'Gatehouse cannot start: the secret key cannot open what this store sealed with its first key.',
      [
        config.secretKey === undefined
          ? `GATEHOUSE_SECRET_KEY is unset, so the key in ${config.dataDir}/secret.key was used: set GATEHOUSE_SECRET_KEY to the original key, or restore the original secret.key file.`
          : 'GATEHOUSE_SECRET_KEY: set it to the key this store was first started with (every instance on one store needs the same key).',
        `DATABASE_URL / GATEHOUSE_DATA_DIR: or point them at the store that belongs to this key (now ${store}).`,
      ],
      error,
    );
  }

  if (error instanceof StoreSchemaNewerError) {
    return failure(
      'store-schema-newer',
      `Gatehouse cannot start: ${store} was migrated by a newer Gatehouse (${error.unknownMigrations.join(', ')}), and this older build could damage it.`,
      [
        'Run the newer Gatehouse build that migrated this store (downgrades are not supported).',
        'DATABASE_URL / GATEHOUSE_DATA_DIR: or point them at a store of this version, e.g. restored from a backup taken before the upgrade.',
      ],
      error,
    );
  }

  if (phase === 'listening') {
    if (codes.has('EADDRINUSE')) {
      return failure(
        'port-unavailable',
        `Gatehouse cannot start: port ${String(config.port)} on ${config.host} is already in use.`,
        [`PORT: choose a free port (PORT=0 picks one), or stop the process listening on ${String(config.port)} (\`ss -ltnp 'sport = :${String(config.port)}'\` shows it).`],
        error,
      );
    }
    if (codes.has('EACCES')) {
      return failure(
        'port-unavailable',
        `Gatehouse cannot start: this user may not listen on port ${String(config.port)} (ports below 1024 need privileges).`,
        ['PORT: choose a port of 1024 or above, and put a reverse proxy on 80/443 in front of it.'],
        error,
      );
    }
    if (codes.has('EADDRNOTAVAIL') || codes.has('ENOTFOUND') || codes.has('EAI_AGAIN')) {
      return failure(
        'address-unavailable',
        `Gatehouse cannot start: ${config.host} is not an address of this machine, so nothing can listen on it.`,
        ['HOST: set it to an address of one of this machine\'s interfaces (`ip -brief address` lists them), 0.0.0.0 for all of them, or unset it for 127.0.0.1.'],
        error,
      );
    }
  }

  if (config.databaseUrl !== undefined) {
    if (codes.has('28P01') || codes.has('28000')) {
      return failure(
        'store-refused',
        `Gatehouse cannot start: ${store} refused the credentials in DATABASE_URL (${reasonOf(facts)}).`,
        ['DATABASE_URL: correct the user name and password (postgres://user:password@host:port/database), or create that role and allow it in pg_hba.conf.'],
        error,
      );
    }
    if (codes.has('3D000')) {
      return failure(
        'store-refused',
        `Gatehouse cannot start: ${store} has no such database (${reasonOf(facts)}).`,
        ['DATABASE_URL: create the database (`createdb <name>`), or correct its name in the URL path.'],
        error,
      );
    }
    if (isStoreUnreachable(error, config)) {
      const waited = waitedSeconds > 0 ? `within ${String(waitedSeconds)} s` : 'at once';
      return failure(
        'store-unreachable',
        `Gatehouse cannot start: ${store} did not answer ${waited} (${reasonOf(facts)}).`,
        [
          'DATABASE_URL: check its host and port, and that PostgreSQL is running and accepts TCP connections there.',
          `GATEHOUSE_STORE_WAIT_SECONDS: raise it (now ${String(waitedSeconds)}) if the database takes longer to come up, e.g. started alongside in docker compose.`,
        ],
        error,
      );
    }
  }

  const writeProblem = facts.find(
    (fact) => fact.code !== undefined && WRITE_CODES.has(fact.code) && (fact.code.startsWith('SQLITE_') ? config.databaseUrl === undefined : insideDataDir(fact.path, config.dataDir)),
  );
  if (writeProblem !== undefined) {
    return failure(
      'data-dir-not-writable',
      `Gatehouse cannot start: it cannot write its data directory ${config.dataDir} (${writeProblem.message.split('\n')[0] ?? ''}).`,
      [
        'GATEHOUSE_DATA_DIR: point it at a directory this user can create and write (it holds the embedded store and the generated secret key), or fix the owner and mode of this one.',
      ],
      error,
    );
  }

  return failure(
    'unexpected',
    `Gatehouse failed to start: ${facts[0]?.message.split('\n')[0] ?? String(error)}`,
    ['LOG_LEVEL=debug shows the stack trace; please report it with that output if the cause is not clear.'],
    error,
  );
}
