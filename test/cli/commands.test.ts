/**
 * The `gatehouse` bin itself: every subcommand has its help, mistakes get exit status 2,
 * and colours appear on a terminal only (and never with NO_COLOR).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runGatehouse, killLeftovers } from './gatehouse-process.js';

const dataDir = mkdtempSync(path.join(tmpdir(), 'gatehouse-commands-'));
afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

describe.concurrent('gatehouse', { timeout: 90_000 }, () => {
  it('lists its commands with --help (the package bin, through tsx from src/)', async () => {
    const { code, stdout } = await runGatehouse(['--help'], {}, 'bin');
    expect(stdout).toMatch(/^Usage: gatehouse <command> \[options\]/);
    for (const command of ['start', 'doctor', 'sample-db', 'import', 'admin-key']) expect(stdout).toMatch(new RegExp(`^  ${command} `, 'm'));
    expect(code).toBe(0);
  });

  it.each([
    ['start', /^Usage: gatehouse start \[--json\]/],
    ['doctor', /^Usage: gatehouse doctor \[--json\]/],
    ['sample-db', /^Usage: npm run sample-db/],
    ['import', /^Usage: npm run import -- --pool <poolId>/],
    ['admin-key', /^Usage: gatehouse admin-key create --name <name> \[--pool <pool id>\] \[--json\]/],
  ])('gatehouse %s --help', async (command, usage) => {
    const { code, stdout } = await runGatehouse([command, '--help'], {});
    expect(stdout).toMatch(usage);
    expect(code).toBe(0);
  });

  it('refuses an unknown command and an unknown option with exit status 2', async () => {
    const unknown = await runGatehouse(['serve'], {});
    expect(unknown.stderr).toContain('gatehouse: unknown command "serve".');
    expect(unknown.code).toBe(2);
    const option = await runGatehouse(['doctor', '--verbose'], {});
    expect(option.stderr).toContain("gatehouse doctor: Unknown option '--verbose'");
    expect(option.code).toBe(2);
  });
});

/** Runs `gatehouse doctor` with a terminal as stdout (util-linux `script` makes one). */
function doctorOnTerminal(env: Record<string, string>): string {
  const result = spawnSync('script', ['-qec', `${process.execPath} dist/cli/gatehouse.js doctor`, '/dev/null'], {
    env: { PATH: process.env['PATH'] ?? '', TERM: 'xterm', GATEHOUSE_DATA_DIR: dataDir, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  return result.stdout;
}

const hasScript = spawnSync('script', ['--version']).status === 0;

describe.skipIf(!hasScript)('colours', () => {
  it('are used on a terminal, and not with NO_COLOR', () => {
    expect(doctorOnTerminal({})).toContain('\u001b[32m✓\u001b[39m configuration');
    const plain = doctorOnTerminal({ NO_COLOR: '1' });
    expect(plain).toContain('✓ configuration');
    expect(plain).not.toContain('\u001b[');
  });
});

afterAll(killLeftovers);
