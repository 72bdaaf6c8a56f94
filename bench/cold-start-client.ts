/**
 * The cold-start benchmark's HTTP client, in its own process like the load generator: a
 * client in the server's process would share its event loop, so its request building and
 * answer parsing (~4 ms a sample) would count as the server's and delay the server's own
 * work. The parent sends one sample at a time over the IPC channel; this process saves the
 * connection, logs in once and answers both times.
 */
export interface ColdStartSample {
  url: string;
  adminToken: string;
  poolId: string;
  connection: Record<string, unknown>;
  login: { email: string; password: string };
}

export type ColdStartTiming = { ok: true; saveMs: number; totalMs: number } | { ok: false; message: string };

async function send(url: string, method: string, body: unknown, token: string | null): Promise<{ status: number; text: string }> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token !== null) headers['authorization'] = `Bearer ${token}`;
  const response = await fetch(url, { method, headers, body: JSON.stringify(body), signal: AbortSignal.timeout(30_000) });
  return { status: response.status, text: await response.text() };
}

async function measure(sample: ColdStartSample): Promise<ColdStartTiming> {
  const started = performance.now();
  const saved = await send(`${sample.url}/api/v1/pools/${sample.poolId}/custom-db`, 'PUT', sample.connection, sample.adminToken);
  const savedAt = performance.now();
  if (saved.status !== 200) return { ok: false, message: `save answered ${saved.status}: ${saved.text.slice(0, 500)}` };
  const login = await send(`${sample.url}/api/v1/pools/${sample.poolId}/auth/login`, 'POST', sample.login, null);
  const answered = performance.now();
  if (login.status !== 200) return { ok: false, message: `first login answered ${login.status}: ${login.text.slice(0, 500)}` };
  return { ok: true, saveMs: savedAt - started, totalMs: answered - started };
}

process.on('message', (sample: ColdStartSample) => {
  measure(sample).then(
    (timing) => process.send?.(timing),
    (error: unknown) => process.send?.({ ok: false, message: error instanceof Error ? error.message : String(error) }),
  );
});
