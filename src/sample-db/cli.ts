/**
 * `npm run sample-db`: the embedded sample database, `--seed <uri>` for an existing one, or
 * `--webservice`. Prints exactly one line on stdout, `SAMPLE_DB_URI=…`, for people and
 * scripts alike; progress and errors go to stderr, errors without a stack trace.
 */
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import { HELP, parseArgs, type SampleDbCommand } from './cli-args.js';
import { SAMPLE_USERS } from './sample-users.data.js';
import { samplePassword } from './sample-user.js';

const say = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

function fail(message: string): never {
  say(`sample-db: ${message}`);
  process.exit(1);
}

/** The URI with any password masked, for messages. */
function masked(uri: string): string {
  try {
    const url = new URL(uri);
    if (url.password !== '') url.password = '****';
    return url.toString();
  } catch {
    return uri;
  }
}

/** One line for any driver error: AggregateErrors (several addresses) list their causes. */
function describeError(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return [...new Set(error.errors.map(describeError))].join('; ');
  }
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    if (error.message !== '') return error.message;
    return typeof code === 'string' ? code : error.name;
  }
  return String(error);
}

const HINT = `${String(SAMPLE_USERS.length)} sample users; try alice@example.com / ${samplePassword('alice')} (every password is <username>-password-1)`;

function announce(uri: string): void {
  process.stdout.write(`SAMPLE_DB_URI=${uri}\n`);
}

/** Runs `close` on SIGINT/SIGTERM, then exits 0; a second signal exits at once. */
function stopOnSignal(what: string, close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(1);
    stopping = true;
    say(`${signal}: stopping the ${what}`);
    close().then(
      () => process.exit(0),
      (error: unknown) => fail(`error while stopping: ${describeError(error)}`),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

function listenError(error: unknown, port: number): string {
  const code = (error as { code?: unknown }).code;
  if (code === 'EADDRINUSE') return `port ${String(port)} is in use; choose another with --port <n> (--port 0 picks a free one)`;
  if (code === 'EADDRNOTAVAIL') return `cannot listen on that --host: ${describeError(error)}`;
  return describeError(error);
}

async function seed(uri: string): Promise<void> {
  const { seedMongo, seedMysql, seedPostgres } = await import('./seed.js');
  const { protocol } = new URL(uri);
  let result;
  try {
    if (protocol === 'postgres:' || protocol === 'postgresql:') result = await seedPostgres(uri);
    else if (protocol === 'mysql:' || protocol === 'mariadb:') result = await seedMysql(uri.replace(/^mariadb:/, 'mysql:'));
    else result = await seedMongo(uri);
  } catch (error) {
    fail(`could not seed ${masked(uri)}: ${describeError(error)}`);
  }
  say(`Seeded ${masked(uri)}: ${String(result.inserted)} users added, ${String(result.total - result.inserted)} already there. ${HINT}.`);
  announce(uri);
  process.exit(0);
}

async function embedded(command: Extract<SampleDbCommand, { kind: 'embedded' }>): Promise<void> {
  const started = Date.now();
  // PostgreSQL's WebAssembly is compiled function by function as it is first called, by the
  // baseline compiler only: about 100 MB less resident memory than optimising all of it, and
  // fast enough for a sample. Set before PGlite compiles anything; this process only.
  v8.setFlagsFromString('--liftoff-only');
  v8.setFlagsFromString('--wasm-lazy-compilation');
  const { startEmbeddedSampleDb } = await import('./embedded.js');
  let db;
  try {
    db = await startEmbeddedSampleDb({
      port: command.port,
      host: command.host,
      ...(command.dataDir === undefined ? {} : { dataDir: command.dataDir }),
      log: say,
    });
  } catch (error) {
    fail(`could not start the sample database: ${listenError(error, command.port)}`);
  }
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  say(
    `Sample database (PGlite, PostgreSQL-compatible, ${command.dataDir === undefined ? 'in memory' : `in ${command.dataDir}`}) ` +
      `listening on ${db.host}:${String(db.port)}, ready in ${seconds} s. ${HINT}.`,
  );
  say('Save a template with this URI as the connection; Ctrl-C stops the database.');
  stopOnSignal('sample database', db.close);
  announce(db.uri);
}

async function webservice(command: Extract<SampleDbCommand, { kind: 'webservice' }>): Promise<void> {
  const { startSampleWebService } = await import('./web-service.js');
  let service;
  try {
    service = await startSampleWebService({
      port: command.port,
      host: command.host,
      ...(command.apiKey === undefined ? {} : { apiKey: command.apiKey }),
    });
  } catch (error) {
    fail(`could not start the sample web service: ${listenError(error, command.port)}`);
  }
  say(
    `Sample legacy user web service listening on ${service.url}` +
      `${command.apiKey === undefined ? '' : ' (requires the API key: set env API_KEY in the connection)'}. ${HINT}. Ctrl-C stops it.`,
  );
  stopOnSignal('sample web service', service.close);
  announce(service.url);
}

/** `gatehouse sample-db …`; exits the process itself on errors and when a seed is done. */
export async function runSampleDbCli(argv: readonly string[]): Promise<void> {
  try {
    await main(argv);
  } catch (error) {
    fail(describeError(error));
  }
}

async function main(argv: readonly string[]): Promise<void> {
  const parsed = parseArgs(argv);
  if (!parsed.ok) fail(`${parsed.error}\nRun npm run sample-db -- --help for the options.`);
  const { command } = parsed;
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${HELP}\n`);
      return;
    case 'seed':
      return seed(command.uri);
    case 'embedded':
      return embedded(command);
    case 'webservice':
      return webservice(command);
  }
}

// Run directly (`tsx src/sample-db/cli.ts`, as its tests do), it is its own entry point.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) void runSampleDbCli(process.argv.slice(2));
