/**
 * The guard on its own, installed in this test worker (vitest runs each file in its own
 * process), for what a script cannot easily arrange: a host name that resolves to a
 * metadata address.
 */
import net from 'node:net';
import { describe, expect, test } from 'vitest';
import { installEgressGuard, isBlockedAddress } from '../../src/script-runtime/child/egress-guard.mjs';

const denials: Error[] = [];
const guard = installEgressGuard((error) => denials.push(error));
guard.configure([]);

function connect(options: net.NetConnectOpts): Promise<Error | null> {
  return new Promise((resolve) => {
    const socket = net.connect(options);
    socket.on('connect', () => {
      socket.destroy();
      resolve(null);
    });
    socket.on('error', resolve);
  });
}

describe('egress guard (unit)', () => {
  test('recognises link-local and metadata addresses in all spellings, and leaves others alone', () => {
    for (const ip of ['169.254.169.254', '169.254.0.1', '0.0.0.0', 'fe80::1', 'FE80::1%eth0', 'fd00:ec2::254', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', '64:ff9b::169.254.169.254', '100.100.100.200', '[::]']) {
      expect(isBlockedAddress(ip), ip).toBe(true);
    }
    for (const ip of ['127.0.0.1', '10.0.0.5', '192.168.1.1', '::1', 'fd00::1', '8.8.8.8', '169.255.0.1']) {
      expect(isBlockedAddress(ip), ip).toBe(false);
    }
  });

  test('refuses a host name whose resolved address is link-local', async () => {
    const error = await connect({
      host: 'innocent.example',
      port: 80,
      lookup: (_host, _options, callback) => {
        (callback as (err: null, addresses: { address: string; family: number }[]) => void)(null, [{ address: '169.254.169.254', family: 4 }]);
      },
    });
    expect(error?.name).toBe('EgressDeniedError');
    expect(error?.message).toContain('resolves to 169.254.169.254');
    expect(denials.length).toBeGreaterThan(0);
  });

  test('lets ordinary connections through', async () => {
    const error = await connect({ host: '127.0.0.1', port: 5432 });
    expect(error).toBeNull();
    const byName = await connect({ host: 'localhost', port: 5432 });
    expect(byName).toBeNull();
  });

  test('cannot be installed twice or reconfigured', () => {
    expect(() => installEgressGuard(() => undefined)).toThrow(/already installed/);
    expect(() => guard.configure(['x'])).toThrow(/already configured/);
  });
});
