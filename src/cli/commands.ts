/**
 * The `gatehouse` command: one entry for everything an operator runs. Each subcommand
 * resolves with its exit status, or undefined when it keeps running (a server, a sample
 * database) and ends on a signal.
 */
import { parseArgs } from 'node:util';
import { EXIT_CODES } from './startup-failures.js';
import type { CliIo } from './output.js';
import { DEFAULT_STORE_WAIT_SECONDS } from '../config/config.js';

export const HELP = `Usage: gatehouse <command> [options]

Commands:
  start       start the server (npm start builds, then runs this)
  doctor      check the configuration and everything the server depends on
  sample-db   the sample user database the script templates target
  import      bulk import of users into a pool
  admin-key   create, list or revoke named admin keys

Run gatehouse <command> --help for a command's options.
Configuration comes from the environment (README, "Configuration"); exit statuses are in
the README's "Operating Gatehouse".`;

/** Here rather than in start.ts, so `start --help` does not load the whole server. */
export const START_HELP = `Usage: gatehouse start [--json]

Starts the server with the configuration in the environment (README, "Configuration").
Waits up to GATEHOUSE_STORE_WAIT_SECONDS (default ${String(DEFAULT_STORE_WAIT_SECONDS)}) for a PostgreSQL store that is not up yet.
A start that fails prints what to fix and exits with a status per cause (README, "Operating Gatehouse").

Options:
  --json      JSON log lines even on a terminal (they are JSON whenever stdout is not a terminal)
  -h, --help  show this help`;


type Command = (argv: string[], io: CliIo) => Promise<number | undefined>;

/** A command's own flags: --json and --help, with every other option refused (exit status 2). */
function reportingFlags(name: string, argv: string[], io: CliIo): { json: boolean; help: boolean } | number {
  try {
    const { values } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean', default: false }, help: { type: 'boolean', short: 'h', default: false } },
      strict: true,
      allowPositionals: false,
    });
    return { json: values.json, help: values.help };
  } catch (error) {
    return usageError(name, error instanceof Error ? error.message : String(error), io);
  }
}

function usageError(name: string, message: string, io: CliIo): number {
  io.stderr.write(`gatehouse ${name}: ${message}\nRun gatehouse ${name} --help for its options.\n`);
  return EXIT_CODES.usage;
}

const COMMANDS: Record<string, Command> = {
  async start(argv, io) {
    const flags = reportingFlags('start', argv, io);
    if (typeof flags === 'number') return flags;
    if (flags.help) {
      io.stdout.write(`${START_HELP}\n`);
      return 0;
    }
    // Loaded on demand: the server's modules are not needed by the other commands.
    const { runStart } = await import('./start.js');
    return runStart({ json: flags.json }, io);
  },
  async doctor(argv, io) {
    const flags = reportingFlags('doctor', argv, io);
    if (typeof flags === 'number') return flags;
    const { DOCTOR_HELP, runDoctor } = await import('./doctor.js');
    if (flags.help) {
      io.stdout.write(`${DOCTOR_HELP}\n`);
      return 0;
    }
    return runDoctor({ json: flags.json }, io);
  },
  async 'sample-db'(argv) {
    // Its own parser, help and exit handling (it runs until Ctrl-C or exits itself).
    const { runSampleDbCli } = await import('../sample-db/cli.js');
    await runSampleDbCli(argv);
    return undefined;
  },
  async import(argv, io) {
    // The bulk import's own parser, help, progress and exit statuses (src/import/cli.ts).
    const { runImportCli } = await import('../import/cli.js');
    return runImportCli(argv, io);
  },
  async 'admin-key'(argv, io) {
    const { runAdminKey } = await import('./admin-key.js');
    return runAdminKey(argv, io);
  },
};

export async function runCli(argv: readonly string[], io: CliIo): Promise<number | undefined> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${HELP}\n`);
    return name === undefined ? EXIT_CODES.usage : 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    io.stderr.write(`gatehouse: unknown command "${name}".\n\n${HELP}\n`);
    return EXIT_CODES.usage;
  }
  return command(rest, io);
}
