/** Entry point of `npm run import` (see cli.ts). */
import { runImportCli } from './cli.js';

const status = await runImportCli(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: process.env });
process.exitCode = status;
