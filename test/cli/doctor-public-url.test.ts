/** The doctor's public URL rules, checked in-process against a fresh data dir (no store yet). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { diagnose } from '../../src/cli/doctor.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-doctor-url-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

async function publicUrlCheck(env: Record<string, string>) {
  const report = await diagnose({ GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_UNSAFE_SCRIPTS: '1', ...env });
  return report.checks.find((check) => check.name === 'public URL');
}

it.each([
  [{}, 'ok', 'not set: http://127.0.0.1:3000'],
  [{ HOST: '0.0.0.0' }, 'fail', 'not set, while the server listens on 0.0.0.0'],
  [{ HOST: '0.0.0.0', GATEHOUSE_PUBLIC_URL: 'https://id.example.com' }, 'ok', 'https://id.example.com'],
  [{ GATEHOUSE_PUBLIC_URL: 'http://id.example.com' }, 'fail', 'is plain http on a non-loopback host'],
  [{ PORT: '3000', GATEHOUSE_PUBLIC_URL: 'http://127.0.0.1:4000' }, 'fail', 'points at port 4000 of this machine, but the server listens on 3000'],
  [{ PORT: '4000', GATEHOUSE_PUBLIC_URL: 'http://localhost:4000' }, 'ok', 'http://localhost:4000'],
])('%j → %s', async (env, status, detail) => {
  const check = await publicUrlCheck(env);
  expect(check?.status).toBe(status);
  expect(check?.detail).toContain(detail);
  if (status === 'fail') expect(check?.fix).toMatch(/^(GATEHOUSE_PUBLIC_URL|HOST)/);
});
