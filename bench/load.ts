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

export function runLoad(plan: LoadPlan): Promise<LoadResult> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'load-generator.ts'), JSON.stringify(plan)], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const limitMs = (plan.durationSeconds + 30) * 1000;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator still running after ${limitMs} ms`));
    }, limitMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      running.delete(child);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') {
        reject(new Error(`load generator exited with ${String(code)}: ${stderr.slice(-2000)}`));
        return;
      }
      resolve(JSON.parse(line) as LoadResult);
    });
  });
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
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(HERE, 'memory-sampler.ts'), String(rootPid), String(intervalMs)], {
    cwd: REPO,
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { PATH: process.env['PATH'] ?? '', NODE_ENV: 'production' },
  });
  running.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    pid: child.pid ?? -1,
    async stop() {
      child.stdin?.end();
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      const code = await exited;
      clearTimeout(timer);
      running.delete(child);
      const line = stdout.trim().split('\n').pop() ?? '';
      if (code !== 0 || line === '') throw new Error(`memory sampler exited with ${String(code)}: ${stderr.slice(-2000)}`);
      return (JSON.parse(line) as { peakPssMb: number }).peakPssMb;
    },
  };
}

