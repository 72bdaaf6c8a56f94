/**
 * Runs the load generator in a child process (so autocannon never shares the server's
 * event loop) and answers its result. Every child is bounded in time and killed on
 * cleanup.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadPlan, LoadResult } from './login-workload.js';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(HERE, '..');
const running = new Set<ChildProcess>();

/**
 * A bench script of this folder in a child process of its own (through tsx, with nothing of
 * this process's environment), tracked for cleanup. `lastLine()` resolves with its last line
 * of output once it exits, or rejects with its exit code and stderr's tail.
 */
function startBenchChild(script: string, args: readonly string[], what: string, stdin: 'ignore' | 'pipe') {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, script), ...args], {
    cwd: REPO,
    stdio: [stdin, 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lastLine = new Promise<string>((resolve, reject) => {
    child.on('exit', (code) => {
      running.delete(child);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') reject(new Error(`${what} exited with ${String(code)}: ${stderr.slice(-2000)}`));
      else resolve(line);
    });
  });
  lastLine.catch(() => {}); // the caller awaits it; a kill on cleanup must not be unhandled
  return { child, lastLine };
}

export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const { child, lastLine } = startBenchChild('load-generator.ts', [JSON.stringify(plan)], 'load generator', 'ignore');
  const limitMs = (plan.durationSeconds + 30) * 1000;
  const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
  return lastLine.then(
    (line) => {
      clearTimeout(timer);
      return JSON.parse(line) as LoadResult;
    },
    (error: unknown) => {
      clearTimeout(timer);
      throw error;
    },
  );
}

/** The running load generators' pids: their memory is not the server's. */
export function loadGeneratorPids(): Set<number> {
  return new Set([...running].flatMap((child) => (child.pid === undefined ? [] : [child.pid])));
}

export function killLoadGenerators(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

export interface MemorySampler {
  readonly pid: number;
  /** Takes a last sample and answers the highest total PSS seen, in MB. */
  stop(): Promise<number>;
}

/**
 * Samples the PSS of `rootPid` and its descendants (load generators excluded) every
 * `intervalMs` in a child process (memory-sampler.ts), off this process's event loop.
 */
export function startMemorySampler(rootPid: number, intervalMs: number): MemorySampler {
  const { child, lastLine } = startBenchChild('memory-sampler.ts', [String(rootPid), String(intervalMs)], 'memory sampler', 'pipe');
  return {
    pid: child.pid ?? -1,
    async stop() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      try {
        return (JSON.parse(await lastLine) as { peakPssMb: number }).peakPssMb;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
