/**
 * A runtime's start with and without the startup snapshot: spawn to `ready` (wall), the CPU
 * of its process tree to `ready` (schedstat, ns), and the node process's PSS once idle.
 * Medians of N starts per mode, alternating. Not part of `npm run bench`:
 *
 *   npx tsx bench/runtime-snapshot-start.ts [starts=15] [sandbox=auto|bwrap|unshare|none]
 */
import { readFileSync } from 'node:fs';
import { RuntimeProcess, runtimeExecArgv } from '../src/script-runtime/runtime-process.js';
import { sandboxCapabilities, type SandboxLevel } from '../src/script-runtime/os-sandbox.js';
import { buildStartupSnapshot } from '../src/script-runtime/startup-snapshot.js';
import { DEFAULT_MEMORY_MB } from '../src/script-runtime/types.js';
import { threadsCpuMs } from './proc-usage.js';

const starts = Number(process.argv[2] ?? 15);
const requested = process.argv[3] ?? 'auto';
const sandbox: SandboxLevel = requested === 'bwrap' || requested === 'unshare' || requested === 'none' ? requested : sandboxCapabilities().level;

function isNode(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0')[0] === process.execPath;
  } catch {
    return false;
  }
}

function rollupMb(pid: number, field: 'Pss' | 'Rss' | 'Private_Clean' | 'Private_Dirty'): number {
  const match = new RegExp(`\\n${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
  return Number(match?.[1] ?? Number.NaN) / 1024;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] ?? Number.NaN) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
}

interface Sample {
  wallMs: number;
  treeCpuMs: number;
  nodeCpuMs: number;
  pssMb: number;
  rssMb: number;
  /** Private (clean + dirty): what this runtime alone costs, whatever else shares node's pages. */
  ussMb: number;
}

async function once(snapshotBlob: string | undefined): Promise<Sample> {
  const started = performance.now();
  const runtime = new RuntimeProcess({
    memoryMb: DEFAULT_MEMORY_MB,
    sandbox,
    brokeredEgress: sandbox !== 'none',
    maxFrameBytes: 2 * 1024 * 1024,
    ...(snapshotBlob === undefined ? {} : { snapshotBlob }),
  });
  if (!(await runtime.whenReady())) throw new Error(`the runtime did not start: ${runtime.deathReason?.message ?? ''}`);
  const wallMs = performance.now() - started;
  const pids = runtime.treePids();
  const node = pids.find(isNode);
  const treeCpuMs = pids.reduce((sum, pid) => sum + threadsCpuMs(pid), 0);
  const nodeCpuMs = node === undefined ? Number.NaN : threadsCpuMs(node);
  // Idle for a second, as a spare is, before its memory is read.
  await new Promise((resolve) => setTimeout(resolve, 1000));
  const pss = node === undefined ? Number.NaN : rollupMb(node, 'Pss');
  const rss = node === undefined ? Number.NaN : rollupMb(node, 'Rss');
  const uss = node === undefined ? Number.NaN : rollupMb(node, 'Private_Clean') + rollupMb(node, 'Private_Dirty');
  await runtime.kill({ kind: 'runtime', name: 'BenchDone', message: 'measured' });
  return { wallMs, treeCpuMs, nodeCpuMs, pssMb: pss, rssMb: rss, ussMb: uss };
}

const build = await buildStartupSnapshot({ memoryMb: DEFAULT_MEMORY_MB, runtimeArgs: runtimeExecArgv(DEFAULT_MEMORY_MB) });
if (!build.ok) throw new Error(`no snapshot: ${build.reason}`);
const samples: Record<'snapshot' | 'normal', Sample[]> = { snapshot: [], normal: [] };
// One start of each first, not counted: file caches, the first bwrap of the run.
await once(build.blob);
await once(undefined);
for (let i = 0; i < starts; i++) {
  samples.snapshot.push(await once(build.blob));
  samples.normal.push(await once(undefined));
}
console.log(`node ${process.version}, sandbox ${sandbox}, ${starts} starts per mode, medians (blob ${build.cached ? 'cached' : 'built'})`);
console.log('mode      wall spawn→ready ms  tree CPU ms  node CPU ms  node PSS MB (idle)  node RSS MB  node private MB');
for (const mode of ['normal', 'snapshot'] as const) {
  const s = samples[mode];
  const f = (values: number[]): string => median(values).toFixed(1);
  console.log(
    `${mode.padEnd(9)} ${f(s.map((x) => x.wallMs)).padStart(19)}  ${f(s.map((x) => x.treeCpuMs)).padStart(11)}  ${f(s.map((x) => x.nodeCpuMs)).padStart(11)}  ${f(s.map((x) => x.pssMb)).padStart(18)}  ${f(s.map((x) => x.rssMb)).padStart(11)}  ${f(s.map((x) => x.ussMb)).padStart(14)}`,
  );
}
