/**
 * The load generator, run as its own process so it never shares an event loop with the
 * server under test: `node --import tsx bench/load-generator.ts '<json LoadPlan>'` prints
 * one JSON LoadResult line. Requests rotate over the bench users' login bodies, one user
 * after another across all connections.
 */
import autocannon from 'autocannon';
import { loginBody, seededRandom, zipfSampler, type LoadPlan, type LoadResult } from './login-workload.js';

async function main(): Promise<void> {
  const plan = JSON.parse(process.argv[2] ?? '') as LoadPlan;
  const bodies = Array.from({ length: plan.users }, (_, i) => loginBody(i));
  let next = 0;
  const zipf = plan.zipf;
  const drawPath = zipf ? zipfSampler(zipf.paths.length, zipf.exponent, seededRandom(zipf.seed)) : null;
  const cpuBefore = process.cpuUsage();
  const result = await autocannon({
    url: plan.url,
    connections: plan.connections,
    duration: plan.durationSeconds,
    timeout: 10,
    requests: [
      {
        method: 'POST',
        path: plan.path,
        headers: { 'content-type': 'application/json' },
        setupRequest(request) {
          const body = bodies[next++ % bodies.length] ?? '';
          const path = drawPath && zipf ? (zipf.paths[drawPath()] ?? plan.path) : plan.path;
          return { ...request, path, body };
        },
      },
    ],
  });
  const cpu = process.cpuUsage(cpuBefore);
  const ok2xx = result['2xx'];
  const answer: LoadResult = {
    rps: ok2xx / result.duration,
    ok: ok2xx,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    durationSeconds: result.duration,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    latencyMeanMs: result.latency.average,
    loadGeneratorCpuMs: (cpu.user + cpu.system) / 1000,
  };
  process.stdout.write(`${JSON.stringify(answer)}\n`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
