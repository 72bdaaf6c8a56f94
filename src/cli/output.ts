/**
 * How the command talks: human lines (coloured when the stream is a terminal and NO_COLOR
 * is unset) for a person at a terminal, JSON log lines (pino's shape, what the server's
 * logger writes) for everything else, so log shipping sees one format.
 */
import { hostname } from 'node:os';
import { styleText } from 'node:util';
import type { LogLevel } from '../config/config.js';

export interface OutputStream {
  write(text: string): unknown;
  isTTY?: boolean;
}

/** What a command reads and writes; the bin passes the process's, tests could pass others. */
export interface CliIo {
  stdout: OutputStream;
  stderr: OutputStream;
  env: Record<string, string | undefined>;
}

export const processIo = (): CliIo => ({ stdout: process.stdout, stderr: process.stderr, env: process.env });

/** https://no-color.org: any non-empty NO_COLOR turns colours off; so does a stream that is not a terminal. */
export function coloursOn(stream: OutputStream, env: CliIo['env']): boolean {
  return stream.isTTY === true && (env['NO_COLOR'] ?? '') === '' && env['TERM'] !== 'dumb';
}

type Style = 'red' | 'green' | 'yellow' | 'dim' | 'bold';
export type Paint = (style: Style, text: string) => string;
/** Whether to colour is decided here (coloursOn), for the stream actually written, not by styleText's look at stdout. */
export const painter = (on: boolean): Paint => (style, text) => (on ? styleText(style, text, { validateStream: false }) : text);

/** pino's numbers for the levels, so a JSON line of ours reads like one of the server's. */
const LEVEL_NUMBERS: Record<Exclude<LogLevel, 'silent'>, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
const LEVEL_NAMES = new Map(Object.entries(LEVEL_NUMBERS).map(([name, number]) => [number, name]));
const LEVEL_STYLES: Partial<Record<string, Style>> = { warn: 'yellow', error: 'red', fatal: 'red', debug: 'dim', trace: 'dim' };

export interface CliLog {
  info(message: string, details?: object): void;
  warn(message: string, details?: object): void;
  fatal(message: string, details?: object): void;
}

/** The log of the command itself (before and around the server's), in the chosen format. */
export function cliLog(stream: OutputStream, options: { json: boolean; level: LogLevel; paint: Paint }): CliLog {
  const threshold = options.level === 'silent' ? Infinity : LEVEL_NUMBERS[options.level];
  const human = humanLines(stream, options.paint);
  const emit = (level: Exclude<LogLevel, 'silent'>, message: string, details: object = {}) => {
    if (LEVEL_NUMBERS[level] < threshold) return;
    const line = JSON.stringify({ level: LEVEL_NUMBERS[level], time: Date.now(), pid: process.pid, hostname: hostname(), ...details, msg: message });
    if (options.json) stream.write(`${line}\n`);
    else human.write(line);
  };
  return {
    info: (message, details) => emit('info', message, details),
    warn: (message, details) => emit('warn', message, details),
    fatal: (message, details) => emit('fatal', message, details),
  };
}

const HIDDEN_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'msg']);

/**
 * A pino destination that turns each JSON line into `12:04:05 WARN  message key=value`;
 * given to Fastify's logger as its stream when the log goes to a terminal.
 */
export function humanLines(stream: OutputStream, paint: Paint): { write(line: string): void } {
  return {
    write(line: string) {
      let entry: Record<string, unknown>;
      try {
        entry = JSON.parse(line) as Record<string, unknown>;
      } catch {
        stream.write(line.endsWith('\n') ? line : `${line}\n`);
        return;
      }
      const level = LEVEL_NAMES.get(Number(entry['level'])) ?? 'info';
      const time = new Date(typeof entry['time'] === 'number' ? entry['time'] : Date.now()).toTimeString().slice(0, 8);
      const extras = Object.entries(entry)
        .filter(([key]) => !HIDDEN_FIELDS.has(key))
        .map(([key, value]) => `${key}=${describe(value)}`);
      const styled = LEVEL_STYLES[level];
      const label = level.toUpperCase().padEnd(5);
      stream.write(`${paint('dim', time)} ${styled === undefined ? label : paint(styled, label)} ${String(entry['msg'] ?? '')}${extras.length > 0 ? paint('dim', ` ${extras.join(' ')}`) : ''}\n`);
    },
  };
}

/** A field's value in one short token: errors by their message, requests by method and URL. */
function describe(value: unknown): string {
  if (typeof value !== 'object' || value === null) return String(value);
  const record = value as Record<string, unknown>;
  if (typeof record['message'] === 'string') return JSON.stringify(record['message']);
  if (typeof record['method'] === 'string' && typeof record['url'] === 'string') return `${record['method']} ${record['url']}`;
  return JSON.stringify(value);
}
