/**
 * CPU profiling of this process (where the in-process servers run) with the inspector, and
 * a summary of where the time went: self time by function, inclusive time of the server's
 * own functions, and self time by package or module.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** lines for RESULTS.md and the console */
  lines: string[];
}

export async function profile<T>(label: string, work: () => Promise<T>): Promise<{ result: T; summary: ProfileSummary }> {
  const session = new Session();
  session.connect();
  try {
    await session.post('Profiler.enable');
    await session.post('Profiler.setSamplingInterval', { interval: 200 });
    await session.post('Profiler.start');
    const result = await work();
    const { profile: cpu } = (await session.post('Profiler.stop')) as { profile: CpuProfile };
    const file = path.join(tmpdir(), `gatehouse-bench-${label}-${Date.now()}.cpuprofile`);
    writeFileSync(file, JSON.stringify(cpu));
    return { result, summary: summarise(cpu, file) };
  } finally {
    session.disconnect();
  }
}

const REPO_URL = `file://${path.resolve(path.dirname(new URL(import.meta.url).pathname), '..')}/`;

function where(frame: CallFrame): string {
  const url = frame.url.startsWith(REPO_URL) ? frame.url.slice(REPO_URL.length) : frame.url;
  return url === '' ? '(native)' : `${url}:${frame.lineNumber + 1}`;
}

function packageOf(frame: CallFrame): string {
  const url = frame.url;
  const inModules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (inModules?.[1]) return inModules[1];
  const inSrc = /\/src\/([^/]+(?:\/[^/]+)?)\//.exec(url) ?? /\/src\/([^/]+)\.ts/.exec(url);
  if (inSrc?.[1]) return `src/${inSrc[1]}`;
  if (url.startsWith('node:')) return url.replace(/^node:internal\/([^/]+).*$/, 'node:$1');
  if (url === '') return frame.functionName === '(garbage collector)' ? '(gc)' : frame.functionName === '(idle)' ? '(idle)' : '(native/V8)';
  return url;
}

function summarise(cpu: CpuProfile, file: string): ProfileSummary {
  const totalSamples = cpu.samples?.length ?? cpu.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const totalMs = (cpu.endTime - cpu.startTime) / 1000;
  const msPerSample = totalSamples > 0 ? totalMs / totalSamples : 0;
  const byId = new Map(cpu.nodes.map((node) => [node.id, node]));
  const selfByFunction = new Map<string, number>();
  const selfByPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();

  const keyOf = (frame: CallFrame) => `${frame.functionName || '(anonymous)'} ${where(frame)}`;
  // Inclusive time: each sample counted once per distinct function on its stack.
  const walk = (node: ProfileNode, onStack: Set<string>): number => {
    const key = keyOf(node.callFrame);
    const self = node.hitCount ?? 0;
    selfByFunction.set(key, (selfByFunction.get(key) ?? 0) + self);
    const pkg = packageOf(node.callFrame);
    selfByPackage.set(pkg, (selfByPackage.get(pkg) ?? 0) + self);
    const fresh = !onStack.has(key);
    if (fresh) onStack.add(key);
    let subtree = self;
    for (const childId of node.children ?? []) {
      const child = byId.get(childId);
      if (child) subtree += walk(child, onStack);
    }
    if (fresh) {
      onStack.delete(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + subtree);
    }
    return subtree;
  };
  const root = cpu.nodes[0];
  if (root) walk(root, new Set());

  const idle = selfByPackage.get('(idle)') ?? 0;
  const busy = Math.max(1, totalSamples - idle);
  const pct = (samples: number) => `${((100 * samples) / busy).toFixed(1)}%`;
  const ms = (samples: number) => `${(samples * msPerSample).toFixed(0)} ms`;
  const top = (map: Map<string, number>, n: number, filter: (key: string) => boolean = () => true) =>
    [...map.entries()].filter(([key]) => filter(key)).sort((a, b) => b[1] - a[1]).slice(0, n);

  const lines = [
    `profile ${file}: ${totalMs.toFixed(0)} ms, busy ${ms(busy)} (${((100 * busy) / Math.max(1, totalSamples)).toFixed(0)}% of the wall time); shares below are of busy time`,
    'self time by package/module:',
    ...top(selfByPackage, 14, (key) => key !== '(idle)').map(([key, n]) => `  ${pct(n).padStart(6)}  ${key}`),
    'self time by function:',
    ...top(selfByFunction, 20, (key) => !key.startsWith('(idle)')).map(([key, n]) => `  ${pct(n).padStart(6)}  ${key}`),
    "inclusive time of Gatehouse's own functions (src/):",
    ...top(inclusive, 25, (key) => key.includes(' src/')).map(([key, n]) => `  ${pct(n).padStart(6)}  ${key}`),
  ];
  return { file, totalMs, lines };
}
