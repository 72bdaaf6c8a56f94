/**
 * What a runtime's process tree uses (src/script-runtime/tree-usage.ts): reading /proc for
 * one process, and the watch over a tree with a walk, reads and a clock the test controls.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { pageSizeBytes, procStat, TreeUsageWatch, type TreeUsage } from '../../src/script-runtime/tree-usage.js';

describe('reading /proc', () => {
  test("the page size is the kernel's (getconf PAGESIZE)", () => {
    expect(pageSizeBytes()).toBe(Number(spawnSync('getconf', ['PAGESIZE'], { encoding: 'utf8' }).stdout.trim()));
  });

  test("one process's resident memory matches its VmRSS, and its CPU time counts reaped children", () => {
    const before = procStat(process.pid);
    const vmRssMb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(readFileSync('/proc/self/status', 'utf8'))?.[1]) / 1024;
    expect(before).not.toBeNull();
    expect(Math.abs((before?.residentMb ?? 0) - vmRssMb)).toBeLessThan(vmRssMb * 0.1);
    // A child that burns ~300 ms of CPU and is reaped: its time moves into our cutime/cstime.
    spawnSync(process.execPath, ['-e', 'const until = Date.now() + 300; while (Date.now() < until);']);
    const after = procStat(process.pid);
    expect((after?.cpuTicks ?? 0) - (before?.cpuTicks ?? 0)).toBeGreaterThanOrEqual(20);
  });

  test('a process that is gone reads as null', () => {
    const child = spawnSync('true');
    expect(procStat(child.pid ?? 0)).toBeNull();
  });
});

describe('the watch over a tree', () => {
  function fakeTree(): {
    pids: number[];
    stats: Map<number, TreeUsage>;
    walks: number;
    now: number;
    watch: TreeUsageWatch;
  } {
    const state = {
      pids: [1, 2],
      stats: new Map<number, TreeUsage>([
        [1, { residentMb: 5, cpuTicks: 1 }],
        [2, { residentMb: 40, cpuTicks: 10 }],
      ]),
      walks: 0,
      now: 0,
      watch: null as unknown as TreeUsageWatch,
    };
    state.watch = new TreeUsageWatch({
      walk: () => {
        state.walks++;
        return [...state.pids];
      },
      read: (pid) => state.stats.get(pid) ?? null,
      now: () => state.now,
      refreshMs: 1000,
    });
    return state;
  }

  test('the largest resident member and the CPU of all, walking the tree once per refresh', () => {
    const tree = fakeTree();
    expect(tree.watch.usage()).toEqual({ residentMb: 40, cpuTicks: 11 });
    tree.now = 999;
    expect(tree.watch.usage()).toEqual({ residentMb: 40, cpuTicks: 11 });
    expect(tree.walks).toBe(1);
  });

  test('a process added to the tree is counted from the next walk on', () => {
    const tree = fakeTree();
    tree.watch.usage();
    tree.pids.push(3);
    tree.stats.set(3, { residentMb: 900, cpuTicks: 50 });
    tree.now = 500;
    expect(tree.watch.usage()).toEqual({ residentMb: 40, cpuTicks: 11 });
    tree.now = 1000;
    expect(tree.watch.usage()).toEqual({ residentMb: 900, cpuTicks: 61 });
    expect(tree.walks).toBe(2);
  });

  test('a known member gone makes the watch walk again at once', () => {
    const tree = fakeTree();
    tree.watch.usage();
    // 2 exited, leaving 4 (its child, reparented) behind
    tree.stats.delete(2);
    tree.pids = [1, 4];
    tree.stats.set(4, { residentMb: 300, cpuTicks: 7 });
    tree.now = 10;
    expect(tree.watch.usage()).toEqual({ residentMb: 300, cpuTicks: 8 });
    expect(tree.walks).toBe(2);
  });

  test('null once nothing of the tree can be read', () => {
    const tree = fakeTree();
    tree.stats.clear();
    expect(tree.watch.usage()).toBeNull();
  });
});
