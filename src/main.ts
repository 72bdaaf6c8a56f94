/** `npm start`: validate the environment, start the server, stop cleanly on SIGTERM/SIGINT. */
import { loadConfig } from './config/config.js';
import { StartupError, createServer } from './server.js';

async function main(): Promise<void> {
  const loaded = loadConfig();
  if (!loaded.ok) {
    console.error('Gatehouse cannot start; fix these settings:\n' + loaded.problems.map((p) => `  - ${p}`).join('\n'));
    process.exit(1);
  }
  const { config } = loaded;
  const server = await createServer(config, { logger: { level: config.logLevel ?? 'info' } });
  const log = server.app.log;
  if (server.generatedSecretKey) {
    log.warn(`generated a secret key into ${config.dataDir}/secret.key; back it up, and set GATEHOUSE_SECRET_KEY to run several instances`);
  }

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

  const address = await server.app.listen({ port: config.port, host: config.host });
  const sandbox = server.runtimes.sandboxStatus();
  if (sandbox.warning !== undefined) log.warn(sandbox.warning);
  else log.info(`custom database scripts run in the ${sandbox.level} sandbox (${sandbox.reason})`);
  const base = address.replace('://0.0.0.0', '://127.0.0.1');
  if (server.generatedAdminToken) {
    // Printed once, on stdout and not through the logger, so log shipping never carries it.
    process.stdout.write(
      `\nAdmin token (shown only this once; keep it): ${server.generatedAdminToken}\n` +
        `Admin console: ${base}/console\n\n`,
    );
  }
}

main().catch((error: unknown) => {
  if (error instanceof StartupError) console.error(`Gatehouse cannot start: ${error.message}`);
  else console.error('Gatehouse failed to start:', error);
  process.exit(1);
});
