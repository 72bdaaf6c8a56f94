/**
 * The egress broker's policy half as pure functions: address parsing and classification,
 * host names, rules and ports, policy checks, decisions and the header. Every address here
 * is only computed with, never connected to; names are resolved by injected lookups, and
 * `dns.promises.lookup` and `os.networkInterfaces` are replaced so that nothing depends on
 * (or asks) this machine's resolver or interfaces.
 */
import dns from 'node:dns';
import os from 'node:os';
import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import type * as BrokerModule from '../../src/script-runtime/egress-broker.js';
import type { AddressClass, Cidr, CompiledEgressPolicy, EgressPolicy, Lookup } from '../../src/script-runtime/egress-broker.js';

type Broker = typeof BrokerModule;

/**
 * Imported here rather than statically: the module parses its built-in address ranges when
 * it loads, and a test file that fails to import runs no test, which Stryker's vitest runner
 * counts as a surviving mutant. Loaded this way, a load failure fails the first test below
 * (and every other, on the missing functions).
 */
const loaded: Broker | Error = await import('../../src/script-runtime/egress-broker.js').catch((error: unknown) =>
  error instanceof Error ? error : new Error(String(error)),
);
const {
  EGRESS_HEADER_VERSION,
  REFUSE_ALL,
  checkEgressPolicy,
  classifyAddress,
  compileEgressPolicy,
  decideBeforeLookup,
  decideEgress,
  egressPolicyFor,
  isHostName,
  normaliseHost,
  parseAllowedHost,
  parseCidr,
  parseEgressHeader,
  parseIp,
  systemLookup,
  thisMachineAddresses,
} = loaded instanceof Error ? ({} as Broker) : loaded;

/** Interfaces as `os.networkInterfaces()` reports them, with documentation addresses. */
const INTERFACES: NodeJS.Dict<os.NetworkInterfaceInfo[]> = {
  lo: [
    { address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' },
  ],
  eth0: [
    { address: '192.0.2.10', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.0.2.10/24' },
    {
      address: '2001:db8:a:b::c1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false,
      cidr: '2001:db8:a:b::c1/64', scopeid: 0,
    },
  ],
  // Node types the entries as possibly absent; an interface without a list is skipped.
  tun0: undefined,
};

/** What each compiled rule of `INTERFACES` is (loopback included: it is internal anyway). */
const interfaceRanges = (): Cidr[] => ['127.0.0.1', '192.0.2.10', '2001:db8:a:b::c1'].map((ip) => parseCidr(ip) as Cidr);

let asked: string[] = [];

beforeEach(() => {
  asked = [];
  vi.spyOn(os, 'networkInterfaces').mockReturnValue(INTERFACES);
  // The system resolver answers from a table and records every name: no DNS is sent.
  vi.spyOn(dns.promises, 'lookup').mockImplementation((async (hostname: string, options: unknown) => {
    asked.push(hostname);
    expect(options).toEqual({ all: true, verbatim: true });
    return hostname === 'store.example' ? [{ address: '203.0.113.5', family: 4 }, { address: '2001:db8::5', family: 6 }] : [];
  }) as unknown as typeof dns.promises.lookup);
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A resolver that answers from a table and records what it was asked. */
function table(answers: Record<string, string[]>, log: string[] = []): Lookup {
  return async (name) => {
    log.push(name);
    return answers[name] ?? [];
  };
}

function ipOf(family: 4 | 6, ...bytes: number[]): { family: 4 | 6; bytes: Uint8Array } {
  return { family, bytes: Uint8Array.from(bytes) };
}

function compile(policy: Partial<EgressPolicy>, lookup: Lookup = table({})): Promise<CompiledEgressPolicy> {
  return compileEgressPolicy({ allow: [], anyPublicAddress: false, deny: [], ...policy }, { lookup, thisMachine: [] });
}

test('the module loads: every built-in address range parses', () => {
  expect(loaded).not.toBeInstanceOf(Error);
});

// =========================================================================================

describe('parseIp', () => {
  test('IPv4 dotted quads become their four bytes', () => {
    expect(parseIp('0.0.0.0')).toEqual(ipOf(4, 0, 0, 0, 0));
    expect(parseIp('192.168.10.255')).toEqual(ipOf(4, 192, 168, 10, 255));
    expect(parseIp('[10.1.2.3]')).toEqual(ipOf(4, 10, 1, 2, 3));
  });

  test('only the forms Node accepts: no leading zeros, short forms, hex or decimal integers', () => {
    for (const text of ['010.0.0.1', '1.2.3.04', '127.1', '0x7f000001', '2130706433', '256.0.0.1', '1.2.3.4.5', '', 'not-an-ip',
      'g:g:g:g:g:g:g:g', '1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '::ffff:010.0.0.1']) {
      expect(parseIp(text), JSON.stringify(text)).toBeNull();
    }
  });

  test('IPv6: compressed anywhere, leading zeros and upper case in groups, every byte in place', () => {
    expect(parseIp('::')).toEqual(ipOf(6, ...Array<number>(16).fill(0)));
    expect(parseIp('::1')).toEqual(ipOf(6, ...Array<number>(15).fill(0), 1));
    expect(parseIp('1::')).toEqual(ipOf(6, 0, 1, ...Array<number>(14).fill(0)));
    expect(parseIp('0001:0203:0405:0607:0809:0a0b:0c0d:0e0f')).toEqual(ipOf(6, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15));
    expect(parseIp('ABCD:EF01::2345')).toEqual(ipOf(6, 0xab, 0xcd, 0xef, 0x01, ...Array<number>(10).fill(0), 0x23, 0x45));
    expect(parseIp('1:2::7:8')).toEqual(ipOf(6, 0, 1, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 8));
    expect(parseIp('1::2:3:4:5:6:7')).toEqual(ipOf(6, 0, 1, 0, 0, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7));
    expect(parseIp('1:2:3:4:5:6:7::')).toEqual(ipOf(6, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0));
    expect(parseIp('::1:2:3:4:5:6:7')).toEqual(ipOf(6, 0, 0, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7));
    expect(parseIp('ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff')).toEqual(ipOf(6, ...Array<number>(16).fill(255)));
  });

  test('IPv6 ending in a dotted quad carries it in its last four bytes', () => {
    expect(parseIp('::ffff:192.168.1.20')).toEqual(ipOf(6, ...Array<number>(10).fill(0), 255, 255, 192, 168, 1, 20));
    expect(parseIp('::FFFF:1.2.3.4')).toEqual(ipOf(6, ...Array<number>(10).fill(0), 255, 255, 1, 2, 3, 4));
    expect(parseIp('1:2:3:4:5:6:255.254.10.0')).toEqual(ipOf(6, 0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 255, 254, 10, 0));
    expect(parseIp('64:ff9b::0.0.0.9')).toEqual(ipOf(6, 0, 0x64, 0xff, 0x9b, ...Array<number>(11).fill(0), 9));
  });

  test('brackets only as a pair; zone ids refused', () => {
    expect(parseIp('[::1]')).toEqual(parseIp('::1'));
    expect(parseIp('[fe80::1]')).toEqual(parseIp('fe80::1'));
    for (const text of ['[::1', '::1]', '1::]', '[1::', 'fe80::1%eth0', '[fe80::1%eth0]', 'fe80::1%1', '[[::1]]']) {
      expect(parseIp(text), text).toBeNull();
    }
  });
});

describe('parseCidr', () => {
  test('an address alone is a block of one', () => {
    expect(parseCidr('10.0.0.1')).toEqual({ ...ipOf(4, 10, 0, 0, 1), bits: 32 });
    expect(parseCidr('::1')).toEqual({ ...ipOf(6, ...Array<number>(15).fill(0), 1), bits: 128 });
  });

  test('prefix lengths from 0 to the family\'s width', () => {
    expect(parseCidr('10.0.0.0/8')).toEqual({ ...ipOf(4, 10, 0, 0, 0), bits: 8 });
    expect(parseCidr('0.0.0.0/0')).toEqual({ ...ipOf(4, 0, 0, 0, 0), bits: 0 });
    expect(parseCidr('10.0.0.1/32')).toEqual({ ...ipOf(4, 10, 0, 0, 1), bits: 32 });
    expect(parseCidr('fe80::/10')).toEqual({ ...ipOf(6, 0xfe, 0x80, ...Array<number>(14).fill(0)), bits: 10 });
    expect(parseCidr('::/128')?.bits).toBe(128);
    expect(parseCidr('[::1]/64')?.bits).toBe(64);
    expect(parseCidr('::1/000')?.bits).toBe(0);
  });

  test('a prefix that is not 1 to 3 digits within the width is refused', () => {
    for (const text of ['10.0.0.0/33', '::/129', '10.0.0.0/', '10.0.0.0/+8', '10.0.0.0/-8', '10.0.0.0/8 ', '10.0.0.0/ 8', '10.0.0.0/0008',
      '10.0.0.0/1e1', '10.0.0.0/8x', '10.0.0.0/x8', '10.0.0.0/8/8', '10.0.0/8', 'example.com/8', '/8', '10.0.0.0//8']) {
      expect(parseCidr(text), text).toBeNull();
    }
  });
});

// =========================================================================================

describe('classifyAddress: every range, first and last address inside and the next outside', () => {
  const expectClass = (expected: AddressClass, addresses: string[]): void => {
    for (const address of addresses) expect(classifyAddress(address), address).toBe(expected);
  };

  test('blocked ranges', () => {
    expectClass('blocked', [
      '0.0.0.0', '0.255.255.255', // this network
      '169.254.0.0', '169.254.255.255', '169.254.169.254', // link-local
      '100.100.100.200', // Alibaba metadata
      '192.0.0.192', // Oracle metadata
      '224.0.0.0', '239.255.255.255', '240.0.0.0', '255.255.255.255', // multicast, reserved
      '::', // unspecified
      'fe80::', 'febf:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // link-local
      'fd00:ec2::254', // AWS metadata
      'ff00::', 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', // multicast
    ]);
    expectClass('public', ['1.0.0.0', '169.253.255.255', '169.255.0.0', '223.255.255.255', 'fe7f:ffff:ffff:ffff:ffff:ffff:ffff:ffff']);
    // Next to the single-address blocks are internal ranges.
    expectClass('internal', ['100.100.100.199', '100.100.100.201', '192.0.0.191', '192.0.0.193', 'fd00:ec2::253', 'fd00:ec2::255',
      'fec0::', 'feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff']);
  });

  test('internal ranges', () => {
    expectClass('internal', [
      '127.0.0.0', '127.255.255.255', '10.0.0.0', '10.255.255.255', '172.16.0.0', '172.31.255.255', '192.168.0.0', '192.168.255.255',
      '100.64.0.0', '100.127.255.255', '192.0.0.0', '192.0.0.255', '198.18.0.0', '198.19.255.255',
      '::1', 'fc00::', 'fdff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fec0::',
      '64:ff9b:1::', '64:ff9b:1:ffff:ffff:ffff:ffff:ffff', '2001::', '2001:0:ffff:ffff:ffff:ffff:ffff:ffff',
    ]);
    expectClass('public', [
      '126.255.255.255', '128.0.0.0', '9.255.255.255', '11.0.0.0', '172.15.255.255', '172.32.0.0', '192.167.255.255', '192.169.0.0',
      '100.63.255.255', '100.128.0.0', '191.255.255.255', '192.0.1.0', '198.17.255.255', '198.20.0.0',
      'fbff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 'fe00::', '64:ff9b:0:ffff:ffff:ffff:ffff:ffff', '64:ff9b:2::',
      '2000:ffff:ffff:ffff:ffff:ffff:ffff:ffff', '2001:1::', '2606:4700::1111', '8.8.8.8',
    ]);
  });

  test('an IPv4 range never matches IPv6 bytes, nor an IPv6 range IPv4 bytes', () => {
    // a00::1 starts with the bytes of 10.0.0.0/8; 32.1.0.0 with those of 2001::/32.
    expectClass('public', ['a00::1', 'c0a8::1', '32.1.0.0']);
  });

  test('IPv6 forms that reach an IPv4 host are checked as that host too', () => {
    // mapped ::ffff:a.b.c.d, translated ::ffff:0:a.b.c.d, compatible ::a.b.c.d, NAT64 64:ff9b::a.b.c.d, 6to4 2002:aabb:ccdd::
    expectClass('blocked', ['::ffff:169.254.169.254', '::ffff:0:169.254.169.254', '::169.254.169.254', '64:ff9b::169.254.169.254',
      '2002:a9fe:a9fe::', '2002:a9fe:a9fe:1:2:3:4:5', '::ffff:0.0.0.0', '::ffff:255.255.255.255', '::0.0.1.0']);
    expectClass('internal', ['::ffff:10.0.0.1', '::ffff:0:10.0.0.1', '::10.0.0.1', '64:ff9b::10.0.0.1', '2002:a00:1::',
      '::ffff:127.0.0.1', '::ffff:0:7f00:1', '::7f00:1', '2002:c0a8:101::']);
    expectClass('public', ['::ffff:8.8.8.8', '::ffff:0:8.8.8.8', '::8.8.8.8', '64:ff9b::8.8.8.8', '2002:808:808::']);
  });

  test('near misses of the embedded forms are plain IPv6 addresses', () => {
    expectClass('public', [
      '1::ffff:a9fe:a9fe', '::1:0:0:ffff:a9fe:a9fe', '::ff:a9fe:a9fe', '::ff00:a9fe:a9fe', '::feff:a9fe:a9fe', // not mapped
      '1::ffff:0:a9fe:a9fe', '::ff:0:a9fe:a9fe', '::ff00:0:a9fe:a9fe', '::ffff:1:a9fe:a9fe', '::ffff:100:a9fe:a9fe', // not translated
      '::1:0:a9fe:a9fe', '1::a9fe:a9fe', // not compatible
      '100:ff9b::a9fe:a9fe', '164:ff9b::a9fe:a9fe', '65:ff9b::a9fe:a9fe', '64:fe9b::a9fe:a9fe', '64:ff9a::a9fe:a9fe', '64:ff9b::1:0:a9fe:a9fe',
      '64:ff9b:0:1::a9fe:a9fe', // not NAT64
      '2102:a9fe:a9fe::', '2003:a9fe:a9fe::', '3002:a9fe:a9fe::', // not 6to4
    ]);
    // Local-use NAT64 is internal by its own range, not by the address it might carry.
    expectClass('internal', ['64:ff9b:1::a9fe:a9fe']);
    // An IPv4 address that happens to start like the 6to4 or NAT64 prefix is only itself.
    expectClass('public', ['32.2.169.254', '32.2.10.0']);
  });

  test('the compatible form: :: is unspecified, ::1 loopback, the rest of ::/96 the IPv4 address it spells', () => {
    expectClass('blocked', ['::', '::2', '::ff', '::100', '::0.0.0.2', '::ffff']);
    expectClass('internal', ['::1']);
  });

  test('anything that is not an IP literal is blocked', () => {
    expectClass('blocked', ['', 'localhost', 'fe80::1%eth0', '127.1', '2852039166', '[::1', '1.2.3.04']);
  });

  test('this machine\'s addresses are internal, in every spelling, and nothing else is', () => {
    const own = [parseCidr('203.0.113.7') as Cidr, parseCidr('2001:db8::7') as Cidr];
    expect(classifyAddress('203.0.113.7', own)).toBe('internal');
    expect(classifyAddress('::ffff:203.0.113.7', own)).toBe('internal');
    expect(classifyAddress('2001:db8::7', own)).toBe('internal');
    expect(classifyAddress('203.0.113.8', own)).toBe('public');
    expect(classifyAddress('2001:db8::8', own)).toBe('public');
    expect(classifyAddress('169.254.0.1', [parseCidr('169.254.0.0/16') as Cidr])).toBe('blocked');
  });
});

// =========================================================================================

describe('host names', () => {
  test('normaliseHost: trimmed, lower case, no brackets, no trailing dot', () => {
    expect(normaliseHost('  DB.Example.COM.  ')).toBe('db.example.com');
    expect(normaliseHost('[::1]')).toBe('::1');
    expect(normaliseHost('[FE80::1]')).toBe('fe80::1');
    expect(normaliseHost('[::1')).toBe('[::1');
    expect(normaliseHost('::1]')).toBe('::1]');
    expect(normaliseHost('1::]')).toBe('1::]');
    expect(normaliseHost('.example.com')).toBe('.example.com');
    expect(normaliseHost('example.com..')).toBe('example.com.');
    expect(normaliseHost('a')).toBe('a');
  });

  test('names that are valid: RFC 1123 labels, underscores, any case, one trailing dot', () => {
    const label63 = `a${'b'.repeat(61)}c`;
    const name253 = [label63, label63, label63, 'd'.repeat(61)].join('.');
    expect(name253.length).toBe(253);
    for (const name of ['localhost', 'a', 'DB.Example.COM', 'db.example.com.', 'my_host.internal', '_srv._tcp.example', 'x1', 'a-b.c-d.io',
      'db.a1', 'db.1a', 'a.0x7g', 'a.0xg', '1a.example', '127.0.0.1.nip.io', label63, `${label63}.com`, name253, `${name253}.`]) {
      expect(isHostName(name), name).toBe(true);
    }
  });

  test('names that are not: bad labels, too long, or a last label getaddrinfo reads as a number', () => {
    const label63 = `a${'b'.repeat(61)}c`;
    const name254 = [label63, label63, label63, 'd'.repeat(62)].join('.');
    expect(name254.length).toBe(254);
    for (const name of ['', '.', '..', 'a..b', '.a', 'a.b..', '-a.com', 'a-.com', 'a.-b', `${'x'.repeat(64)}.com`, 'a b', ' a', 'a ', 'host\u0000.com',
      'a/b', 'a:b', '[a]', 'a*.com', 'é.com', name254, `${name254}.`, `${'abcdefghi.'.repeat(26)}com`,
      '127.1', '2130706433', '1', '1.', 'a.1.', 'a.b.1', 'db.127', '0x7f.1', 'a.0x', 'a.0x7f000001', 'a.0X7F', 'a.0xABC', '1.2.3.04']) {
      expect(isHostName(name), JSON.stringify(name)).toBe(false);
    }
  });
});

// =========================================================================================

describe('thisMachineAddresses and the system resolver', () => {
  test('every interface address is one address block; interfaces without a list are skipped', () => {
    expect(thisMachineAddresses()).toEqual(interfaceRanges());
  });

  test('an address the interface list holds that is not an IP literal is skipped', () => {
    vi.mocked(os.networkInterfaces).mockReturnValue({
      weird: [{ address: 'fe80::1%eth0', netmask: 'ffff::', family: 'IPv6', mac: '', internal: false, cidr: null, scopeid: 2 }],
      eth0: [{ address: '198.51.100.4', netmask: '255.255.255.0', family: 'IPv4', mac: '', internal: false, cidr: null }],
    });
    expect(thisMachineAddresses()).toEqual([parseCidr('198.51.100.4')]);
  });

  test('systemLookup asks the resolver for every address, in its order', async () => {
    expect(await systemLookup('store.example')).toEqual(['203.0.113.5', '2001:db8::5']);
    expect(asked).toEqual(['store.example']);
  });
});

// =========================================================================================

describe('checkEgressPolicy', () => {
  const check = (policy: Partial<EgressPolicy>): ReturnType<typeof checkEgressPolicy> =>
    checkEgressPolicy({ allow: [], anyPublicAddress: false, deny: [], ...policy });

  test('names, addresses and blocks with ports from 1 to 65535 pass', () => {
    expect(check({})).toEqual({ ok: true });
    expect(check({
      allow: [{ host: 'db.example.com' }, { host: ' [::1] ', port: 1 }, { host: '10.0.0.0/8', port: 65535 }, { host: 'Store.Example.' }],
      deny: [{ host: '2001:db8::/32', port: 5432 }, { host: '127.0.0.1' }],
    })).toEqual({ ok: true });
  });

  test('the first bad rule is named, by list and index', () => {
    expect(check({ allow: [{ host: 'ok.example' }, { host: '*.example.com' }] })).toEqual({
      ok: false, message: 'allow[1].host must be a host name, an IP address or a CIDR block',
    });
    expect(check({ deny: [{ host: 'https://x.example/' }] })).toEqual({
      ok: false, message: 'deny[0].host must be a host name, an IP address or a CIDR block',
    });
    for (const host of ['', '10.0.0.0/33', 'a b', 'fe80::1%eth0', '127.1']) {
      expect(check({ allow: [{ host }] }).ok, host).toBe(false);
    }
    for (const port of [0, -1, 65536, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(check({ allow: [{ host: 'a.example' }], deny: [{ host: 'b.example', port: 80 }, { host: 'c.example', port }] }), String(port)).toEqual({
        ok: false, message: 'deny[1].port must be an integer from 1 to 65535',
      });
      expect(check({ allow: [{ host: 'a.example', port }] })).toEqual({ ok: false, message: 'allow[0].port must be an integer from 1 to 65535' });
    }
  });
});

describe('parseAllowedHost', () => {
  test('host, host:port, [v6], [v6]:port, v6, CIDR', () => {
    expect(parseAllowedHost('api.example.com')).toEqual({ host: 'api.example.com' });
    expect(parseAllowedHost('  api.example.com  ')).toEqual({ host: 'api.example.com' });
    expect(parseAllowedHost('svc:9000')).toEqual({ host: 'svc', port: 9000 });
    expect(parseAllowedHost('10.0.0.1:1')).toEqual({ host: '10.0.0.1', port: 1 });
    expect(parseAllowedHost('db.example:65535')).toEqual({ host: 'db.example', port: 65535 });
    expect(parseAllowedHost('[::1]')).toEqual({ host: '::1' });
    expect(parseAllowedHost('[2001:db8::1]:8080')).toEqual({ host: '2001:db8::1', port: 8080 });
    expect(parseAllowedHost('2001:db8::1')).toEqual({ host: '2001:db8::1' });
    expect(parseAllowedHost('10.1.0.0/16')).toEqual({ host: '10.1.0.0/16' });
    expect(parseAllowedHost('2001:db8::/32')).toEqual({ host: '2001:db8::/32' });
  });

  test('anything else is null', () => {
    for (const bad of ['', '   ', 'https://x.example/', '*.example.com', 'a b', 'host:0', 'host:70000', 'host:123456', 'host:', ':80',
      '10.0.0.0/33', '10.0.0.0/8:80', '[fe80::1%eth0]', '[::1]:', '[::1]:0', '[::1]:123456', '[::1]x', 'x[::1]:80', '[::1]:80x', '[]', '[]:80',
      '[::1]:80:80', 'a:b:80', '[a.example]:80x']) {
      expect(parseAllowedHost(bad), JSON.stringify(bad)).toBeNull();
    }
  });
});

// =========================================================================================

describe('compileEgressPolicy', () => {
  test('addresses and blocks become ranges, names stay names, and only deny names are resolved', async () => {
    const log: string[] = [];
    const lookup = table({ 'store.example': ['203.0.113.9', 'not-an-ip', '2001:db8::9'], 'api.example.com': ['93.184.216.34'] }, log);
    const compiled = await compileEgressPolicy(
      {
        allow: [{ host: 'API.example.com.', port: 443 }, { host: '[::1]' }, { host: '10.0.0.0/8', port: 22 }],
        anyPublicAddress: true,
        deny: [{ host: 'store.example', port: 5432 }, { host: '127.0.0.1', port: 3000 }],
      },
      { lookup, thisMachine: [parseCidr('192.0.2.1') as Cidr] },
    );
    expect(compiled).toEqual({
      allow: [
        { name: 'api.example.com', ranges: [], port: 443 },
        { name: null, ranges: [parseCidr('::1')], port: undefined },
        { name: null, ranges: [parseCidr('10.0.0.0/8')], port: 22 },
      ],
      deny: [
        { name: 'store.example', ranges: [parseCidr('203.0.113.9'), parseCidr('2001:db8::9')], port: 5432 },
        { name: null, ranges: [parseCidr('127.0.0.1')], port: 3000 },
      ],
      anyPublicAddress: true,
      thisMachine: [parseCidr('192.0.2.1')],
    });
    expect(log).toEqual(['store.example']);
    expect(asked).toEqual([]);
  });

  test('a deny name that does not resolve still denies by name', async () => {
    const failing: Lookup = async () => {
      throw new Error('ENOTFOUND');
    };
    const compiled = await compileEgressPolicy({ allow: [], anyPublicAddress: true, deny: [{ host: 'store.example' }] }, { lookup: failing, thisMachine: [] });
    expect(compiled.deny).toEqual([{ name: 'store.example', ranges: [], port: undefined }]);
    expect(decideEgress(compiled, { host: 'store.example', port: 1 }, ['8.8.8.8'])).toMatchObject({ ok: false, reason: 'denied' });
  });

  test('without options: the system resolver and this machine\'s interfaces', async () => {
    const compiled = await compileEgressPolicy({ allow: [], anyPublicAddress: false, deny: [{ host: 'store.example' }] });
    expect(asked).toEqual(['store.example']);
    expect(compiled.deny[0]?.ranges).toEqual([parseCidr('203.0.113.5'), parseCidr('2001:db8::5')]);
    expect(compiled.thisMachine).toEqual(interfaceRanges());
  });

  test('REFUSE_ALL is frozen and refuses every request, before and after a lookup', async () => {
    expect(REFUSE_ALL).toEqual({ allow: [], anyPublicAddress: false, deny: [] });
    expect(Object.isFrozen(REFUSE_ALL)).toBe(true);
    const compiled = await compileEgressPolicy(REFUSE_ALL, { thisMachine: [] });
    expect(decideBeforeLookup(compiled, { host: 'api.example.com', port: 443 })).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(decideEgress(compiled, { host: '8.8.8.8', port: 53 }, ['8.8.8.8'])).toMatchObject({ ok: false, reason: 'not-allowed' });
  });
});

// =========================================================================================

describe('decideEgress', () => {
  const METADATA_NAMES = ['metadata', 'metadata.google.internal', 'metadata.goog', 'instance-data', 'instance-data.ec2.internal',
    'metadata.tencentyun.com', 'metadata.platformequinix.com'];

  test('metadata names are blocked whatever the policy and the answer, before and after the lookup', async () => {
    const policy = await compile({ allow: METADATA_NAMES.map((host) => ({ host })), anyPublicAddress: true });
    for (const name of METADATA_NAMES) {
      const refusal = { ok: false, reason: 'blocked', message: `Connections to ${name} (cloud metadata) are not allowed` };
      expect(decideEgress(policy, { host: name, port: 80 }, ['203.0.113.1']), name).toEqual(refusal);
      expect(decideEgress(policy, { host: `${name.toUpperCase()}.`, port: 80 }, []), name).toEqual(refusal);
      expect(decideBeforeLookup(policy, { host: name, port: 80 }), name).toEqual(refusal);
    }
    expect(decideEgress(policy, { host: 'metadata.example', port: 80 }, ['203.0.113.1']).ok).toBe(true);
  });

  test('a name with no address is refused', async () => {
    const policy = await compile({ anyPublicAddress: true });
    expect(decideEgress(policy, { host: 'Nowhere.Example.', port: 443 }, [])).toEqual({
      ok: false, reason: 'not-allowed', message: 'nowhere.example did not resolve to any address',
    });
  });

  test('blocked: one blocked address refuses the whole request, named with what resolved to it', async () => {
    const policy = await compile({ allow: [{ host: 'db.internal' }, { host: '169.254.0.0/16' }], anyPublicAddress: true });
    expect(decideEgress(policy, { host: 'db.internal', port: 5432 }, ['10.0.0.5', '169.254.169.254'])).toEqual({
      ok: false, reason: 'blocked',
      message: 'Connections to db.internal:5432 are not allowed (db.internal resolves to 169.254.169.254): link-local, metadata or reserved address',
    });
    expect(decideEgress(policy, { host: '[::ffff:169.254.169.254]', port: 80 }, ['::ffff:169.254.169.254'])).toEqual({
      ok: false, reason: 'blocked', message: 'Connections to ::ffff:169.254.169.254:80 are not allowed: link-local, metadata or reserved address',
    });
  });

  test('denied: by address in any spelling, by name, and by what the name resolved to; deny wins over allow', async () => {
    const policy = await compile(
      {
        allow: [{ host: '10.0.0.0/8' }, { host: 'store.internal' }, { host: 'api.example.com' }],
        anyPublicAddress: true,
        deny: [{ host: '10.0.0.5', port: 5432 }, { host: 'store.internal', port: 5432 }],
      },
      table({ 'store.internal': ['10.9.9.9', '10.9.9.8'] }),
    );
    expect(decideEgress(policy, { host: '10.0.0.5', port: 5432 }, ['10.0.0.5'])).toEqual({
      ok: false, reason: 'denied', message: 'Connections to 10.0.0.5:5432 are not allowed: it is the server\'s own service',
    });
    for (const host of ['::ffff:10.0.0.5', '::ffff:a00:5', '64:ff9b::a00:5', '2002:a00:5::']) {
      expect(decideEgress(policy, { host, port: 5432 }, [host]), host).toMatchObject({ ok: false, reason: 'denied' });
    }
    expect(decideEgress(policy, { host: 'store.internal', port: 5432 }, ['10.1.1.1'])).toEqual({
      ok: false, reason: 'denied',
      message: 'Connections to store.internal:5432 are not allowed (store.internal resolves to 10.1.1.1): it is the server\'s own service',
    });
    expect(decideEgress(policy, { host: 'alias.example', port: 5432 }, ['10.9.9.8'])).toMatchObject({ ok: false, reason: 'denied' });
    expect(decideEgress(policy, { host: 'alias.example', port: 5432 }, ['10.9.9.9'])).toMatchObject({ ok: false, reason: 'denied' });
    // One denied address among allowed ones refuses the whole request.
    expect(decideEgress(policy, { host: 'api.example.com', port: 5432 }, ['8.8.8.8', '10.0.0.5'])).toMatchObject({ ok: false, reason: 'denied' });
    // The deny rules hold for their port only.
    expect(decideEgress(policy, { host: '10.0.0.5', port: 5433 }, ['10.0.0.5'])).toEqual({ ok: true, addresses: ['10.0.0.5'] });
    expect(decideEgress(policy, { host: 'store.internal', port: 6543 }, ['10.9.9.9'])).toEqual({ ok: true, addresses: ['10.9.9.9'] });
    expect(decideEgress(policy, { host: 'alias.example', port: 5433 }, ['10.9.9.9'])).toEqual({ ok: true, addresses: ['10.9.9.9'] });
  });

  test('allowed by name: exactly that name (any case, trailing dot) on the rule\'s port, never its addresses under another name', async () => {
    const policy = await compile(
      { allow: [{ host: 'db.internal', port: 5432 }, { host: 'any-port.internal' }] },
      table({ 'db.internal': ['10.0.0.5'] }),
    );
    expect(decideEgress(policy, { host: 'DB.Internal.', port: 5432 }, ['10.0.0.5', '10.0.0.6'])).toEqual({ ok: true, addresses: ['10.0.0.5', '10.0.0.6'] });
    expect(decideEgress(policy, { host: 'db.internal', port: 5433 }, ['10.0.0.5'])).toEqual({
      ok: false, reason: 'not-allowed',
      message: 'Connections to db.internal:5433 are not allowed (db.internal resolves to 10.0.0.5): loopback, private and this machine\'s addresses are reachable only when listed in the connection\'s allowed hosts',
    });
    expect(decideEgress(policy, { host: 'any-port.internal', port: 1 }, ['192.168.0.1']).ok).toBe(true);
    expect(decideEgress(policy, { host: 'any-port.internal', port: 65535 }, ['8.8.8.8']).ok).toBe(true);
    expect(decideEgress(policy, { host: 'other.internal', port: 5432 }, ['10.0.0.5'])).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(decideEgress(policy, { host: '10.0.0.5', port: 5432 }, ['10.0.0.5'])).toEqual({
      ok: false, reason: 'not-allowed',
      message: 'Connections to 10.0.0.5:5432 are not allowed: loopback, private and this machine\'s addresses are reachable only when listed in the connection\'s allowed hosts',
    });
  });

  test('allowed by address or block: only the matching addresses, in the resolver\'s order, on the rule\'s port', async () => {
    const policy = await compile({ allow: [{ host: '10.0.0.0/8', port: 22 }, { host: '2001:db8::1' }, { host: '198.51.100.0/24' }] });
    expect(decideEgress(policy, { host: 'jump.example', port: 22 }, ['192.168.1.1', '10.2.3.4', '2001:db8::1', '10.0.0.9'])).toEqual({
      ok: true, addresses: ['10.2.3.4', '2001:db8::1', '10.0.0.9'],
    });
    expect(decideEgress(policy, { host: 'jump.example', port: 23 }, ['10.2.3.4'])).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(decideEgress(policy, { host: '::ffff:10.2.3.4', port: 22 }, ['::ffff:10.2.3.4']).ok).toBe(true);
    expect(decideEgress(policy, { host: '198.51.100.9', port: 9 }, ['198.51.100.9']).ok).toBe(true);
    expect(decideEgress(policy, { host: '198.51.101.9', port: 9 }, ['198.51.101.9'])).toEqual({
      ok: false, reason: 'not-allowed', message: 'Connections to 198.51.101.9:9 are not allowed: it is not in the connection\'s allowed hosts',
    });
  });

  test('public addresses: all of them without an allowlist, never an internal one; the first refused is named', async () => {
    const open = await compileEgressPolicy({ allow: [], anyPublicAddress: true, deny: [] }, { thisMachine: [parseCidr('203.0.113.7') as Cidr] });
    expect(decideEgress(open, { host: 'api.example.com', port: 443 }, ['93.184.216.34', '2606:4700::1111'])).toEqual({
      ok: true, addresses: ['93.184.216.34', '2606:4700::1111'],
    });
    expect(decideEgress(open, { host: 'mixed.example', port: 443 }, ['10.0.0.1', '93.184.216.34'])).toEqual({ ok: true, addresses: ['93.184.216.34'] });
    const internal = 'loopback, private and this machine\'s addresses are reachable only when listed in the connection\'s allowed hosts';
    expect(decideEgress(open, { host: 'intranet.example', port: 443 }, ['10.0.0.1', '10.0.0.2'])).toEqual({
      ok: false, reason: 'not-allowed', message: `Connections to intranet.example:443 are not allowed (intranet.example resolves to 10.0.0.1): ${internal}`,
    });
    expect(decideEgress(open, { host: '203.0.113.7', port: 80 }, ['203.0.113.7'])).toEqual({
      ok: false, reason: 'not-allowed', message: `Connections to 203.0.113.7:80 are not allowed: ${internal}`,
    });

    const closed = await compile({ allow: [{ host: 'api.example.com' }] });
    expect(decideEgress(closed, { host: 'other.example', port: 443 }, ['93.184.216.34', '10.0.0.1'])).toEqual({
      ok: false, reason: 'not-allowed',
      message: 'Connections to other.example:443 are not allowed (other.example resolves to 93.184.216.34): it is not in the connection\'s allowed hosts',
    });
    expect(decideEgress(closed, { host: 'other.example', port: 443 }, ['10.0.0.1', '93.184.216.34'])).toMatchObject({
      message: `Connections to other.example:443 are not allowed (other.example resolves to 10.0.0.1): ${internal}`,
    });
  });
});

describe('decideBeforeLookup', () => {
  test('with an allowlist, a name outside it is refused before any lookup', async () => {
    const log: string[] = [];
    const policy = await compile({ allow: [{ host: 'api.example.com', port: 443 }] }, table({}, log));
    expect(decideBeforeLookup(policy, { host: 'Secret.Attacker.Example.', port: 443 })).toEqual({
      ok: false, reason: 'not-allowed', message: 'Connections to secret.attacker.example:443 are not allowed: it is not in the connection\'s allowed hosts',
    });
    expect(decideBeforeLookup(policy, { host: 'API.example.com.', port: 443 })).toBeNull();
    expect(decideBeforeLookup(policy, { host: 'api.example.com', port: 80 })).toMatchObject({ ok: false, reason: 'not-allowed' });
    expect(log).toEqual([]);
  });

  test('IP literals, an open policy and an address or block rule on the port leave it to the lookup', async () => {
    const listed = await compile({ allow: [{ host: 'api.example.com' }] });
    expect(decideBeforeLookup(listed, { host: '93.184.216.34', port: 443 })).toBeNull();
    expect(decideBeforeLookup(listed, { host: '[2606:4700::1111]', port: 443 })).toBeNull();
    expect(decideBeforeLookup(listed, { host: 'api.example.com', port: 1 })).toBeNull();
    const open = await compile({ anyPublicAddress: true });
    expect(decideBeforeLookup(open, { host: 'anything.example', port: 443 })).toBeNull();
    const blocks = await compile({ allow: [{ host: '10.0.0.0/8', port: 5432 }] });
    expect(decideBeforeLookup(blocks, { host: 'anything.example', port: 5432 })).toBeNull();
    expect(decideBeforeLookup(blocks, { host: 'anything.example', port: 5433 })).toMatchObject({ ok: false, reason: 'not-allowed' });
  });
});

// =========================================================================================

describe('egressPolicyFor', () => {
  const server = { host: '127.0.0.1', port: 3000 };

  test('allowed hosts, then the database hosts; public addresses only without allowed hosts', () => {
    const policy = egressPolicyFor({
      databaseHosts: [{ host: 'legacy.db', port: 3306 }, { host: '10.0.0.9', port: 27017 }],
      allowedHosts: ['api.example.com', '[::1]:8080', 'svc:9000', '10.1.0.0/16', 'not a host'],
      server,
    });
    expect(policy).toEqual({
      allow: [
        { host: 'api.example.com' }, { host: '::1', port: 8080 }, { host: 'svc', port: 9000 }, { host: '10.1.0.0/16' },
        { host: 'legacy.db', port: 3306 }, { host: '10.0.0.9', port: 27017 },
      ],
      anyPublicAddress: false,
      deny: [{ host: '127.0.0.1', port: 3000 }],
    });
    // Only entries that are not hosts: still an allowlist, one that allows nothing but the database.
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: ['*.example.com'], server })).toEqual({ allow: [], anyPublicAddress: false, deny: [{ host: '127.0.0.1', port: 3000 }] });
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server }).anyPublicAddress).toBe(true);
  });

  test('a server listening everywhere is denied on loopback and every interface address', () => {
    const everywhere = [
      { host: '127.0.0.0/8', port: 3000 }, { host: '::1', port: 3000 },
      { host: '127.0.0.1', port: 3000 }, { host: '192.0.2.10', port: 3000 }, { host: '2001:db8:a:b:0:0:0:c1', port: 3000 },
    ];
    for (const host of ['0.0.0.0', '::', '[::]', '', ' 0.0.0.0 ']) {
      expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server: { host, port: 3000 } }).deny, JSON.stringify(host)).toEqual(everywhere);
    }
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server: { host: 'GATEHOUSE.Example.', port: 443 } }).deny).toEqual([
      { host: 'gatehouse.example', port: 443 },
    ]);
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server: { host: '0.0.0.1', port: 443 } }).deny).toEqual([{ host: '0.0.0.1', port: 443 }]);
  });

  test('the store is denied unless it is one of the database servers (same host and port)', () => {
    const store = { host: 'pg.internal', port: 5432 };
    const deny = (databaseHosts: { host: string; port: number }[]): unknown =>
      egressPolicyFor({ databaseHosts, allowedHosts: [], server, store }).deny;
    expect(deny([])).toEqual([server, store]);
    expect(deny([{ host: 'PG.Internal.', port: 5432 }])).toEqual([server]);
    expect(deny([{ host: 'replica', port: 5432 }, { host: 'pg.internal', port: 5432 }])).toEqual([server]);
    expect(deny([{ host: 'pg.internal', port: 5433 }])).toEqual([server, store]);
    expect(deny([{ host: 'pg2.internal', port: 5432 }])).toEqual([server, store]);
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server, store: undefined }).deny).toEqual([server]);
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server, store: { host: 'DB.Example.', port: 5432 } }).deny).toEqual([
      server, { host: 'db.example', port: 5432 },
    ]);
    expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server, store: { host: '10.0.0.5', port: 5432 } }).deny).toEqual([
      server, { host: '10.0.0.5', port: 5432 },
    ]);
  });

  test('a store on this machine is denied on its port at every loopback and interface address', () => {
    const onThisMachine = [
      server,
      { host: '127.0.0.0/8', port: 5432 }, { host: '::1', port: 5432 },
      { host: '127.0.0.1', port: 5432 }, { host: '192.0.2.10', port: 5432 }, { host: '2001:db8:a:b:0:0:0:c1', port: 5432 },
    ];
    for (const host of ['localhost', 'LOCALHOST.', 'pg.localhost', '127.0.0.1', '127.1.2.3', '::1', '[::1]', '::ffff:127.0.0.1', '192.0.2.10',
      '2001:db8:a:b::c1', '0.0.0.0', '::']) {
      expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server, store: { host, port: 5432 } }).deny, host).toEqual(onThisMachine);
    }
    for (const host of ['notlocalhost', 'localhost.example', '192.0.2.11', '10.0.0.1']) {
      expect(egressPolicyFor({ databaseHosts: [], allowedHosts: [], server, store: { host, port: 5432 } }).deny, host).toEqual([
        server, { host: normaliseHost(host), port: 5432 },
      ]);
    }
  });

  test('compiled, the policy lets the database through and refuses the server and the store', async () => {
    const policy = egressPolicyFor({
      databaseHosts: [{ host: 'db.internal', port: 5432 }],
      allowedHosts: [],
      server: { host: '0.0.0.0', port: 3000 },
      store: { host: 'localhost', port: 5433 },
    });
    expect(checkEgressPolicy(policy)).toEqual({ ok: true });
    const compiled = await compileEgressPolicy(policy, { lookup: table({}) });
    expect(decideEgress(compiled, { host: 'db.internal', port: 5432 }, ['10.0.0.5']).ok).toBe(true);
    for (const [host, port] of [['127.0.0.1', 3000], ['127.9.9.9', 3000], ['192.0.2.10', 3000], ['::1', 5433], ['2001:db8:a:b::c1', 5433]] as const) {
      expect(decideEgress(compiled, { host, port }, [host]), `${host}:${port}`).toMatchObject({ ok: false, reason: 'denied' });
    }
    expect(decideEgress(compiled, { host: '192.0.2.10', port: 80 }, ['192.0.2.10'])).toMatchObject({ ok: false, reason: 'not-allowed' });
  });
});

// =========================================================================================

describe('parseEgressHeader', () => {
  const parse = (text: string): ReturnType<typeof parseEgressHeader> => parseEgressHeader(Buffer.from(text));
  const header = (fields: Record<string, unknown>): ReturnType<typeof parseEgressHeader> =>
    parse(JSON.stringify({ v: EGRESS_HEADER_VERSION, host: 'db.example.com', port: 5432, ...fields }));

  test('every known field, with tls and callId optional', () => {
    expect(EGRESS_HEADER_VERSION).toBe(1);
    expect(parse('{"v":1,"host":"db.example.com","port":5432,"tls":true,"callId":"17"}')).toEqual({
      ok: true, request: { host: 'db.example.com', port: 5432, tls: true, callId: '17' },
    });
    expect(parse('{"callId":"x","tls":false,"port":1,"host":"[::1]","v":1}')).toEqual({
      ok: true, request: { host: '[::1]', port: 1, tls: false, callId: 'x' },
    });
    expect(header({ host: '10.0.0.1', port: 65535 })).toEqual({ ok: true, request: { host: '10.0.0.1', port: 65535, tls: false, callId: undefined } });
    expect(header({ host: 'DB.Example.COM.' })).toMatchObject({ ok: true, request: { host: 'DB.Example.COM.' } });
  });

  test('callId: 1 to 64 printable ASCII characters', () => {
    const printable = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    for (const callId of ['!', '~', 'a', 'c'.repeat(64), printable.slice(0, 64), printable.slice(30), '"\\']) {
      expect(header({ callId }), callId).toMatchObject({ ok: true, request: { callId } });
    }
    for (const callId of ['', 'c'.repeat(65), 'a b', ' a', 'a ', '\u007f', 'a\u007f', '\u0001a', 'é', 'a\nb', 17, null, true]) {
      expect(header({ callId }), JSON.stringify(callId)).toEqual({ ok: false, message: 'callId must be 1 to 64 printable ASCII characters' });
    }
  });

  test('each kind of bad header has its message', () => {
    expect(parseEgressHeader(Buffer.from('{"v":1,"host":"a","port":1}\u0000'))).toEqual({ ok: false, message: 'the header contains a NUL byte' });
    for (const text of ['', 'hello', '{"v":1', '{v:1}']) expect(parse(text), text).toEqual({ ok: false, message: 'the header is not JSON' });
    for (const text of ['[]', '[1]', 'null', '1', '"text"', 'true']) expect(parse(text), text).toEqual({ ok: false, message: 'the header is not an object' });
    for (const key of ['extra', '__proto__', 'V', 'hosts', 'constructor']) {
      expect(parse(`{"v":1,"host":"a","port":1,"${key}":1}`), key).toEqual({ ok: false, message: 'the header has an unknown field' });
    }
    for (const v of [2, 0, '1', 1.5, null, undefined]) {
      expect(header({ v }), String(v)).toEqual({ ok: false, message: 'the header version is not 1' });
    }
    for (const host of [undefined, 5, ['a'], '', 'a b', '127.1', '2130706433', 'fe80::1%eth0', 'a'.repeat(256), `${'a.'.repeat(127)}a`, '[::1', 'a\u0000b']) {
      expect(header({ host }), JSON.stringify(host)).toEqual({ ok: false, message: 'host must be a host name or an IP address' });
    }
    for (const port of [undefined, 0, -1, 65536, 1.5, '80', null, 1e100]) {
      expect(header({ port }), String(port)).toEqual({ ok: false, message: 'port must be an integer from 1 to 65535' });
    }
    for (const tls of ['yes', 1, 0, null, 'true']) {
      expect(header({ tls }), String(tls)).toEqual({ ok: false, message: 'tls must be a boolean' });
    }
  });

  test('the longest host name fits; the checks run in the order of the fields', () => {
    const label63 = `a${'b'.repeat(61)}c`;
    const name253 = [label63, label63, label63, 'd'.repeat(61)].join('.');
    expect(header({ host: `${name253}.` })).toMatchObject({ ok: true, request: { host: `${name253}.` } });
    expect(parse('{"v":2,"extra":1}')).toEqual({ ok: false, message: 'the header has an unknown field' });
    expect(parse('{"v":2,"host":"a b"}')).toEqual({ ok: false, message: 'the header version is not 1' });
    expect(parse('{"v":1,"host":"a b","port":0}')).toEqual({ ok: false, message: 'host must be a host name or an IP address' });
    expect(parse('{"v":1,"host":"a","port":0,"tls":"x"}')).toEqual({ ok: false, message: 'port must be an integer from 1 to 65535' });
    expect(parse('{"v":1,"host":"a","port":1,"tls":"x","callId":""}')).toEqual({ ok: false, message: 'tls must be a boolean' });
  });
});
