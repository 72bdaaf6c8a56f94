/**
 * The records of an import file as they arrive, never the whole file in memory: NDJSON
 * (one JSON value a line) or a JSON array (its elements, found by a small scanner that
 * tracks strings and nesting, so an array of any size streams too). Each record carries
 * its 1-based line (the element's position in an array) and its value or why it is not
 * valid JSON.
 */
import type { Readable } from 'node:stream';
import { StringDecoder } from 'node:string_decoder';

export type ImportFormat = 'ndjson' | 'json-array';

export type ImportRecord = { line: number; value: unknown } | { line: number; problem: string };

/** A line or element longer than this is reported and skipped rather than held in memory. */
export const MAX_RECORD_BYTES = 1024 * 1024;

export interface ReadProgress {
  /** bytes read so far */
  bytes: number;
}

/** The file's structure is broken beyond one record (a JSON array that is not one): the import stops. */
export class ImportFileError extends Error {}

function parsed(line: number, text: string): ImportRecord {
  try {
    return { line, value: JSON.parse(text) as unknown };
  } catch {
    return { line, problem: 'is not valid JSON' };
  }
}

const tooLong = (line: number): ImportRecord => ({ line, problem: `is longer than ${MAX_RECORD_BYTES} bytes` });

async function* decoded(source: AsyncIterable<Buffer | string>, progress: ReadProgress, maxBytes: number): AsyncGenerator<string> {
  const decoder = new StringDecoder('utf8');
  for await (const chunk of source) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    progress.bytes += buffer.length;
    if (progress.bytes > maxBytes) throw new ImportFileError(`The file is larger than ${maxBytes} bytes`);
    yield decoder.write(buffer);
  }
  const rest = decoder.end();
  if (rest !== '') yield rest;
}

async function* ndjsonRecords(text: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  let line = 0;
  let pending = '';
  let overlong = false;
  for await (const chunk of text) {
    let start = 0;
    let newline = chunk.indexOf('\n');
    while (newline !== -1) {
      line++;
      const piece = pending + chunk.slice(start, newline);
      pending = '';
      if (overlong) {
        overlong = false;
        yield tooLong(line);
      } else if (piece.trim() !== '') {
        yield parsed(line, piece);
      }
      start = newline + 1;
      newline = chunk.indexOf('\n', start);
    }
    if (!overlong) pending += chunk.slice(start);
    if (pending.length > MAX_RECORD_BYTES) {
      overlong = true;
      pending = '';
    }
  }
  line++;
  if (overlong) yield tooLong(line);
  else if (pending.trim() !== '') yield parsed(line, pending);
}

/**
 * The elements of a top-level JSON array. The scanner only finds where each element ends
 * (outside strings, at depth 0, a comma or the closing bracket); JSON.parse judges each
 * element, so a bad element is one bad record and the rest goes on.
 */
async function* arrayRecords(text: AsyncIterable<string>): AsyncGenerator<ImportRecord> {
  let state = 'before' as 'before' | 'element' | 'after';
  let element = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let current = '';
  let overlong = false;
  const end = (): ImportRecord | undefined => {
    element++;
    const record = overlong ? tooLong(element) : current.trim() === '' ? undefined : parsed(element, current);
    current = '';
    overlong = false;
    return record;
  };
  for await (const chunk of text) {
    let from = 0;
    for (let index = 0; index < chunk.length; index++) {
      const char = chunk[index];
      if (state === 'before') {
        if (char === '[') {
          state = 'element';
          from = index + 1;
        } else if (char !== undefined && !/\s/.test(char)) {
          throw new ImportFileError('The body is not a JSON array');
        }
        continue;
      }
      if (state === 'after') {
        if (char !== undefined && !/\s/.test(char)) throw new ImportFileError('The JSON array has content after its closing bracket');
        continue;
      }
      if (inString) {
        if (escaped) escaped = false;
        else if (char === '\\') escaped = true;
        else if (char === '"') inString = false;
        continue;
      }
      if (char === '"') inString = true;
      else if (char === '{' || char === '[') depth++;
      else if (depth > 0 && (char === '}' || char === ']')) depth--;
      else if (depth === 0 && (char === ',' || char === ']')) {
        if (!overlong) current += chunk.slice(from, index);
        const record = end();
        // `[]` and a trailing `]` after the last element end nothing
        if (record) yield record;
        else if (char === ',') yield { line: element, problem: 'is empty' };
        else element--;
        from = index + 1;
        if (char === ']') state = 'after';
      }
    }
    if (state === 'element' && !overlong) {
      current += chunk.slice(from);
      if (current.length > MAX_RECORD_BYTES) {
        overlong = true;
        current = '';
      }
    }
  }
  if (state !== 'after') throw new ImportFileError('The JSON array ends before its closing bracket');
}

/** The records of `source` in `format`; `progress.bytes` counts what was read. */
export function readRecords(source: Readable | AsyncIterable<Buffer | string>, format: ImportFormat, progress: ReadProgress, maxBytes: number): AsyncGenerator<ImportRecord> {
  const text = decoded(source, progress, maxBytes);
  return format === 'ndjson' ? ndjsonRecords(text) : arrayRecords(text);
}
