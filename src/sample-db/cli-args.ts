/** The arguments of `npm run sample-db`: parsed without side effects, every error naming its flag. */
export const DEFAULT_EMBEDDED_PORT = 5433;
export const DEFAULT_WEBSERVICE_PORT = 5480;

export type SampleDbCommand =
  | { readonly kind: 'help' }
  | { readonly kind: 'embedded'; readonly port: number; readonly host: string; readonly dataDir?: string }
  | { readonly kind: 'seed'; readonly uri: string }
  | { readonly kind: 'webservice'; readonly port: number; readonly host: string; readonly apiKey?: string };

export type ParsedArgs = { readonly ok: true; readonly command: SampleDbCommand } | { readonly ok: false; readonly error: string };

export const HELP = `Usage: npm run sample-db [-- options]

The sample user database that Gatehouse's script templates are written for: 100 users
(alice@example.com / alice-password-1, … every password is <username>-password-1).

  npm run sample-db
      Start an embedded PostgreSQL-compatible database (PGlite, nothing to install),
      seeded with the sample, and print SAMPLE_DB_URI=postgres://… . Runs until Ctrl-C.
  npm run sample-db -- --seed <uri>
      Create the sample table and users in an existing database and print SAMPLE_DB_URI=<uri>.
      <uri> is postgres://…, mysql://… (MySQL or MariaDB) or mongodb://… . Users already
      there are left alone, so running it twice is harmless.
  npm run sample-db -- --webservice
      Start the sample legacy user web service (the API the web-service template calls)
      and print SAMPLE_DB_URI=http://… .

Options:
  --port <n>        port to listen on (embedded: ${String(DEFAULT_EMBEDDED_PORT)}, web service: ${String(DEFAULT_WEBSERVICE_PORT)}; 0 picks a free one)
  --host <address>  address to listen on (default 127.0.0.1)
  --data-dir <dir>  embedded: keep the database in <dir> across restarts (default: in memory)
  --api-key <key>   web service: require "Authorization: Bearer <key>" (the template sends env.API_KEY)
  -h, --help        show this help

Only the SAMPLE_DB_URI line goes to stdout; everything else goes to stderr.`;

const SEED_SCHEMES = ['postgres:', 'postgresql:', 'mysql:', 'mariadb:', 'mongodb:', 'mongodb+srv:'];

function parsePort(flag: string, value: string): number | string {
  if (!/^\d+$/.test(value) || Number(value) > 65535) return `${flag} must be a port number from 0 to 65535, got "${value}"`;
  return Number(value);
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const values = new Map<string, string>();
  let webservice = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] ?? '';
    if (arg === '-h' || arg === '--help') return { ok: true, command: { kind: 'help' } };
    if (arg === '--webservice') {
      webservice = true;
      continue;
    }
    const [flag = '', inline] = arg.startsWith('--') && arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    if (!['--seed', '--port', '--host', '--data-dir', '--api-key'].includes(flag)) {
      return { ok: false, error: arg.startsWith('-') ? `unknown option ${flag}` : `unexpected argument "${arg}" (options start with --)` };
    }
    const value = inline ?? argv[i + 1];
    if (value === undefined || (inline === undefined && value.startsWith('--')) || value === '') {
      return { ok: false, error: `${flag} needs a value` };
    }
    if (inline === undefined) i += 1;
    if (values.has(flag)) return { ok: false, error: `${flag} is given twice` };
    values.set(flag, value);
  }

  const seed = values.get('--seed');
  const only = (allowed: readonly string[], mode: string): string | null => {
    const extra = [...values.keys()].find((flag) => !allowed.includes(flag));
    if (extra === undefined) return null;
    if (extra === '--api-key') return '--api-key applies only to --webservice';
    if (extra === '--data-dir') return '--data-dir applies only to the embedded database (no --seed, no --webservice)';
    return `${extra} does not apply to ${mode}`;
  };

  if (seed !== undefined) {
    if (webservice) return { ok: false, error: '--seed and --webservice are different commands; give one' };
    const problem = only(['--seed'], '--seed');
    if (problem !== null) return { ok: false, error: problem };
    let url: URL;
    try {
      url = new URL(seed);
    } catch {
      return { ok: false, error: `--seed needs a database URI such as postgres://user:password@host:5432/db, got "${seed}"` };
    }
    if (!SEED_SCHEMES.includes(url.protocol)) {
      return { ok: false, error: `--seed: unsupported URI scheme "${url.protocol}"; use postgres://, mysql:// or mongodb://` };
    }
    return { ok: true, command: { kind: 'seed', uri: seed } };
  }

  const port = values.get('--port');
  const parsedPort = port === undefined ? undefined : parsePort('--port', port);
  if (typeof parsedPort === 'string') return { ok: false, error: parsedPort };
  const host = values.get('--host') ?? '127.0.0.1';

  if (webservice) {
    const problem = only(['--port', '--host', '--api-key'], '--webservice');
    if (problem !== null) return { ok: false, error: problem };
    const apiKey = values.get('--api-key');
    return {
      ok: true,
      command: { kind: 'webservice', port: parsedPort ?? DEFAULT_WEBSERVICE_PORT, host, ...(apiKey === undefined ? {} : { apiKey }) },
    };
  }
  const problem = only(['--port', '--host', '--data-dir'], 'the embedded database');
  if (problem !== null) return { ok: false, error: problem };
  const dataDir = values.get('--data-dir');
  return {
    ok: true,
    command: { kind: 'embedded', port: parsedPort ?? DEFAULT_EMBEDDED_PORT, host, ...(dataDir === undefined ? {} : { dataDir }) },
  };
}
