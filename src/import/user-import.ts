/**
 * Bulk import of users as a job: records are read as they arrive (read-records.ts),
 * checked (import-line.ts), and written in batches (store/user-import.ts), progress saved
 * after each batch. The HTTP endpoint and the CLI both start imports through here.
 */
import type { Readable } from 'node:stream';
import type { JobError } from '../domain/job.js';
import type { StoredPassword } from '../domain/password.js';
import type { Result } from '../domain/result.js';
import type { JobRunner, JobWork } from '../jobs/runner.js';
import type { ImportedUser, UserImportWriter } from '../store/user-import.js';
import { parseImportLine, type ParsedLine } from './import-line.js';
import { ImportFileError, readRecords, type ImportFormat } from './read-records.js';

/** Users per transaction: large enough to make writes cheap, small enough that progress moves. */
export const IMPORT_BATCH_SIZE = 500;
/** The largest import body or file (API.md: 1 GiB). */
export const IMPORT_MAX_BYTES = 1024 * 1024 * 1024;

export interface ImportProgress {
  bytes: number;
  processed: number;
}

export interface UserImportDependencies {
  jobs: Pick<JobRunner, 'start'>;
  writer: UserImportWriter;
  /** hashes a plain password to argon2id */
  hashPassword(password: string): Promise<StoredPassword>;
}

export interface StartedImport {
  jobId: string;
  /** settles once the source has been read to its end (or the import stopped reading it) */
  sourceRead: Promise<void>;
}

export interface UserImport {
  start(
    poolId: string,
    source: Readable | AsyncIterable<Buffer | string>,
    format: ImportFormat,
    options?: { onProgress?: (progress: ImportProgress) => void },
  ): Promise<Result<StartedImport, 'JOB_RUNNING'>>;
}

interface Pending {
  line: number;
  parsed: ParsedLine;
}

const byLine = (a: JobError, b: JobError) => (a.line ?? 0) - (b.line ?? 0);

export function userImport(dependencies: UserImportDependencies): UserImport {
  const { jobs, writer } = dependencies;

  async function toImported(pending: Pending): Promise<ImportedUser> {
    const { password } = pending.parsed;
    const stored = password === null ? null : 'plain' in password ? await dependencies.hashPassword(password.plain) : password.stored;
    return {
      line: pending.line,
      externalId: pending.parsed.externalId,
      profile: pending.parsed.profile,
      password: stored,
      passwordFromElsewhere: password !== null && 'stored' in password,
    };
  }

  function work(
    poolId: string,
    source: Readable | AsyncIterable<Buffer | string>,
    format: ImportFormat,
    finishedReading: () => void,
    onProgress: ((progress: ImportProgress) => void) | undefined,
  ): JobWork {
    return async (context) => {
      const read = { bytes: 0 };
      let processed = 0;
      let pending: Pending[] = [];
      let lineErrors: JobError[] = [];
      let lastLine = 0;

      const flush = async (): Promise<boolean> => {
        const users = await Promise.all(pending.map(toImported));
        const written = await writer.write(poolId, context.job.id, users);
        const batchProcessed = pending.length + lineErrors.length;
        const errors = [...lineErrors, ...written.errors].sort(byLine);
        const failed = lineErrors.length + written.failed;
        pending = [];
        lineErrors = [];
        processed += batchProcessed;
        onProgress?.({ bytes: read.bytes, processed });
        return context.checkpoint({
          processed: batchProcessed,
          created: written.created,
          updated: written.updated,
          failed,
          errors,
          cursor: String(lastLine),
        });
      };

      try {
        for await (const record of readRecords(source, format, read, IMPORT_MAX_BYTES)) {
          lastLine = record.line;
          if ('problem' in record) {
            lineErrors.push({ line: record.line, message: record.problem });
          } else {
            const parsed = parseImportLine(record.value);
            if (parsed.ok) pending.push({ line: record.line, parsed: parsed.value });
            else lineErrors.push(lineError(record.line, record.value, parsed.error.message));
          }
          if (pending.length + lineErrors.length >= IMPORT_BATCH_SIZE && !(await flush())) return;
        }
        await flush();
      } catch (error) {
        if (error instanceof ImportFileError) throw error;
        if (isReadError(error)) throw new Error(`The upload ended before the file did (after line ${lastLine})`);
        throw error;
      } finally {
        finishedReading();
      }
    };
  }

  return {
    async start(poolId, source, format, options = {}) {
      let finishedReading = () => undefined as unknown;
      const sourceRead = new Promise<void>((resolve) => {
        finishedReading = resolve;
      });
      const started = await jobs.start(poolId, 'import', work(poolId, source, format, () => finishedReading(), options.onProgress));
      if (!started.ok) return started;
      return { ok: true, value: { jobId: started.value.id, sourceRead } };
    },
  };
}

/** A line's error names the user when the line says who it is. */
function lineError(line: number, value: unknown, message: string): JobError {
  const record = typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  const externalId = record['externalId'] ?? record['user_id'];
  return typeof externalId === 'string' && externalId.length <= 255 ? { line, externalId, message } : { line, message };
}

/** The request stream failed (the client went away) rather than the import. */
function isReadError(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === 'ECONNRESET' || code === 'ERR_STREAM_PREMATURE_CLOSE' || (error instanceof Error && error.message === 'aborted');
}
