/**
 * Bulk import through the HTTP endpoint of a real server process (`node dist/main.js`,
 * embedded SQLite store): NDJSON users with bcrypt hashes (stored, not verified, at
 * import), generated as the request streams so the benchmark never holds the file
 * either, timed from the first byte sent until the job is done. The server's resident
 * memory is sampled throughout: the import streams, so its peak should stay flat.
 */
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import bcrypt from 'bcryptjs';
import { ensureBuild, startServerProcess, stopServerProcess } from './memory.bench.js';
import { ADMIN_TOKEN, cpuSnapshot, createPool, expectStatus, requestJson, rssMb, sleep } from './support.js';

export interface ImportBenchOptions {
  users: number;
  log: (line: string) => void;
  rebuild: boolean;
}

function* ndjsonUsers(count: number, hash: string): Generator<string> {
  // ~100 users a chunk: large enough for the socket, small next to the file
  let chunk = '';
  for (let index = 0; index < count; index++) {
    chunk += `${JSON.stringify({ user_id: `auth0|bench${index}`, email: `bench${index}@example.com`, email_verified: true, name: `Bench User ${index}`, password_hash: hash })}\n`;
    if (index % 100 === 99) {
      yield chunk;
      chunk = '';
    }
  }
  if (chunk !== '') yield chunk;
}

function postImport(base: string, poolId: string, body: Readable): Promise<{ status: number; text: string }> {
  const url = new URL(`/api/v1/pools/${poolId}/users/import`, base);
  return new Promise((resolve, reject) => {
    const request = http.request(
      url,
      { method: 'POST', headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'content-type': 'application/x-ndjson' } },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, text }));
      },
    );
    request.on('error', reject);
    body.pipe(request);
  });
}

export async function benchImport(options: ImportBenchOptions): Promise<{ figures: Record<string, number>; build: string }> {
  const build = ensureBuild(options.log, options.rebuild);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-bench-import-'));
  const server = await startServerProcess(dataDir);
  const pid = server.child.pid ?? 0;
  try {
    const poolId = await createPool(server.url, 'import bench');
    const hash = bcrypt.hashSync('bench-password', 10);
    const idleRss = rssMb(pid);
    let peakRss = idleRss;
    let sampling = true;
    const sampler = (async () => {
      while (sampling) {
        peakRss = Math.max(peakRss, rssMb(pid));
        await sleep(50);
      }
    })();
    const cpuBefore = cpuSnapshot().get(pid)?.cpuMs ?? Number.NaN;
    const started = performance.now();
    const answer = await postImport(server.url, poolId, Readable.from(ndjsonUsers(options.users, hash)));
    if (answer.status !== 202) throw new Error(`import: expected 202, got ${answer.status} ${answer.text.slice(0, 300)}`);
    const { jobId } = JSON.parse(answer.text) as { jobId: string };
    let job: { status: string; created: number; failed: number } | undefined;
    for (;;) {
      job = (await expectStatus(requestJson(server.url, 'GET', `/api/v1/pools/${poolId}/jobs/${jobId}`), 200, 'get job')) as typeof job;
      if (job?.status !== 'running') break;
      await sleep(20);
    }
    const seconds = (performance.now() - started) / 1000;
    const cpuSeconds = ((cpuSnapshot().get(pid)?.cpuMs ?? Number.NaN) - cpuBefore) / 1000;
    sampling = false;
    await sampler;
    if (job?.status !== 'done' || job.created !== options.users) throw new Error(`import job ended ${JSON.stringify(job).slice(0, 300)}`);
    options.log(`  import: ${options.users} users in ${seconds.toFixed(1)} s (server CPU ${cpuSeconds.toFixed(1)} s); server RSS ${idleRss.toFixed(0)} MB before, ${peakRss.toFixed(0)} MB at most`);
    return {
      build,
      figures: {
        import_users_per_second: options.users / seconds,
        import_users_per_server_cpu_second: options.users / cpuSeconds,
        import_peak_rss_mb: peakRss,
        import_idle_rss_mb: idleRss,
      },
    };
  } finally {
    await stopServerProcess(server);
    rmSync(dataDir, { recursive: true, force: true });
  }
}
