/**
 * `gatehouse start`: validate the environment, wait for the store if it is not up yet,
 * start the server, stop cleanly on SIGTERM/SIGINT. A start that fails prints one block
 * saying what to fix and exits with its cause's status (startup-failures.ts).
 */
import { inspect } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_STORE_WAIT_SECONDS, loadConfig, type Config } from '../config/config.js';
import { createServer, type Server } from '../server.js';
import { cliLog, coloursOn, humanLines, painter, type CliIo, type CliLog } from './output.js';
import { briefReason, configurationFailure, formatFailure, isStoreUnreachable, startupFailureOf, storeWhere, type StartupFailure } from './startup-failures.js';

/** Backoff between attempts to reach the store: doubling from half a second, at most five. */
const FIRST_STORE_WAIT_MS = 500;
const LONGEST_STORE_WAIT_MS = 5000;

export interface StartOptions {
  json: boolean;
}

/** Resolves with an exit status when the start failed, or undefined once the server listens (it runs until a signal). */
export async function runStart(options: StartOptions, io: CliIo): Promise<number | undefined> {
  const paint = painter(coloursOn(io.stderr, io.env));
  const loaded = loadConfig(io.env);
  if (!loaded.ok) return report(configurationFailure(loaded.problems), io, paint, undefined);
  const { config } = loaded;
  const level = config.logLevel ?? 'info';
  const json = options.json || io.stdout.isTTY !== true;
  const stdoutPaint = painter(coloursOn(io.stdout, io.env));
  const log = cliLog(io.stdout, { json, level, paint: stdoutPaint });
  const logger = json ? { level } : { level, stream: humanLines(io.stdout, stdoutPaint) };

  const opened = await openWaitingForStore(() => createServer(config, { logger }), config, log);
  const jsonLog = json ? log : undefined;
  if (!opened.ok) return report(startupFailureOf(opened.error, config, 'opening', opened.waitedSeconds), io, paint, jsonLog, config);
  const server = opened.server;
  const appLog = server.app.log;
  if (server.generatedSecretKey) {
    appLog.warn(`generated a secret key into ${config.dataDir}/secret.key; back it up, and set GATEHOUSE_SECRET_KEY to run several instances`);
  }

  let address: string;
  try {
    address = await server.app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await server.close();
    return report(startupFailureOf(error, config, 'listening'), io, paint, jsonLog, config);
  }
  stopOnSignals(server);
  const sandbox = server.runtimes.sandboxStatus();
  if (sandbox.warning !== undefined) appLog.warn(sandbox.warning);
  else appLog.info(`custom database scripts run in the ${sandbox.level} sandbox (${sandbox.reason})`);
  // Built in the background: until then, and if it cannot be, runtimes start the normal way.
  void server.runtimes.startupSnapshotSettled().then((snapshot) => {
    if (snapshot.state === 'failed') appLog.warn(`script runtimes start without the startup snapshot (slower starts): ${snapshot.reason}`);
    else if (snapshot.state === 'ready') appLog.info(`script runtimes start from the startup snapshot ${snapshot.blob}`);
  });
  const base = address.replace('://0.0.0.0', '://127.0.0.1');
  if (server.generatedAdminToken) {
    // Printed once, on stdout and not through the logger, so log shipping never carries it.
    io.stdout.write(`\nAdmin token (shown only this once; keep it): ${server.generatedAdminToken}\nAdmin console: ${base}/console\n\n`);
  }
  return undefined;
}

type Opened = { ok: true; server: Server } | { ok: false; error: unknown; waitedSeconds: number };

/**
 * Behind docker compose or Kubernetes the database often comes up after the server: while
 * the store is unreachable, try again with backoff for GATEHOUSE_STORE_WAIT_SECONDS,
 * saying so at each wait. Any other failure ends the start at once.
 */
async function openWaitingForStore(open: () => Promise<Server>, config: Config, log: CliLog): Promise<Opened> {
  const waitSeconds = config.storeWaitSeconds ?? DEFAULT_STORE_WAIT_SECONDS;
  const started = Date.now();
  const deadline = started + waitSeconds * 1000;
  let nextWaitMs = FIRST_STORE_WAIT_MS;
  for (let attempt = 1; ; attempt++) {
    try {
      const server = await open();
      if (attempt > 1) log.info(`${storeWhere(config.databaseUrl)} answered after ${seconds(Date.now() - started)} s`);
      return { ok: true, server };
    } catch (error) {
      const leftMs = deadline - Date.now();
      if (!isStoreUnreachable(error, config) || leftMs <= 0) return { ok: false, error, waitedSeconds: Math.round((Date.now() - started) / 1000) };
      const waitMs = Math.min(nextWaitMs, leftMs);
      log.warn(
        `${storeWhere(config.databaseUrl)} is not reachable (${briefReason(error)}); trying again in ${seconds(waitMs)} s, ` +
          `giving up in ${seconds(leftMs)} s (GATEHOUSE_STORE_WAIT_SECONDS=${String(waitSeconds)})`,
        { attempt, retryInMs: waitMs },
      );
      await sleep(waitMs);
      nextWaitMs = Math.min(nextWaitMs * 2, LONGEST_STORE_WAIT_MS);
    }
  }
}

const seconds = (ms: number): string => (ms / 1000).toFixed(1).replace(/\.0$/, '');

/** The failure block on stderr (its stack only at LOG_LEVEL=debug or trace), and one JSON line on a JSON log. */
function report(startup: StartupFailure, io: CliIo, paint: ReturnType<typeof painter>, jsonLog: CliLog | undefined, config?: Config): number {
  const [title = '', ...rest] = formatFailure(startup).split('\n');
  io.stderr.write(`${paint('red', title)}\n${rest.map((line) => `${line}\n`).join('')}`);
  const verbose = config?.logLevel === 'debug' || config?.logLevel === 'trace';
  if (verbose && startup.error !== undefined) io.stderr.write(`\n${inspect(startup.error, { depth: 4 })}\n`);
  if (jsonLog !== undefined) {
    jsonLog.fatal(startup.title, { cause: startup.cause, exitCode: startup.exitCode, fixes: startup.fixes });
  }
  return startup.exitCode;
}

function stopOnSignals(server: Server): void {
  const log = server.app.log;
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info(`${signal} received, finishing in-flight requests`);
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        log.error({ err: error }, 'error while stopping');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
