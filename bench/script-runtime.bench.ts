/**
 * Script runtime benchmark: the cost a script call adds over calling the same function in
 * the server's own process, the first call of a new connection, and a runtime's memory.
 * Vitest-free on purpose; `npm run bench` calls `benchScriptRuntime()` and prints the numbers.
 */
import { readFileSync } from 'node:fs';
import { ScriptRuntimePool } from '../src/script-runtime/index.js';
import type { ConnectionSpec } from '../src/custom-db/contract/script-contract.js';
import { runUserScript } from '../src/custom-db/script-caller.js';
import { processTree } from '../src/script-runtime/runtime-process.js';
import { threadsCpuMs } from './proc-usage.js';

const TRIVIAL = 'async function getUser(query) { return { id: query.id, email: "a@example.com" }; }';
const WARM_CALLS = 3000;
const WARMUP_CALLS = 500;
const COLD_STARTS = 7;

function percentile(sorted: number[], p: number): number {
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function median(values: number[]): number {
  return percentile([...values].sort((a, b) => a - b), 50);
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Resident memory of a runtime's whole process tree (sandbox launcher and init included). */
function treeRssMb(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  return processTree(pid).reduce((sum, member) => sum + rssMb(member), 0);
}

/** CPU time a runtime's whole process tree (sandbox wrapper, its init, node) has used so far, in ms. */
function treeCpuMs(pid: number | undefined): number {
  return pid === undefined ? Number.NaN : processTree(pid).reduce((sum, member) => sum + threadsCpuMs(member), 0);
}

function connection(key: string): ConnectionSpec {
  return { key, scripts: { getUser: TRIVIAL }, env: {}, timeoutMs: 5000 };
}

async function timeCalls(n: number, call: (i: number) => Promise<unknown>): Promise<number[]> {
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const started = performance.now();
    await call(i);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

type SandboxChoice = 'auto' | 'none';

/**
 * Every figure with the OS sandbox the machine gives (`auto`, what the server uses), then the
 * warm-call overhead and cold start again without it (`_no_sandbox`), so the sandbox's own cost
 * shows. `script_sandbox_level` is 2 for bwrap, 1 for unshare, 0 for none.
 */
export async function benchScriptRuntime(): Promise<Record<string, number>> {
  const sandboxed = await benchWith('auto');
  const bare = await benchWith('none');
  return {
    ...sandboxed,
    script_call_overhead_p50_no_sandbox_ms: bare['script_call_overhead_p50_ms'] ?? Number.NaN,
    script_cold_start_no_sandbox_ms: bare['script_cold_start_ms'] ?? Number.NaN,
    script_cold_start_without_spare_no_sandbox_ms: bare['script_cold_start_without_spare_ms'] ?? Number.NaN,
  };
}

async function benchWith(sandbox: SandboxChoice): Promise<Record<string, number>> {
  const pool = new ScriptRuntimePool({ warmSpare: true, sandbox });
  const level = pool.sandboxStatus().level;
  try {
    // Every figure below is of runtimes started as the server starts them once it is up.
    const snapshot = await pool.startupSnapshotSettled();
    if (snapshot.state !== 'ready') process.stderr.write(`  (startup snapshot ${snapshot.state}: ${'reason' in snapshot ? snapshot.reason : ''})\n`);
    // The baseline: the same function, compiled and awaited in this process.
    const direct = new Function(`${TRIVIAL}; return getUser;`)() as (query: { id: number }) => Promise<unknown>;
    await timeCalls(WARMUP_CALLS, (i) => direct({ id: i }));
    const directTimes = await timeCalls(WARM_CALLS, (i) => direct({ id: i }));

    const warm = connection('bench-warm');
    await timeCalls(WARMUP_CALLS, (i) => runUserScript(pool, warm, 'getUser', [{ id: i }, {}]));
    const callTimes = await timeCalls(WARM_CALLS, async (i) => {
      const outcome = await runUserScript(pool, warm, 'getUser', [{ id: i }, {}]);
      if (!outcome.ok) throw new Error(`benchmark call failed: ${outcome.error.message}`);
    });
    const directP50 = percentile(directTimes, 50);

    const coldWithSpare: number[] = [];
    const coldWithoutSpare: number[] = [];
    const startCpuWithoutSpare: number[] = [];
    const coldNormalStart: number[] = [];
    const startCpuNormalStart: number[] = [];
    const noSpare = new ScriptRuntimePool({ warmSpare: false, sandbox });
    // The same without the startup snapshot: what a start cost before it, and costs as its fallback.
    const normalStart = new ScriptRuntimePool({ warmSpare: false, sandbox, startupSnapshot: false });
    try {
      for (let i = 0; i < COLD_STARTS; i++) {
        await pool.warmUp();
        const started = performance.now();
        await runUserScript(pool, connection(`bench-cold-${i}`), 'getUser', [{ id: i }, {}]);
        coldWithSpare.push(performance.now() - started);
        await pool.invalidate(`bench-cold-${i}`);

        const startedBare = performance.now();
        await runUserScript(noSpare, connection(`bench-bare-${i}`), 'getUser', [{ id: i }, {}]);
        coldWithoutSpare.push(performance.now() - startedBare);
        startCpuWithoutSpare.push(treeCpuMs(noSpare.runtimePid(`bench-bare-${i}`)));
        await noSpare.invalidate(`bench-bare-${i}`);

        const startedNormal = performance.now();
        await runUserScript(normalStart, connection(`bench-normal-${i}`), 'getUser', [{ id: i }, {}]);
        coldNormalStart.push(performance.now() - startedNormal);
        startCpuNormalStart.push(treeCpuMs(normalStart.runtimePid(`bench-normal-${i}`)));
        await normalStart.invalidate(`bench-normal-${i}`);
      }
    } finally {
      await noSpare.close();
      await normalStart.close();
    }

    return {
      script_call_overhead_p50_ms: round(percentile(callTimes, 50) - directP50),
      script_call_overhead_p99_ms: round(percentile(callTimes, 99) - directP50),
      direct_call_p50_ms: round(directP50),
      script_cold_start_ms: round(median(coldWithSpare)),
      script_cold_start_without_spare_ms: round(median(coldWithoutSpare)),
      runtime_start_cpu_ms: round(median(startCpuWithoutSpare)),
      script_cold_start_without_spare_normal_start_ms: round(median(coldNormalStart)),
      runtime_start_cpu_normal_start_ms: round(median(startCpuNormalStart)),
      runtime_rss_mb: round(treeRssMb(pool.runtimePid(warm.key))),
      script_sandbox_level: level === 'bwrap' ? 2 : level === 'unshare' ? 1 : 0,
    };
  } finally {
    await pool.close();
  }
}
