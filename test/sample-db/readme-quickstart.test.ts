/**
 * Follows the README's Quick start literally: its shell blocks are read out of README.md (so
 * this breaks when the README drifts), the server is started as `npm start` runs it (built
 * dist/main.js, a fresh data dir, so the first start prints the admin token), the sample
 * database with the README's own command, and each command of the curl block runs through
 * `bash -c` with the variables the README tells the reader to set (TOKEN, SAMPLE_DB_URI)
 * filled in. Every `# → …` line under a command is its expected output (`…` = anything).
 * The server listens on a free port instead of 3000 (`localhost:3000` is rewritten).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServerProcess, type RunningServer } from '../support/process.js';
import { REPO_ROOT, startCli, stopAll, type RunningCli } from './cli-process.js';

interface Command {
  /** As written, continuation lines and multi-line quotes included. */
  readonly text: string;
  /** The `# → …` lines under it. */
  readonly expected: string[];
}

/** Splits a shell block into commands: a newline ends one unless quoted or escaped. */
function parseCommands(block: string): Command[] {
  const commands: Command[] = [];
  let current = '';
  let quote: string | null = null;
  for (const line of block.split('\n')) {
    const trimmed = line.trim();
    if (quote === null && current === '' && (trimmed === '' || trimmed.startsWith('#'))) {
      const expected = /^# → (.*)$/.exec(trimmed)?.[1];
      if (expected !== undefined) commands.at(-1)?.expected.push(expected);
      continue;
    }
    for (let i = 0; i < line.length; i += 1) {
      const char = line[i];
      if (quote === null) {
        if (char === "'" || char === '"') quote = char;
        else if (char === '\\') i += 1;
        else if (char === '#' && (i === 0 || /\s/.test(line[i - 1] ?? ''))) break;
      } else if (char === quote) {
        quote = null;
      } else if (quote === '"' && char === '\\') {
        i += 1;
      }
    }
    current = current === '' ? line : `${current}\n${line}`;
    if (quote === null && !line.endsWith('\\')) {
      commands.push({ text: current, expected: [] });
      current = '';
    }
  }
  if (current !== '') throw new Error(`unterminated command in the README: ${current}`);
  return commands;
}

/** `# → …` as a pattern over the whole (trimmed) output: `…` matches anything. */
function expectation(line: string): RegExp {
  const escaped = line.split('…').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${escaped.join('.*')}$`, 's');
}

const readme = readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8');
const quickStart = (() => {
  const start = readme.indexOf('\n## Quick start\n');
  if (start < 0) throw new Error('README.md has no "## Quick start" section');
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
})();
const blocks = [...quickStart.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((match) => parseCommands(match[1] ?? ''));
const sampleBlock = blocks.find((commands) => commands[0]?.text.startsWith('npm run sample-db'));
/**
 * The API steps: every block with a curl command, in order (they share variables), except the
 * one that starts the example application (a browser sign-in, tested in test/oidc/).
 */
const curlBlock = blocks
  .filter((commands) => commands.some((command) => command.text.startsWith('curl ')))
  .filter((commands) => !commands.some((command) => command.text.includes('npm run example-app')))
  .flat();

function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

describe('README quick start, followed literally', { timeout: 120_000 }, () => {
  let dataDir: string;
  let server: RunningServer;
  let sample: RunningCli;
  let token: string;

  beforeAll(async () => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-readme-'));
    server = await startServerProcess({ GATEHOUSE_DATA_DIR: dataDir, PORT: '0' });
    // The token line follows the listening line.
    for (let i = 0; i < 100 && !/Admin console: /.test(server.output()); i += 1) await new Promise((resolve) => setTimeout(resolve, 100));
    token = /Admin token \(shown only this once; keep it\): (\S+)/.exec(server.output())?.[1] ?? '';
  });

  afterAll(async () => {
    await sample?.stop().catch(() => undefined);
    stopAll();
    server?.child.kill('SIGTERM');
    await server?.exited;
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the two-command quick start: npm install && npm start, then npm test', () => {
    const first = blocks[0]?.map((command) => command.text.replace(/\s+#.*$/, ''));
    expect(first).toEqual(['npm install && npm start', 'npm test']);
  });

  it('the first start prints the admin token and the console URL', () => {
    expect(token).toMatch(/^gh_admin_/);
    expect(server.output()).toContain(`Admin console: ${server.url}/console`);
  });

  it('starts the sample database with the command the README gives, printing the URI it shows', async () => {
    expect(sampleBlock?.map((command) => command.text)).toEqual(['npm run sample-db']);
    const shown = sampleBlock?.[0]?.expected[0] ?? '';
    expect(shown).toMatch(/^SAMPLE_DB_URI=postgres:\/\/\S+:5433\//);
    // The README's port when it is free here; a free one otherwise.
    const args = (await portFree(5433)) ? [] : ['--port', '0'];
    sample = await startCli(args, { viaNpm: true });
    expect(`SAMPLE_DB_URI=${sample.uri}`).toBe(args.length === 0 ? shown : shown.replace(':5433/', `:${new URL(sample.uri).port}/`));
  });

  it("runs the curl sequence: a pool, the PostgreSQL template saved with the URI, alice's login, her migration", () => {
    if (!curlBlock.some((command) => command.text.startsWith('TOKEN='))) throw new Error('the Quick start has no block setting TOKEN=');
    const base = server.url.replace(/^http:\/\//, '');
    const variables: Record<string, string> = {};
    const given: Record<string, string> = { TOKEN: token, SAMPLE_DB_URI: sample.uri };
    let checked = 0;
    for (const command of curlBlock) {
      const assignment = /^([A-Z_][A-Z0-9_]*)=(.*)$/s.exec(command.text);
      const name = assignment?.[1];
      if (name !== undefined && !(assignment?.[2] ?? '').startsWith('$(')) {
        // A value the README tells the reader to paste.
        const value = given[name];
        if (value === undefined) throw new Error(`the README asks the reader to set ${name}, which this test does not know`);
        variables[name] = value;
        continue;
      }
      const script = `set -o pipefail\n${command.text.replaceAll('localhost:3000', base)}${name === undefined ? '' : `\nprintf '%s' "$${name}"`}`;
      const run = spawnSync('bash', ['-c', script], {
        cwd: REPO_ROOT,
        env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', ...variables },
        encoding: 'utf8',
        timeout: 30_000,
      });
      expect(run.status, `${command.text}\n${run.stderr}`).toBe(0);
      if (name !== undefined) {
        expect(run.stdout, `${name} from: ${command.text}`).not.toBe('');
        variables[name] = run.stdout;
      }
      for (const line of command.expected) {
        expect(run.stdout.trim(), command.text).toMatch(expectation(line));
        checked += 1;
      }
    }
    expect(variables['POOL']).toMatch(/^[0-9a-f-]{36}$/);
    // 200 on save, alice's login answered as migrated, the migration count, the search.
    expect(checked).toBeGreaterThanOrEqual(4);
  });

  it('stops the sample database with Ctrl-C (SIGINT), leaving no process behind', async () => {
    const pid = sample.child.pid ?? 0;
    await sample.stop('SIGINT');
    // Give npm's children a moment, then the whole process group must be gone.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(() => process.kill(-pid, 0)).toThrow();
  });
});
