/**
 * Samples the total PSS of a process tree in a process of its own: reading every process's
 * smaps_rollup takes tens of milliseconds with a thousand pools' runtimes alive, and done in
 * the benchmark's process (where the server runs) it blocked the server's event loop once a
 * second and showed up in the latencies it was measuring.
 *
 * Usage: memory-sampler.ts <root pid> <interval ms>. Descendants of the root whose command
 * line runs the load generator are left out, as is this process. Prints the highest total
 * PSS as JSON when its stdin closes.
 */
import { readFileSync } from 'node:fs';
import { childPids, treeMemory } from './proc-usage.js';

const [rootArg, intervalArg] = process.argv.slice(2);
const rootPid = Number(rootArg);
const intervalMs = Number(intervalArg ?? 1000);
if (!Number.isInteger(rootPid) || rootPid <= 0 || !Number.isFinite(intervalMs) || intervalMs <= 0) {
  process.stderr.write('usage: memory-sampler.ts <root pid> <interval ms>\n');
  process.exit(2);
}

function notServer(): Set<number> {
  const excluded = new Set<number>([process.pid]);
  for (const pid of childPids(rootPid)) {
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('load-generator')) excluded.add(pid);
    } catch {
      // gone
    }
  }
  return excluded;
}

let peakPssMb = 0;
const sample = (): void => {
  peakPssMb = Math.max(peakPssMb, treeMemory(rootPid, notServer()).pssMb);
};
sample();
const timer = setInterval(sample, intervalMs);
process.stdin.resume();
process.stdin.on('end', () => {
  clearInterval(timer);
  sample();
  process.stdout.write(`${JSON.stringify({ peakPssMb })}\n`);
});
