/**
 * Runs `npm run sample-db`'s program as a real child process: `node --import tsx
 * src/sample-db/cli.ts` (what the npm script's `tsx` does, without npm's start-up), or the
 * literal npm command when a test needs it. Every started process is killed by `stopAll`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = ['--import', 'tsx', 'src/sample-db/cli.ts'];

export interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** The value of the SAMPLE_DB_URI= line. */
  uri: string;
  stdout(): string;
  stderr(): string;
  /** Sends the signal (to the whole process group for npm) and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();

function spawnCli(args: readonly string[], viaNpm: boolean): ChildProcess {
  const child = viaNpm
    ? spawn('npm', ['run', 'sample-db', ...(args.length > 0 ? ['--', ...args] : [])], {
        cwd: REPO_ROOT,
        stdio: ['ignore', 'pipe', 'pipe'],
        // Its own process group, so a signal reaches npm, tsx and node alike.
        detached: true,
      })
    : spawn(process.execPath, [...CLI, ...args], { cwd: REPO_ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.on('exit', () => running.delete(child));
  return child;
}

function signal(child: ChildProcess, name: NodeJS.Signals, group: boolean): void {
  try {
    if (group && child.pid !== undefined) process.kill(-child.pid, name);
    else child.kill(name);
  } catch {
    // already gone
  }
}

/** Runs to completion (for --seed, --help and errors). */
export function runCli(args: readonly string[], timeoutMs = 60_000): Promise<Finished> {
  const child = spawnCli(args, false);
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal(child, 'SIGKILL', false);
      reject(new Error(`sample-db ${args.join(' ')} did not finish in ${String(timeoutMs)} ms:\n${stderr}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      // Let the pipes drain.
      setImmediate(() => resolve({ code, stdout, stderr }));
    });
  });
}

/** Starts a long-running form and waits for its SAMPLE_DB_URI line. */
export function startCli(args: readonly string[], options: { viaNpm?: boolean; timeoutMs?: number } = {}): Promise<RunningCli> {
  const viaNpm = options.viaNpm ?? false;
  const timeoutMs = options.timeoutMs ?? 90_000;
  const child = spawnCli(args, viaNpm);
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      signal(child, 'SIGKILL', viaNpm);
      reject(new Error(`no SAMPLE_DB_URI line within ${String(timeoutMs)} ms:\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /^SAMPLE_DB_URI=(\S+)$/m.exec(stdout);
      if (match?.[1] !== undefined) {
        clearTimeout(timer);
        const uri = match[1];
        resolve({
          child,
          uri,
          stdout: () => stdout,
          stderr: () => stderr,
          exited,
          async stop(name: NodeJS.Signals = 'SIGTERM') {
            signal(child, name, viaNpm);
            const kill = setTimeout(() => signal(child, 'SIGKILL', viaNpm), 15_000);
            const code = await exited;
            clearTimeout(kill);
            return code;
          },
        });
      }
    });
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`sample-db exited with ${String(code)} before printing SAMPLE_DB_URI:\n${stdout}\n${stderr}`));
    });
  });
}

/** Kills whatever a test left running (its whole group when started through npm). */
export function stopAll(): void {
  for (const child of running) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        child.kill('SIGKILL');
      }
    }
  }
  running.clear();
}

/** Resident memory of a process in MB, from /proc (Linux), or null elsewhere. */
export async function residentMb(pid: number): Promise<number | null> {
  const { readFile } = await import('node:fs/promises');
  try {
    const status = await readFile(`/proc/${String(pid)}/status`, 'utf8');
    const match = /^VmRSS:\s+(\d+) kB$/m.exec(status);
    return match?.[1] === undefined ? null : Math.round(Number(match[1]) / 1024);
  } catch {
    return null;
  }
}
