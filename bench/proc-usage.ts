/**
 * Memory and CPU time of processes from /proc (resident and proportional set sizes, process
 * trees, CPU of every thread). In a module of its own, without the server's imports, so the
 * out-of-process sampler (memory-sampler.ts) starts light.
 */
import { readFileSync, readdirSync } from 'node:fs';

function statusField(pid: number, field: string): number | undefined {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined; // the process is gone
  }
}

export const rssMb = (pid: number): number => statusField(pid, 'VmRSS') ?? Number.NaN;

/** Proportional set size: shared pages (the node binary, libraries) split between the processes sharing them. */
export function pssMb(pid: number): number {
  try {
    const match = /\nPss:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'));
    return match ? Number(match[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/** Every process's children, from one scan of /proc (/proc/<pid>/task/<tid>/children may be absent). */
function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // pid (comm) state ppid …; comm may hold spaces and parentheses, so read after the last ')'
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while scanning
    }
  }
  return children;
}

/** The direct children of `pid`. */
export function childPids(pid: number): number[] {
  return childrenByParent().get(pid) ?? [];
}

export interface TreeMemory {
  /** the root and its direct children (runtimes started through a sandbox wrapper count once) */
  processes: number;
  rssMb: number;
  pssMb: number;
}

/**
 * Memory of `rootPid` and all its descendants: a sandboxed runtime is a grandchild (the
 * wrapper forks it), so direct children alone would miss it. `excluded` pids (a load
 * generator) are left out with their descendants.
 */
export function treeMemory(rootPid: number, excluded: ReadonlySet<number> = new Set()): TreeMemory {
  const tree = childrenByParent();
  const children = (tree.get(rootPid) ?? []).filter((pid) => !excluded.has(pid));
  const pids = [rootPid];
  for (let frontier = children; frontier.length > 0; frontier = frontier.flatMap((pid) => tree.get(pid) ?? [])) pids.push(...frontier);
  let rss = 0;
  let pss = 0;
  for (const pid of pids) {
    const r = rssMb(pid);
    if (Number.isNaN(r)) continue;
    rss += r;
    pss += pssMb(pid);
  }
  return { processes: 1 + children.length, rssMb: rss, pssMb: pss };
}

/**
 * CPU time of a process so far, in ms, summed over every thread (V8 compiles and collects
 * garbage on threads of its own) from /proc/<pid>/task/<tid>/schedstat, whose first field is
 * nanoseconds on a CPU: finer than the 10 ms ticks of /proc/<pid>/stat. 0 once it is gone.
 */
export function threadsCpuMs(pid: number): number {
  let nanoseconds = 0;
  try {
    for (const task of readdirSync(`/proc/${pid}/task`)) {
      nanoseconds += Number(readFileSync(`/proc/${pid}/task/${task}/schedstat`, 'utf8').split(' ')[0]);
    }
  } catch {
    // gone
  }
  return nanoseconds / 1e6;
}
