/**
 * Runs the `gatehouse` command as a real child process: `node dist/cli/gatehouse.js`, what
 * `npm start` runs (dist/ is built by the tests' global setup), or bin/gatehouse.js, the
 * package's bin. The environment is only what the test gives (plus PATH).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface Running {
  child: ChildProcess;
  output(): string;
  exited: Promise<Finished>;
}

const children = new Set<ChildProcess>();

/**
 * Kills what is still running (afterAll): when the behaviour a test waits for breaks, e.g.
 * a start that should fail listens instead, the test times out and must not leave it behind.
 */
export function killLeftovers(): void {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  children.clear();
}

export function startGatehouse(args: string[], env: Record<string, string>, entry: 'dist' | 'bin' = 'dist'): Running {
  const script = entry === 'dist' ? 'dist/cli/gatehouse.js' : 'bin/gatehouse.js';
  const child = spawn(process.execPath, [script, ...args], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<Finished>((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
  return { child, output: () => stdout + stderr, exited };
}

export const runGatehouse = (args: string[], env: Record<string, string>, entry: 'dist' | 'bin' = 'dist'): Promise<Finished> =>
  startGatehouse(args, env, entry).exited;

/** Resolves once `text` appears in the process's output; rejects if it exits first. */
export function waitForOutput(running: Running, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(running.output());
      if (match) {
        clearInterval(timer);
        resolve(match);
      }
    };
    const timer = setInterval(check, 100);
    void running.exited.then((finished) => {
      clearInterval(timer);
      const match = pattern.exec(running.output());
      if (match) resolve(match);
      else reject(new Error(`exited with ${String(finished.code)} before ${String(pattern)}:\n${running.output()}`));
    });
  });
}

/** A loopback port nothing listens on: bound, then released. */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A line of a stack trace, which no start-up failure may print below LOG_LEVEL=debug. */
export const STACK_LINE = /^\s+at /m;
