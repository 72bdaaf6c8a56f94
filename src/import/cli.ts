/**
 * `npm run import -- --pool <id> users.ndjson`: the bulk import for a file on disk,
 * straight into the configured store (DATABASE_URL or GATEHOUSE_DATA_DIR, as the server
 * uses them) through the same code as `POST …/users/import`, as a job any running
 * instance shows. On a terminal a progress line (users, rate, ETA from the bytes read)
 * redraws in place; otherwise progress is plain lines. At the end: a summary and the
 * per-line errors. `runImportCli` holds all of it, so another command line can call it.
 */
import { createReadStream, statSync } from 'node:fs';
import { loadConfig } from '../config/config.js';
import { openStore } from '../store/database.js';
import { poolsRepository } from '../store/pools.js';
import { customDbRepository } from '../store/custom-db.js';
import { jobsRepository } from '../store/jobs.js';
import { userImportWriter } from '../store/user-import.js';
import { createJobRunner } from '../jobs/runner.js';
import { hashPassword } from '../passwords/passwords.js';
import { userImport, type ImportProgress } from './user-import.js';
import type { ImportFormat } from './read-records.js';

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  env: Record<string, string | undefined>;
  /** the clock for rates and ETAs (tests may pass their own) */
  now?: () => number;
}

export const IMPORT_HELP = `Usage: npm run import -- --pool <poolId> [--format ndjson|json] <file>

Imports users from a file into a pool of the configured store (DATABASE_URL, or the
SQLite store in GATEHOUSE_DATA_DIR), as POST /api/v1/pools/<poolId>/users/import does.
The format follows the file's extension (.json: a JSON array; anything else: NDJSON)
unless --format says otherwise. Exit status: 0 when every line was imported, 1 when
some lines failed or the import could not run, 2 for a wrong command line.
`;

interface CliArgs {
  poolId: string;
  file: string;
  format: ImportFormat;
}

function parseCliArgs(argv: readonly string[]): CliArgs | string {
  let poolId: string | undefined;
  let format: ImportFormat | undefined;
  const files: string[] = [];
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index] ?? '';
    if (arg === '--pool') poolId = argv[++index];
    else if (arg.startsWith('--pool=')) poolId = arg.slice('--pool='.length);
    else if (arg === '--format' || arg.startsWith('--format=')) {
      const value = arg === '--format' ? argv[++index] : arg.slice('--format='.length);
      if (value !== 'ndjson' && value !== 'json') return `--format must be ndjson or json (got ${value ?? 'nothing'})`;
      format = value === 'json' ? 'json-array' : 'ndjson';
    } else if (arg.startsWith('--')) return `unknown option ${arg}`;
    else files.push(arg);
  }
  if (poolId === undefined || poolId === '') return '--pool <poolId> is required';
  if (files.length !== 1 || files[0] === undefined) return 'give exactly one file to import';
  const file = files[0];
  return { poolId, file, format: format ?? (file.toLowerCase().endsWith('.json') ? 'json-array' : 'ndjson') };
}

const formatDuration = (seconds: number): string => {
  if (!Number.isFinite(seconds)) return '?';
  const whole = Math.max(0, Math.round(seconds));
  const minutes = Math.floor(whole / 60);
  return minutes > 0 ? `${minutes}m${String(whole % 60).padStart(2, '0')}s` : `${whole}s`;
};

/** Runs the import command; answers the exit status. */
export async function runImportCli(argv: readonly string[], io: CliIo): Promise<number> {
  const now = io.now ?? Date.now;
  if (argv.includes('--help') || argv.includes('-h')) {
    io.stdout.write(IMPORT_HELP);
    return 0;
  }
  const args = parseCliArgs(argv);
  if (typeof args === 'string') {
    io.stderr.write(`import: ${args}\n\n${IMPORT_HELP}`);
    return 2;
  }
  let size: number;
  try {
    size = statSync(args.file).size;
  } catch {
    io.stderr.write(`import: cannot read ${args.file}\n`);
    return 1;
  }
  const config = loadConfig(io.env);
  if (!config.ok) {
    io.stderr.write(`import: the configuration has problems:\n${config.problems.map((problem) => `  - ${problem}\n`).join('')}`);
    return 1;
  }
  const store = await openStore({ databaseUrl: config.config.databaseUrl, dataDir: config.config.dataDir });
  const jobs = createJobRunner({ jobs: jobsRepository(store.db), log: { error: (_details, message) => io.stderr.write(`import: ${message}\n`) } });
  try {
    if (!(await poolsRepository(store.db).get(args.poolId))) {
      io.stderr.write(`import: no user pool with id ${args.poolId}\n`);
      return 1;
    }
    const connection = await customDbRepository(store.db).get(args.poolId);
    if (connection && connection.enabled === 1 && connection.mode === 'CUSTOM_USER_STORE') {
      io.stderr.write(`import: pool ${args.poolId} keeps its users in its custom database (CUSTOM_USER_STORE): import them there\n`);
      return 1;
    }

    const tty = io.stdout.isTTY === true;
    const startedAt = now();
    let lastPrinted = 0;
    const show = (progress: ImportProgress, final = false) => {
      const at = now();
      if (!final && at - lastPrinted < (tty ? 200 : 5000)) return;
      lastPrinted = at;
      const seconds = Math.max((at - startedAt) / 1000, 0.001);
      const rate = progress.processed / seconds;
      const fraction = size === 0 ? 1 : Math.min(progress.bytes / size, 1);
      const eta = fraction > 0 ? (seconds / fraction) * (1 - fraction) : Number.NaN;
      const line = `${progress.processed} users, ${Math.round(rate)}/s, ${Math.floor(fraction * 100)}% of the file, ETA ${formatDuration(eta)}`;
      io.stdout.write(tty ? `\r${line}\u001b[K${final ? '\n' : ''}` : `${line}\n`);
    };

    const importer = userImport({ jobs, writer: userImportWriter(store.db), hashPassword });
    const started = await importer.start(args.poolId, createReadStream(args.file), args.format, { onProgress: (progress) => show(progress) });
    if (!started.ok) {
      io.stderr.write(`import: ${started.error.message}\n`);
      return 1;
    }
    await started.value.sourceRead;
    await jobs.settled(started.value.jobId);
    const job = await jobs.get(args.poolId, started.value.jobId);
    if (!job) throw new Error('the import job disappeared');
    show({ bytes: size, processed: job.processed }, true);
    const seconds = (now() - startedAt) / 1000;
    io.stdout.write(
      `Import ${job.status} (job ${job.id}) in ${formatDuration(seconds)}: ${job.processed} lines, ${job.created} created, ` +
        `${job.updated} updated, ${job.skipped} skipped, ${job.failed} failed\n`,
    );
    for (const error of job.errors) {
      const where = error.line === undefined ? '' : `line ${error.line}: `;
      const who = error.externalId === undefined ? '' : ` (externalId ${error.externalId})`;
      io.stdout.write(`  ${where}${error.message}${who}\n`);
    }
    if (job.failed > job.errors.length) io.stdout.write(`  … and ${job.failed - job.errors.length} more (a job keeps its first ${job.errors.length} errors)\n`);
    return job.status === 'done' && job.failed === 0 ? 0 : 1;
  } finally {
    await jobs.close();
    await store.close();
  }
}
