/**
 * A server process as `npm start` runs it (the built dist/, the environment read by the same
 * config loader, the same composition root), plus the server options only tests set, as
 * JSON in GATEHOUSE_TEST_SERVER_OPTIONS (e.g. a short job lease). Prints the same
 * `listening at <url>` line, so test/support/process.ts starts it like dist/main.js.
 */
// Imported by URL, so the type-check (which sees this file) does not read the built dist/ too.
/** @param {string} module */
const built = (module) => import(new URL(`../../dist/${module}`, import.meta.url).href);
const { loadConfig } = await built('config/config.js');
const { createServer } = await built('server.js');

const loaded = loadConfig();
if (!loaded.ok) {
  console.error(loaded.problems.join('\n'));
  process.exit(1);
}
const options = JSON.parse(process.env['GATEHOUSE_TEST_SERVER_OPTIONS'] ?? '{}');
const server = await createServer(loaded.config, { ...options, logger: { level: 'warn' } });
const address = await server.app.listen({ port: loaded.config.port, host: loaded.config.host });
console.log(`listening at ${address}`);
process.on('SIGTERM', () => void server.close().then(() => process.exit(0)));
