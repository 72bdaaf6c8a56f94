import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { afterAll, describe, expect, it } from 'vitest';
import { startServerProcess } from '../support/process.js';

describe('the server process (npm start)', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-process-'));
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('starts on the embedded store, prints the admin token once, and serves /healthz', async () => {
    const server = await startServerProcess({ PORT: '0', GATEHOUSE_DATA_DIR: dataDir });
    try {
      const token = /Admin token \(shown only this once; keep it\): (\S+)/.exec(server.output())?.[1];
      expect(token).toBeDefined();
      expect(server.output()).toMatch(/Admin console: http:\/\/127\.0\.0\.1:\d+\/console/);
      expect(await (await fetch(`${server.url}/healthz`)).json()).toEqual({ status: 'ok' });
      const pools = await fetch(`${server.url}/api/v1/pools`, { headers: { authorization: `Bearer ${token}` } });
      expect(pools.status).toBe(200);
      // the key file and the store are in the data dir; the token itself is not kept anywhere
      expect(readFileSync(path.join(dataDir, 'secret.key'), 'utf8').trim()).toHaveLength(44);
      expect(readFileSync(path.join(dataDir, 'gatehouse.sqlite')).includes(Buffer.from(token ?? ''))).toBe(false);

      server.child.kill('SIGTERM');
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill('SIGKILL');
    }

    const again = await startServerProcess({ PORT: '0', GATEHOUSE_DATA_DIR: dataDir });
    try {
      expect(again.output()).not.toMatch(/Admin token/);
    } finally {
      again.child.kill('SIGTERM');
      await again.exited;
    }
  });

  it('lets an in-flight request finish on SIGTERM', async () => {
    const server = await startServerProcess({ PORT: '0', GATEHOUSE_DATA_DIR: dataDir, GATEHOUSE_ADMIN_TOKEN: 'process-test-admin-token' });
    const body = JSON.stringify({ name: 'created while stopping' });
    // The request's headers and half its body arrive before SIGTERM, the rest after:
    // the server must finish it rather than drop it.
    const request = http.request(`${server.url}/api/v1/pools`, {
      method: 'POST',
      headers: { authorization: 'Bearer process-test-admin-token', 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
    });
    const status = new Promise<number | undefined>((resolve, reject) => {
      request.on('response', (response) => {
        response.resume();
        resolve(response.statusCode);
      });
      request.on('error', reject);
    });
    request.write(body.slice(0, 10));
    await new Promise((resolve) => setTimeout(resolve, 200));
    server.child.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 200));
    request.end(body.slice(10));
    expect(await status).toBe(201);
    expect(await server.exited).toBe(0);
  });

  it('refuses to start on a bad setting, naming the variable and the fix', () => {
    const result = spawnSync(process.execPath, ['dist/main.js'], {
      env: { PATH: process.env['PATH'] ?? '', PORT: 'abc', GATEHOUSE_SECRET_KEY: 'short', GATEHOUSE_DATA_DIR: dataDir },
      encoding: 'utf8',
    });
    expect(result.status).toBe(3); // invalid configuration (README: Operating Gatehouse)
    expect(result.stderr).toMatch(/PORT must be a whole number/);
    expect(result.stderr).toMatch(/GATEHOUSE_SECRET_KEY must be 32 bytes in base64/);
  });
});
