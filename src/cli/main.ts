/** The entry of the `gatehouse` command: bin/gatehouse.js calls `main` from src/ (with tsx) or dist/. */
import { runCli } from './commands.js';
import { processIo } from './output.js';
import { EXIT_CODES } from './startup-failures.js';

/** Exits once stdout and stderr are written out: a pipe's writes are asynchronous, and `process.exit` would cut them. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

export function main(argv: readonly string[]): void {
  runCli(argv, processIo()).then(
    (code) => {
      if (code !== undefined) exitAfterFlush(code);
    },
    (error: unknown) => {
      // A bug rather than an operator's mistake: the stack is for the report, at LOG_LEVEL=debug.
      const debug = /^(debug|trace)$/i.test(process.env['LOG_LEVEL'] ?? '');
      const text = error instanceof Error ? (debug ? (error.stack ?? error.message) : error.message) : String(error);
      process.stderr.write(`gatehouse: unexpected error: ${text}${debug ? '' : ' (LOG_LEVEL=debug shows the stack)'}\n`);
      exitAfterFlush(EXIT_CODES.unexpected);
    },
  );
}
