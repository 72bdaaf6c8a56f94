/** A real `src/main.ts` process given a bad configuration: the operator sees the list of fixes, not a stack. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { expect, it } from 'vitest';

function runMain(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    env: { PATH: process.env['PATH'] ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, output })));
}

it('exits non-zero with the configuration error list, and no stack, when LOG_LEVEL is not a level', async () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-config-'));
  try {
    const { code, output } = await runMain({ LOG_LEVEL: 'bogus', PORT: '0', GATEHOUSE_DATA_DIR: dataDir });
    expect(code).toBe(3);
    expect(output).toContain('Gatehouse cannot start; fix these settings:\n  - LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "bogus")');
    expect(output).not.toMatch(/^\s+at /m);
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}, 30_000);
