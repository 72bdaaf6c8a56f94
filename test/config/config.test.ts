import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';

describe('configuration', () => {
  it('uses the documented defaults when nothing is set', () => {
    const result = loadConfig({});
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.config).toMatchObject({ port: 3000, host: '127.0.0.1', databaseUrl: undefined, publicIps: [], logLevel: 'info' });
    expect(result.config.dataDir).toMatch(/data$/);
  });

  it('reads every variable', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    const result = loadConfig({
      PORT: '8080',
      HOST: '0.0.0.0',
      GATEHOUSE_DATA_DIR: '/tmp/gh',
      DATABASE_URL: 'postgres://u:p@db:5432/gh',
      GATEHOUSE_ADMIN_TOKEN: 'a-long-enough-admin-token',
      GATEHOUSE_SECRET_KEY: key,
      GATEHOUSE_PUBLIC_IPS: '203.0.113.7, 2001:db8::1',
      LOG_LEVEL: 'DEBUG',
    });
    expect(result.ok && result.config).toMatchObject({
      logLevel: 'debug',
      port: 8080,
      host: '0.0.0.0',
      dataDir: '/tmp/gh',
      databaseUrl: 'postgres://u:p@db:5432/gh',
      adminToken: 'a-long-enough-admin-token',
      publicIps: ['203.0.113.7', '2001:db8::1'],
    });
  });

  it('reports every bad value at once, each naming the variable and the fix', () => {
    const result = loadConfig({
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      GATEHOUSE_ADMIN_TOKEN: 'short',
      GATEHOUSE_SECRET_KEY: 'not-a-key',
      GATEHOUSE_PUBLIC_IPS: '1.2.3.4,nope',
      LOG_LEVEL: 'bogus',
    });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    const text = result.problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'GATEHOUSE_ADMIN_TOKEN', 'GATEHOUSE_SECRET_KEY', 'GATEHOUSE_PUBLIC_IPS', 'LOG_LEVEL']) {
      expect(text).toContain(name);
    }
    expect(result.problems).toHaveLength(6);
    expect(text).toContain('openssl rand -base64 32');
  });

  it('rejects a port out of range and a key of the wrong length', () => {
    const result = loadConfig({ PORT: '70000', GATEHOUSE_SECRET_KEY: Buffer.alloc(16).toString('base64') });
    expect(result.ok ? [] : result.problems).toHaveLength(2);
  });

  it('reads the proxy trust and throttling settings, refusing nonsense', () => {
    const good = loadConfig({
      GATEHOUSE_TRUST_PROXY: '10.0.0.0/8, 192.168.1.1',
      GATEHOUSE_LOGIN_MAX_FAILURES_PER_ACCOUNT: '5',
      GATEHOUSE_LOGIN_MAX_FAILURES_PER_IP: '50',
      GATEHOUSE_LOGIN_FAILURE_WINDOW_SECONDS: '60',
    });
    expect(good.ok && good.config).toMatchObject({
      trustProxy: ['10.0.0.0/8', '192.168.1.1'],
      throttle: { maxFailuresPerAccount: 5, maxFailuresPerAddress: 50, windowSeconds: 60 },
    });
    expect(loadConfig({ GATEHOUSE_TRUST_PROXY: 'true' }).ok && loadConfig({ GATEHOUSE_TRUST_PROXY: 'true' })).toMatchObject({ config: { trustProxy: true } });
    const bad = loadConfig({ GATEHOUSE_TRUST_PROXY: 'lb.internal', GATEHOUSE_LOGIN_MAX_FAILURES_PER_ACCOUNT: '0' });
    expect(bad.ok ? [] : bad.problems.join('\n')).toMatch(/GATEHOUSE_TRUST_PROXY[\s\S]*GATEHOUSE_LOGIN_MAX_FAILURES_PER_ACCOUNT/);
  });

  it('refuses a log level the logger does not know, naming the levels it does', () => {
    const result = loadConfig({ LOG_LEVEL: 'bogus' });
    expect(result.ok ? [] : result.problems).toEqual([
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "bogus"); unset it to use info.',
    ]);
    expect(loadConfig({ LOG_LEVEL: 'silent' })).toMatchObject({ ok: true, config: { logLevel: 'silent' } });
  });
});
