/**
 * What a runtime's sandboxed process tree uses, for the pool's watch (the resident-memory
 * backstop and the idle-CPU stop), read from /proc without walking the tree on every tick:
 * the tree (sandbox wrapper, its init, node) is walked again at most every `refreshMs`, and
 * at once when a member it knew of is gone; between walks each member's stat is read once.
 *
 * A process a script managed to start (the permission model forbids it, but Node internals
 * are not the boundary) is counted from the next walk on; its CPU before that is not lost
 * once it exits, because a reaped child's time moves into its parent's cutime/cstime, which
 * are counted too, so a tree's total never drops when a member goes.
 */
import { readFileSync } from 'node:fs';
import { endianness } from 'node:os';

export interface TreeUsage {
  /** Resident memory of the tree's largest process (the node process), in MB. */
  residentMb: number;
  /** CPU time of the whole tree so far, reaped children included, in clock ticks. */
  cpuTicks: number;
}

/** `AT_PAGESZ` in the ELF auxiliary vector: the kernel's page size. */
const AT_PAGESZ = 6n;

/**
 * The page size in bytes, as the kernel told this process at exec (/proc/self/auxv); null
 * when it cannot be read. /proc/<pid>/stat counts resident memory in pages: 4 KiB on x86-64,
 * 16 or 64 KiB on some arm64 and ppc64 kernels.
 */
export function pageSizeBytes(): number | null {
  try {
    const auxv = readFileSync('/proc/self/auxv');
    const little = endianness() === 'LE';
    for (let offset = 0; offset + 16 <= auxv.length; offset += 16) {
      const key = little ? auxv.readBigUInt64LE(offset) : auxv.readBigUInt64BE(offset);
      if (key === 0n) break;
      if (key === AT_PAGESZ) return Number(little ? auxv.readBigUInt64LE(offset + 8) : auxv.readBigUInt64BE(offset + 8));
    }
    return null;
  } catch {
    return null;
  }
}

let pageBytes: number | null | undefined;

function residentFromStatus(pid: number): number | null {
  const match = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return match ? Number(match[1]) / 1024 : null;
}

/**
 * One process's CPU time (user and system, its own and its reaped children's) in clock ticks
 * and resident memory in MB, from one read of /proc/<pid>/stat (and of status for the memory
 * where the page size is unknown); null when gone.
 */
export function procStat(pid: number): TreeUsage | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: split after its last ')'.
    // After it: state(0) … utime(11) stime(12) cutime(13) cstime(14) … rss(21), in pages.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuTicks = [11, 12, 13, 14].reduce((sum, index) => sum + Number(fields[index]), 0);
    if (pageBytes === undefined) pageBytes = pageSizeBytes();
    const residentMb = pageBytes === null ? residentFromStatus(pid) : (Number(fields[21]) * pageBytes) / (1024 * 1024);
    if (residentMb === null || !Number.isFinite(cpuTicks) || !Number.isFinite(residentMb)) return null;
    return { cpuTicks, residentMb };
  } catch {
    return null;
  }
}

export interface TreeUsageWatchOptions {
  /** The tree's host pids, root first (an empty list once it is gone). */
  walk: () => number[];
  read: (pid: number) => TreeUsage | null;
  now: () => number;
  /** Walk the tree again at most this often while every known member answers. */
  refreshMs: number;
}

export class TreeUsageWatch {
  readonly #options: TreeUsageWatchOptions;
  #tree: number[] | null = null;
  #walkedAt = 0;

  constructor(options: TreeUsageWatchOptions) {
    this.#options = options;
  }

  /** The tree's use now; null when none of it could be read. */
  usage(): TreeUsage | null {
    const now = this.#options.now();
    const stale = this.#tree === null || now - this.#walkedAt >= this.#options.refreshMs;
    const first = this.#readTree(stale ? this.#walk(now) : (this.#tree ?? []));
    // A member gone since the last walk may have left children behind: walk again now.
    if (first.missing && !stale) return this.#readTree(this.#walk(now)).usage;
    return first.usage;
  }

  #walk(now: number): number[] {
    this.#tree = this.#options.walk();
    this.#walkedAt = now;
    return this.#tree;
  }

  #readTree(pids: readonly number[]): { usage: TreeUsage | null; missing: boolean } {
    let read = false;
    let missing = false;
    let residentMb = 0;
    let cpuTicks = 0;
    for (const pid of pids) {
      const stat = this.#options.read(pid);
      if (stat === null) {
        missing = true;
        continue;
      }
      read = true;
      residentMb = Math.max(residentMb, stat.residentMb);
      cpuTicks += stat.cpuTicks;
    }
    return { usage: read ? { residentMb, cpuTicks } : null, missing };
  }
}
