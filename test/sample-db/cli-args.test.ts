/** `npm run sample-db` arguments: each form, and every mistake named by its flag. */
import { describe, expect, it } from 'vitest';
import { DEFAULT_EMBEDDED_PORT, DEFAULT_WEBSERVICE_PORT, HELP, parseArgs } from '../../src/sample-db/cli-args.js';

function error(argv: string[]): string {
  const parsed = parseArgs(argv);
  if (parsed.ok) throw new Error(`expected an error for ${argv.join(' ')}`);
  return parsed.error;
}

describe('sample-db arguments', () => {
  it('starts the embedded database on 127.0.0.1:5433 by default', () => {
    expect(parseArgs([])).toEqual({ ok: true, command: { kind: 'embedded', port: DEFAULT_EMBEDDED_PORT, host: '127.0.0.1' } });
    expect(DEFAULT_EMBEDDED_PORT).toBe(5433);
    expect(parseArgs(['--port', '0', '--data-dir', '/tmp/x'])).toEqual({
      ok: true,
      command: { kind: 'embedded', port: 0, host: '127.0.0.1', dataDir: '/tmp/x' },
    });
    expect(parseArgs(['--port=6000'])).toMatchObject({ ok: true, command: { port: 6000 } });
  });

  it('reads --seed <uri> for PostgreSQL, MySQL/MariaDB and MongoDB', () => {
    for (const uri of ['postgres://u:p@h:5432/d', 'postgresql://h/d', 'mysql://root@h:3306/d', 'mariadb://root@h/d', 'mongodb://h:27017/d']) {
      expect(parseArgs(['--seed', uri])).toEqual({ ok: true, command: { kind: 'seed', uri } });
    }
  });

  it('reads --webservice with --port and --api-key', () => {
    expect(parseArgs(['--webservice'])).toEqual({ ok: true, command: { kind: 'webservice', port: DEFAULT_WEBSERVICE_PORT, host: '127.0.0.1' } });
    expect(parseArgs(['--webservice', '--port', '0', '--api-key', 'k'])).toEqual({
      ok: true,
      command: { kind: 'webservice', port: 0, host: '127.0.0.1', apiKey: 'k' },
    });
  });

  it('answers help for -h and --help, wherever they are', () => {
    expect(parseArgs(['--port', '1', '--help'])).toEqual({ ok: true, command: { kind: 'help' } });
    expect(parseArgs(['-h'])).toEqual({ ok: true, command: { kind: 'help' } });
    for (const flag of ['--seed', '--webservice', '--port', '--api-key', '--data-dir', '--host']) expect(HELP).toContain(flag);
  });

  it('names the flag in every mistake', () => {
    expect(error(['--port', 'abc'])).toMatch(/^--port must be a port number/);
    expect(error(['--port', '70000'])).toMatch(/^--port/);
    expect(error(['--port'])).toBe('--port needs a value');
    expect(error(['--seed'])).toBe('--seed needs a value');
    expect(error(['--seed', '--port', '1'])).toBe('--seed needs a value');
    expect(error(['--bogus'])).toBe('unknown option --bogus');
    expect(error(['extra'])).toMatch(/unexpected argument "extra"/);
    expect(error(['--port', '1', '--port', '2'])).toBe('--port is given twice');
    expect(error(['--api-key', 'k'])).toBe('--api-key applies only to --webservice');
    expect(error(['--webservice', '--data-dir', 'x'])).toMatch(/^--data-dir applies only to the embedded database/);
    expect(error(['--seed', 'postgres://h/d', '--port', '1'])).toBe('--port does not apply to --seed');
    expect(error(['--seed', 'postgres://h/d', '--webservice'])).toMatch(/--seed and --webservice/);
  });

  it('refuses a --seed value that is not a supported database URI', () => {
    expect(error(['--seed', 'not a uri'])).toMatch(/^--seed needs a database URI/);
    expect(error(['--seed', 'ftp://h/d'])).toMatch(/^--seed: unsupported URI scheme "ftp:"/);
  });
});
