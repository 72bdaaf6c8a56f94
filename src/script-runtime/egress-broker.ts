/**
 * Brokered egress: the server side of a runtime's only way out of its sandbox.
 *
 * A sandboxed runtime has no network interfaces. Its sockets connect to a unix socket in a
 * private folder bind-mounted into the sandbox (see child/egress-client.mjs), write one
 * header line naming the destination, and from then on carry the driver's bytes. Here, in
 * the server process, the header is read under strict limits, the name is resolved by the
 * server itself, every address it resolves to is checked against the connection's policy,
 * and the upstream connection goes to an address that was checked (never re-resolved), then
 * bytes are piped both ways. Nothing the child sends is trusted beyond being a request: it
 * may be any program, not our client.
 *
 * Header (one line of UTF-8 JSON, at most HEADER_MAX_BYTES including the `\n`):
 *   {"v":1,"host":"db.example.com","port":5432,"tls":false,"callId":"17"}\n
 * `host` is a DNS name or an IP literal (IPv6 optionally in brackets), `port` 1–65535,
 * `tls` (optional) says whether the client runs TLS on top (for the record only), `callId`
 * (optional) names the runtime's call that opened the socket, so a refusal can fail that
 * call. There is no answer line: a refused or failed connection is simply closed.
 *
 * Wiring, per runtime process: start a broker (policy REFUSE_ALL for a warm spare) on a
 * socket in a folder of its own whose parents the runtime's uid can traverse (0711, not
 * mkdtemp's 0700: bwrap looks the bind source up as that uid); bind that folder into the
 * sandbox; give the child the socket path at spawn (it installs the client before any
 * script runs); `setPolicy(egressPolicyFor(…))` when the runtime is bound to a connection;
 * `onRefused` fails the call with that id with kind `denied`; `close()` when it exits.
 */
import dns from 'node:dns';
import { mkdirSync, chmodSync, lstatSync, rmdirSync, unlinkSync } from 'node:fs';
import { rmdir, unlink } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const EGRESS_HEADER_VERSION = 1;
/** The header line, `\n` included. A name is at most 253 characters; this leaves room for the rest. */
export const HEADER_MAX_BYTES = 1024;
/** Linux `sockaddr_un.sun_path` holds 108 bytes, the terminating NUL included. */
const UNIX_PATH_MAX_BYTES = 107;
const CALL_ID_PATTERN = /^[\x21-\x7e]{1,64}$/;
const HEADER_KEYS = new Set(['v', 'host', 'port', 'tls', 'callId']);

// ---------------------------------------------------------------------------------------
// Policy
// ---------------------------------------------------------------------------------------

/** A destination: a DNS name, an IP literal or a CIDR block, and optionally one port. */
export interface EgressRule {
  host: string;
  port?: number;
}

export interface EgressPolicy {
  /**
   * Destinations reachable even when they are loopback, private or this machine's own
   * addresses: the connection's database host and its `allowedHosts`. A rule by name
   * allows what that name resolves to (still never link-local or metadata addresses).
   */
  allow: readonly EgressRule[];
  /**
   * When true, any public address is reachable besides `allow` (a connection without
   * `allowedHosts`); when false, only `allow` is.
   */
  anyPublicAddress: boolean;
  /** Refused even when allowed: the server's own HTTP port, its store's host and port. */
  deny: readonly EgressRule[];
}

/** Refuses everything; the policy of a broker whose runtime is not bound to a connection yet. */
export const REFUSE_ALL: EgressPolicy = Object.freeze({ allow: [], anyPublicAddress: false, deny: [] });

/** Names of cloud metadata services, refused whatever the policy says. */
const METADATA_HOST_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

export interface Cidr {
  family: 4 | 6;
  bytes: Uint8Array;
  bits: number;
}

/** What an address is, before any policy: refused always, refused unless allowed, or public. */
export type AddressClass = 'blocked' | 'internal' | 'public';

function cidr(text: string): Cidr {
  const parsed = parseCidr(text);
  // Stryker disable next-line StringLiteral: every built-in range parses (a test loads the module), so the message is never seen; it guards edits to the lists
  if (parsed === null) throw new Error(`Bad built-in CIDR ${text}`);
  return parsed;
}

/** Never reachable: link-local, cloud metadata, "this network", unspecified, multicast, reserved. */
const BLOCKED_RANGES: readonly Cidr[] = [
  '0.0.0.0/8', // "this network"; 0.0.0.0 reaches localhost on Linux
  '169.254.0.0/16', // IPv4 link-local, AWS/GCP/Azure/DigitalOcean metadata
  '100.100.100.200/32', // Alibaba Cloud metadata
  '192.0.0.192/32', // Oracle Cloud metadata
  '224.0.0.0/4', // multicast
  '240.0.0.0/4', // reserved, and 255.255.255.255 broadcast
  '::/128', // unspecified
  'fe80::/10', // IPv6 link-local
  'fd00:ec2::254/128', // AWS metadata over IPv6
  'ff00::/8', // IPv6 multicast
].map(cidr);

/** Reachable only when a rule allows them: loopback, private networks, carrier-grade NAT. */
const INTERNAL_RANGES: readonly Cidr[] = [
  '127.0.0.0/8',
  '10.0.0.0/8',
  '172.16.0.0/12',
  '192.168.0.0/16',
  '100.64.0.0/10', // carrier-grade NAT, also Tailscale and some clouds' internal networks
  '192.0.0.0/24', // IETF protocol assignments
  '198.18.0.0/15', // benchmarking, used internally by some networks
  '::1/128',
  'fc00::/7', // unique local
  'fec0::/10', // deprecated site-local
  '64:ff9b:1::/48', // local-use NAT64: the IPv4 address is not at a fixed place
  '2001::/32', // Teredo: the IPv4 address is obfuscated
].map(cidr);

/**
 * Parses an IP literal (IPv6 optionally in brackets; zone ids refused) into its bytes.
 * Only canonical forms Node itself accepts (`net.isIP`): no `127.1`, no `0x7f000001`.
 */
export function parseIp(text: string): { family: 4 | 6; bytes: Uint8Array } | null {
  let ip = text;
  if (ip.startsWith('[') && ip.endsWith(']')) ip = ip.slice(1, -1);
  const family = net.isIP(ip);
  if (family === 4) return { family: 4, bytes: Uint8Array.from(ip.split('.').map(Number)) };
  if (family !== 6 || ip.includes('%')) return null;
  // An IPv6 literal may end with a dotted quad (`::ffff:1.2.3.4`): turn it into two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(ip);
  if (quad !== null) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    ip = `${ip.slice(0, quad.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const halves = ip.split('::');
  // Stryker disable next-line ArrayDeclaration: a group of other text parses as NaN, which the byte arithmetic below turns into 0, and stands in for one of the zeros `::` adds
  const head = halves[0] === '' ? [] : (halves[0] ?? '').split(':');
  // Stryker disable next-line ArrayDeclaration: a group of other text parses as NaN, which the byte arithmetic below turns into 0, and stands in for one of the zeros `::` adds
  const tail = halves.length === 2 ? (halves[1] === '' ? [] : (halves[1] ?? '').split(':')) : [];
  // Stryker disable next-line StringLiteral: an empty group parses as 0 too
  const groups = halves.length === 2 ? [...head, ...Array<string>(8 - head.length - tail.length).fill('0'), ...tail] : head;
  if (groups.length !== 8) return null;
  const bytes = new Uint8Array(16);
  groups.forEach((group, i) => {
    const value = parseInt(group, 16);
    bytes[i * 2] = value >> 8;
    bytes[i * 2 + 1] = value & 255;
  });
  return { family: 6, bytes };
}

export function parseCidr(text: string): Cidr | null {
  const slash = text.lastIndexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (ip === null) return null;
  const max = ip.family === 4 ? 32 : 128;
  if (slash === -1) return { ...ip, bits: max };
  const bitsText = text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(bitsText)) return null;
  const bits = Number(bitsText);
  return bits <= max ? { ...ip, bits } : null;
}

function inCidr(family: 4 | 6, bytes: Uint8Array, range: Cidr): boolean {
  if (family !== range.family) return false;
  const whole = range.bits >> 3;
  for (let i = 0; i < whole; i++) if (bytes[i] !== range.bytes[i]) return false;
  const rest = range.bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return ((bytes[whole] ?? 0) & mask) === ((range.bytes[whole] ?? 0) & mask);
}

/**
 * The IPv4 address an IPv6 address carries, if it is one of the forms that reach that IPv4
 * host: mapped `::ffff:a.b.c.d`, translated `::ffff:0:a.b.c.d`, compatible `::a.b.c.d`,
 * NAT64 `64:ff9b::a.b.c.d` and 6to4 `2002:aabb:ccdd::`.
 */
function embeddedIPv4(bytes: Uint8Array): Uint8Array | null {
  const zeros = (from: number, to: number): boolean => bytes.subarray(from, to).every((b) => b === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return bytes.slice(12);
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(10, 12)) return bytes.slice(12);
  // Compatible form, except `::1`: that is loopback itself (`::` is blocked either way, and
  // `::2`…`::ff` are 0.0.0.2…0.0.0.255, "this network", as their neighbour `::100` is).
  if (zeros(0, 12) && !(zeros(12, 15) && bytes[15] === 1)) return bytes.slice(12);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return bytes.slice(12);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return bytes.slice(2, 6);
  return null;
}

/** The forms an address is checked as: itself and, for IPv6 carrying an IPv4 address, that address too. */
function addressForms(address: string): { family: 4 | 6; bytes: Uint8Array }[] {
  const ip = parseIp(address);
  if (ip === null) return [];
  const forms = [ip];
  if (ip.family === 6) {
    const v4 = embeddedIPv4(ip.bytes);
    if (v4 !== null) forms.push({ family: 4, bytes: v4 });
  }
  return forms;
}

/**
 * Classifies an IP literal with no policy applied. `thisMachine` (the host's own interface
 * addresses) count as internal: a service listening on 0.0.0.0 is reachable through them.
 * Anything that is not an IP literal is `blocked`.
 */
// Stryker disable next-line ArrayDeclaration: a default list holding anything but ranges matches no address, as the empty one
export function classifyAddress(address: string, thisMachine: readonly Cidr[] = []): AddressClass {
  const forms = addressForms(address);
  if (forms.length === 0) return 'blocked';
  let result: AddressClass = 'public';
  for (const { family, bytes } of forms) {
    if (BLOCKED_RANGES.some((r) => inCidr(family, bytes, r))) return 'blocked';
    if (INTERNAL_RANGES.some((r) => inCidr(family, bytes, r)) || thisMachine.some((r) => inCidr(family, bytes, r))) {
      result = 'internal';
    }
  }
  return result;
}

/** Lower case, no brackets, no trailing dot: how names and literals are compared. */
export function normaliseHost(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  return h;
}

const LABEL = '[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?';
const HOST_NAME_PATTERN = new RegExp(`^${LABEL}(?:\\.${LABEL})*\\.?$`, 'i');

/**
 * A DNS name a runtime may ask for: RFC 1123 labels (underscores tolerated, as resolvers
 * do), at most 253 characters, and a last label that is not a number, so that the forms
 * `getaddrinfo` reads as addresses (`127.1`, `2130706433`, `0x7f.1`) are not names.
 */
export function isHostName(host: string): boolean {
  if (host.length === 0 || host.length > 254 || !HOST_NAME_PATTERN.test(host)) return false;
  const labels = host.replace(/\.$/, '').split('.');
  if (labels.join('.').length > 253) return false;
  // Stryker disable next-line StringLiteral: split always returns at least one label; the fallback only satisfies the type
  const last = labels.at(-1) ?? '';
  return !/^(?:\d+|0x[0-9a-f]*)$/i.test(last);
}

interface CompiledRule {
  /** Set for a rule by name (normalised). */
  name: string | null;
  /** Set for a rule by address or CIDR, and for what a deny rule's name resolved to. */
  ranges: Cidr[];
  port: number | undefined;
}

export interface CompiledEgressPolicy {
  allow: CompiledRule[];
  deny: CompiledRule[];
  anyPublicAddress: boolean;
  thisMachine: Cidr[];
}

function portMatches(rule: CompiledRule, port: number): boolean {
  return rule.port === undefined || rule.port === port;
}

function ruleMatchesAddress(rule: CompiledRule, address: string, port: number): boolean {
  if (!portMatches(rule, port)) return false;
  return addressForms(address).some(({ family, bytes }) => rule.ranges.some((r) => inCidr(family, bytes, r)));
}

/** The addresses of this machine's interfaces (loopback among them: internal anyway). */
export function thisMachineAddresses(): Cidr[] {
  const ranges: Cidr[] = [];
  for (const list of Object.values(os.networkInterfaces())) {
    for (const entry of list ?? []) {
      const parsed = parseCidr(entry.address);
      if (parsed !== null) ranges.push(parsed);
    }
  }
  return ranges;
}

export type Lookup = (hostname: string) => Promise<string[]>;

/** `dns.lookup` with every address, in the resolver's order. */
export const systemLookup: Lookup = async (hostname) => {
  const answers = await dns.promises.lookup(hostname, { all: true, verbatim: true });
  return answers.map((a) => a.address);
};

export type PolicyCheck = { ok: true } | { ok: false; message: string };

/** Rejects rules that could never match, so a typo does not silently allow or deny nothing. */
export function checkEgressPolicy(policy: EgressPolicy): PolicyCheck {
  for (const [field, rules] of [['allow', policy.allow], ['deny', policy.deny]] as const) {
    for (const [i, rule] of rules.entries()) {
      const host = normaliseHost(rule.host);
      if (parseCidr(host) === null && !isHostName(host)) {
        return { ok: false, message: `${field}[${i}].host must be a host name, an IP address or a CIDR block` };
      }
      if (rule.port !== undefined && !(Number.isInteger(rule.port) && rule.port >= 1 && rule.port <= 65535)) {
        return { ok: false, message: `${field}[${i}].port must be an integer from 1 to 65535` };
      }
    }
  }
  return { ok: true };
}

/**
 * Prepares a policy for checks. Deny rules by name are resolved here too, so that asking
 * for the store's address instead of its name is refused as well (addresses as of now: a
 * later DNS change is seen when the policy is compiled again).
 */
export async function compileEgressPolicy(
  policy: EgressPolicy,
  options: { lookup?: Lookup; thisMachine?: Cidr[] } = {},
): Promise<CompiledEgressPolicy> {
  const lookup = options.lookup ?? systemLookup;
  const compile = async (rule: EgressRule, resolveNames: boolean): Promise<CompiledRule> => {
    const host = normaliseHost(rule.host);
    const range = parseCidr(host);
    if (range !== null) return { name: null, ranges: [range], port: rule.port };
    let ranges: Cidr[] = [];
    if (resolveNames) {
      // Stryker disable next-line ArrayDeclaration: any entry here would be a non-address that the filter below drops
      const addresses = await lookup(host).catch(() => []);
      ranges = addresses.map(parseCidr).filter((r): r is Cidr => r !== null);
    }
    return { name: host, ranges, port: rule.port };
  };
  return {
    allow: await Promise.all(policy.allow.map((rule) => compile(rule, false))),
    deny: await Promise.all(policy.deny.map((rule) => compile(rule, true))),
    anyPublicAddress: policy.anyPublicAddress,
    thisMachine: options.thisMachine ?? thisMachineAddresses(),
  };
}

export type EgressRefusalReason = 'blocked' | 'denied' | 'not-allowed';

export type EgressDecision =
  | { ok: true; addresses: string[] }
  | { ok: false; reason: EgressRefusalReason; message: string };

/**
 * The decision for a request to `host`:`port` whose name resolved to `addresses` (for an
 * IP literal, itself). Pure, so every rule is testable without sending traffic anywhere.
 * Any blocked or denied address refuses the whole request (a name that also points at the
 * metadata service or the store is not one to trust); otherwise the allowed addresses are
 * answered in the resolver's order, and none allowed is a refusal.
 */
export function decideEgress(
  policy: CompiledEgressPolicy,
  request: { host: string; port: number },
  addresses: readonly string[],
): EgressDecision {
  const name = normaliseHost(request.host);
  const { port } = request;
  const target = `${name}:${port}`;
  if (METADATA_HOST_NAMES.has(name)) {
    return { ok: false, reason: 'blocked', message: `Connections to ${name} (cloud metadata) are not allowed` };
  }
  if (addresses.length === 0) return { ok: false, reason: 'not-allowed', message: `${name} did not resolve to any address` };
  const isName = parseIp(name) === null;
  const denyByName = isName && policy.deny.some((rule) => rule.name === name && portMatches(rule, port));
  const allowByName = isName && policy.allow.some((rule) => rule.name === name && portMatches(rule, port));
  const allowed: string[] = [];
  let firstRefused: { address: string; internal: boolean } | null = null;
  for (const address of addresses) {
    const kind = classifyAddress(address, policy.thisMachine);
    const via = isName ? ` (${name} resolves to ${address})` : '';
    if (kind === 'blocked') {
      return { ok: false, reason: 'blocked', message: `Connections to ${target} are not allowed${via}: link-local, metadata or reserved address` };
    }
    if (denyByName || policy.deny.some((rule) => ruleMatchesAddress(rule, address, port))) {
      return { ok: false, reason: 'denied', message: `Connections to ${target} are not allowed${via}: it is the server's own service` };
    }
    const byRule = allowByName || policy.allow.some((rule) => ruleMatchesAddress(rule, address, port));
    if (byRule || (kind === 'public' && policy.anyPublicAddress)) allowed.push(address);
    else firstRefused ??= { address, internal: kind === 'internal' };
  }
  if (allowed.length > 0) return { ok: true, addresses: allowed };
  // Stryker disable next-line ObjectLiteral,LogicalOperator,BooleanLiteral: unreachable: `addresses` is not empty and none was allowed, so one was refused
  const unreachable = { address: addresses[0] ?? name, internal: false };
  const refused = firstRefused ?? unreachable;
  const via = isName ? ` (${name} resolves to ${refused.address})` : '';
  const why = refused.internal
    ? 'loopback, private and this machine\'s addresses are reachable only when listed in the connection\'s allowed hosts'
    : 'it is not in the connection\'s allowed hosts';
  return { ok: false, reason: 'not-allowed', message: `Connections to ${target} are not allowed${via}: ${why}` };
}

/**
 * A refusal that needs no name resolution, or null when the name must be resolved first.
 * With an allowlist and no address or CIDR rule, a name outside it is refused before any
 * lookup, so a script cannot use the server's resolver to send data out in DNS queries.
 */
export function decideBeforeLookup(policy: CompiledEgressPolicy, request: { host: string; port: number }): EgressDecision | null {
  const name = normaliseHost(request.host);
  if (METADATA_HOST_NAMES.has(name)) {
    return { ok: false, reason: 'blocked', message: `Connections to ${name} (cloud metadata) are not allowed` };
  }
  if (parseIp(name) !== null || policy.anyPublicAddress) return null;
  const byName = policy.allow.some((rule) => rule.name === name && portMatches(rule, request.port));
  const byAddress = policy.allow.some((rule) => rule.name === null && portMatches(rule, request.port));
  if (byName || byAddress) return null;
  return {
    ok: false,
    reason: 'not-allowed',
    message: `Connections to ${name}:${request.port} are not allowed: it is not in the connection's allowed hosts`,
  };
}

/** Where a listening service is, as the server knows it (`host` may be `0.0.0.0` or `::`). */
export interface ServiceAddress {
  host: string;
  port: number;
}

/**
 * The policy of one connection, from what the server knows: its database hosts (reachable
 * even when internal; several for a replica-set URI), its `allowedHosts` (when given, the
 * only other destinations), the server's own HTTP listener and its store (always refused,
 * unless the store is also one of the connection's database servers: then the console
 * warns). `allowedHosts` entries are names, IP literals or CIDR blocks, optionally with
 * `:port`. Hosts are compared as written (after case and trailing dot): a store named
 * `localhost` and a database at `127.0.0.1` are not the same, and the deny wins.
 */
export function egressPolicyFor(input: {
  databaseHosts: readonly ServiceAddress[];
  allowedHosts: readonly string[];
  server: ServiceAddress;
  store?: ServiceAddress | undefined;
}): EgressPolicy {
  // An entry that is not a host never matches anything (fail closed); validate on save instead.
  const allow = input.allowedHosts.map(parseAllowedHost).filter((rule): rule is EgressRule => rule !== null);
  for (const db of input.databaseHosts) allow.push({ host: db.host, port: db.port });
  const deny: EgressRule[] = listenerRules(input.server);
  const { store } = input;
  const same = (a: ServiceAddress, b: ServiceAddress): boolean => normaliseHost(a.host) === normaliseHost(b.host) && a.port === b.port;
  // PostgreSQL answers on every address it listens on, not only the one the server uses
  // (stock `listen_addresses = 'localhost'` is 127.0.0.1 and ::1): a store on this machine
  // is refused on its port at every loopback and interface address.
  if (store !== undefined && !input.databaseHosts.some((db) => same(db, store))) {
    // Stryker disable next-line StringLiteral: an empty host means every interface too (see listenerRules)
    deny.push(...listenerRules(onThisMachine(store.host) ? { host: '0.0.0.0', port: store.port } : store));
  }
  return { allow, anyPublicAddress: input.allowedHosts.length === 0, deny };
}

const LOOPBACK_RANGES: readonly Cidr[] = ['127.0.0.0/8', '::1/128'].map(cidr);

/** A loopback name or address, or one of this machine's interface addresses. */
function onThisMachine(host: string): boolean {
  const name = normaliseHost(host);
  if (name === 'localhost' || name.endsWith('.localhost')) return true;
  const local = [...LOOPBACK_RANGES, ...thisMachineAddresses()];
  return addressForms(name).some(({ family, bytes }) => local.some((range) => inCidr(family, bytes, range)));
}

/** A listener on every interface is reachable on loopback and on each of this machine's addresses. */
function listenerRules(service: ServiceAddress): EgressRule[] {
  const host = normaliseHost(service.host);
  if (host !== '0.0.0.0' && host !== '::' && host !== '') return [{ host, port: service.port }];
  const rules: EgressRule[] = [{ host: '127.0.0.0/8', port: service.port }, { host: '::1', port: service.port }];
  for (const range of thisMachineAddresses()) {
    rules.push({ host: formatIp(range.family, range.bytes), port: service.port });
  }
  return rules;
}

function formatIp(family: 4 | 6, bytes: Uint8Array): string {
  if (family === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

/**
 * One `allowedHosts` entry as a rule: `host`, `host:port`, `[v6]:port`, `v6`, `a.b.c.d/n`;
 * null when it is none of these (for validation on save: a 400 naming the entry).
 */
export function parseAllowedHost(entry: string): EgressRule | null {
  const text = entry.trim();
  let rule: EgressRule = { host: text };
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  const withPort = /^([^:/[\]]+):(\d{1,5})$/.exec(text);
  if (bracketed !== null) {
    // Stryker disable next-line StringLiteral: the group always takes part in a match; the fallback only satisfies the type
    rule = { host: bracketed[1] ?? '', ...(bracketed[2] === undefined ? {} : { port: Number(bracketed[2]) }) };
  } else if (withPort !== null) {
    // Stryker disable next-line StringLiteral: the group always takes part in a match; the fallback only satisfies the type
    rule = { host: withPort[1] ?? '', port: Number(withPort[2]) };
  }
  // Stryker disable next-line BooleanLiteral: checkEgressPolicy checks the rules only, not anyPublicAddress
  return checkEgressPolicy({ allow: [rule], anyPublicAddress: false, deny: [] }).ok ? rule : null;
}

// ---------------------------------------------------------------------------------------
// Header
// ---------------------------------------------------------------------------------------

export interface EgressRequest {
  host: string;
  port: number;
  tls: boolean;
  callId: string | undefined;
}

export type HeaderParse = { ok: true; request: EgressRequest } | { ok: false; message: string };

/** Strict: exactly the known keys, of the right types and sizes. `line` excludes the `\n`. */
export function parseEgressHeader(line: Buffer): HeaderParse {
  if (line.includes(0)) return { ok: false, message: 'the header contains a NUL byte' };
  let value: unknown;
  try {
    value = JSON.parse(line.toString('utf8'));
  } catch {
    return { ok: false, message: 'the header is not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, message: 'the header is not an object' };
  const record = value as Record<string, unknown>;
  const unknownKey = Object.keys(record).find((k) => !HEADER_KEYS.has(k));
  if (unknownKey !== undefined) return { ok: false, message: 'the header has an unknown field' };
  if (record['v'] !== EGRESS_HEADER_VERSION) return { ok: false, message: 'the header version is not 1' };
  const { host, port, tls, callId } = record;
  if (typeof host !== 'string' || host.length > 255 || (parseIp(host) === null && !isHostName(host))) {
    return { ok: false, message: 'host must be a host name or an IP address' };
  }
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    return { ok: false, message: 'port must be an integer from 1 to 65535' };
  }
  if (tls !== undefined && typeof tls !== 'boolean') return { ok: false, message: 'tls must be a boolean' };
  if (callId !== undefined && (typeof callId !== 'string' || !CALL_ID_PATTERN.test(callId))) {
    return { ok: false, message: 'callId must be 1 to 64 printable ASCII characters' };
  }
  return { ok: true, request: { host, port, tls: tls === true, callId } };
}

/** Reads bytes up to the first `\n`; what follows it is put back for the upstream. */
function readHeaderLine(socket: net.Socket, timeoutMs: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (line: Buffer | null): void => {
      clearTimeout(timer);
      socket.off('data', onData);
      socket.off('end', onEnd);
      socket.off('close', onEnd);
      socket.pause();
      resolve(line);
    };
    const onData = (chunk: Buffer): void => {
      const newline = chunk.indexOf(0x0a);
      const headPart = newline === -1 ? chunk : chunk.subarray(0, newline);
      size += headPart.length + (newline === -1 ? 0 : 1);
      if (size > HEADER_MAX_BYTES) {
        finish(null);
        return;
      }
      chunks.push(headPart);
      if (newline === -1) return;
      const rest = chunk.subarray(newline + 1);
      finish(Buffer.concat(chunks));
      if (rest.length > 0) socket.unshift(rest);
    };
    const onEnd = (): void => finish(null);
    const timer = setTimeout(() => finish(null), timeoutMs);
    socket.on('data', onData);
    socket.once('end', onEnd);
    socket.once('close', onEnd);
  });
}

// ---------------------------------------------------------------------------------------
// Broker
// ---------------------------------------------------------------------------------------

export interface EgressRefusal {
  /** As the runtime said; only routes the failure to one of this runtime's own calls. */
  callId: string | undefined;
  host: string;
  port: number;
  reason: EgressRefusalReason | 'too-many-connections' | 'too-fast';
  /** For the failed call's error: names the destination, never carries secrets. */
  message: string;
}

export interface EgressConnected {
  callId: string | undefined;
  host: string;
  port: number;
  address: string;
  tls: boolean;
  /** Header received to upstream connected, resolution included. */
  connectMs: number;
}

export interface EgressFailure {
  callId: string | undefined;
  host: string;
  port: number;
  /** `resolve`: the name has no address (from the server); `connect`: no allowed address answered in time. */
  stage: 'resolve' | 'connect';
}

export interface EgressBrokerOptions {
  /** Where to listen. Its folder is created (mode 0711) when missing and removed on close if created. */
  socketPath: string;
  /** Until `setPolicy`, everything is refused (a warm spare is not bound to a connection yet). */
  policy?: EgressPolicy;
  /** A request the policy or a limit refused: fail that call with kind `denied`. */
  onRefused: (refusal: EgressRefusal) => void;
  onConnected?: (info: EgressConnected) => void;
  /** An allowed destination that could not be reached; the socket was closed. Not a refusal. */
  onFailed?: (failure: EgressFailure) => void;
  /** The runtime sent something that is not a valid request; the socket was closed. */
  onBadRequest?: (message: string) => void;
  /** Upstream connections open at once (piping or connecting); default 32. */
  maxConnections?: number;
  /**
   * New connections per second, on average over a burst of as many; default 50. Each one
   * costs the server a lookup and a connect, so a script connecting in a loop is refused
   * rather than felt by every other pool.
   */
  connectionsPerSecond?: number;
  /** From accept to the end of the header line; default 2000 ms. */
  headerTimeoutMs?: number;
  /** Name resolution plus TCP connect, all addresses tried; default 10 000 ms. */
  connectTimeoutMs?: number;
  /**
   * Name lookups of this broker (one runtime) in flight at once; default 1. `dns.lookup`
   * runs on libuv's small thread pool (4 threads unless UV_THREADPOOL_SIZE says otherwise),
   * which the server's argon2, file and crypto work shares: a lookup stuck on a slow resolver
   * keeps its thread even after the broker stopped waiting, so it keeps its slot here too.
   */
  maxLookups?: number;
  /**
   * The slots every broker of the process shares (default `SERVER_LOOKUP_SLOTS`, 2): however
   * many pools' scripts look up names that never answer, half of libuv's threads stay free
   * for the logins of every pool. Tests pass their own.
   */
  lookupSlots?: LookupSlots;
  /** Replaces `dns.lookup` (tests). */
  lookup?: Lookup;
}

/** A counting semaphore for name lookups; a waiter that gave up passes its turn on. */
export interface LookupSlots {
  /** Waits for a slot; answers false (holding none) when `abandoned()` is true by then. */
  acquire(abandoned: () => boolean): Promise<boolean>;
  release(): void;
}

export function lookupSlots(max: number): LookupSlots {
  let inUse = 0;
  const waiting: (() => void)[] = [];
  return {
    async acquire(abandoned) {
      while (inUse >= max) await new Promise<void>((resolve) => waiting.push(resolve));
      if (abandoned()) {
        waiting.shift()?.();
        return false;
      }
      inUse++;
      return true;
    },
    release() {
      inUse--;
      waiting.shift()?.();
    },
  };
}

/** Shared by every runtime's broker in this process: see `EgressBrokerOptions.lookupSlots`. */
export const SERVER_LOOKUP_SLOTS = lookupSlots(2);

export interface EgressBrokerStats {
  /** Sockets accepted and not closed yet, in any phase. */
  open: number;
  connected: number;
  refused: number;
  badRequests: number;
  failed: number;
}

export interface EgressBroker {
  readonly socketPath: string;
  /** The socket's folder: what the sandbox bind-mounts. */
  readonly folder: string;
  /**
   * Applies to connections whose header arrives from now on (open ones keep going); resolves
   * once deny names are resolved. An invalid policy changes nothing and answers why.
   */
  setPolicy(policy: EgressPolicy): Promise<PolicyCheck>;
  stats(): EgressBrokerStats;
  /** Stops listening, destroys every connection, removes the socket (and the folder if it made it). */
  close(): Promise<void>;
}

export type StartEgressBrokerResult = { ok: true; broker: EgressBroker } | { ok: false; message: string };

/** Makes the socket's folder, or checks that an existing one is a folder others cannot write to. */
function prepareFolder(folder: string): { ok: true; created: boolean } | { ok: false; message: string } {
  try {
    const stat = lstatSync(folder);
    if (!stat.isDirectory()) return { ok: false, message: `${folder} is not a folder` };
    if ((stat.mode & 0o022) !== 0) return { ok: false, message: `${folder} is writable by other users` };
    if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) {
      return { ok: false, message: `${folder} belongs to another user` };
    }
    return { ok: true, created: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return { ok: false, message: `Cannot use ${folder}: ${(error as Error).message}` };
  }
  try {
    mkdirSync(folder, { mode: 0o711 });
    // mkdir's mode is filtered by the umask; the runtime's uid must be able to traverse it.
    chmodSync(folder, 0o711);
    return { ok: true, created: true };
  } catch (error) {
    return { ok: false, message: `Cannot create ${folder}: ${(error as Error).message}` };
  }
}

/** A stale socket from a crashed server is removed; anything else at the path is left alone. */
function removeStaleSocket(socketPath: string): string | null {
  try {
    if (!lstatSync(socketPath).isSocket()) return `${socketPath} exists and is not a socket`;
    unlinkSync(socketPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') return `Cannot use ${socketPath}: ${(error as Error).message}`;
  }
  return null;
}

export async function startEgressBroker(options: EgressBrokerOptions): Promise<StartEgressBrokerResult> {
  const socketPath = path.resolve(options.socketPath);
  if (Buffer.byteLength(socketPath) > UNIX_PATH_MAX_BYTES) {
    return { ok: false, message: `socketPath is longer than ${UNIX_PATH_MAX_BYTES} bytes, the limit of a unix socket path` };
  }
  const initial = checkEgressPolicy(options.policy ?? REFUSE_ALL);
  if (!initial.ok) return { ok: false, message: `policy: ${initial.message}` };
  const folder = path.dirname(socketPath);
  const prepared = prepareFolder(folder);
  if (!prepared.ok) return prepared;
  const stale = removeStaleSocket(socketPath);
  if (stale !== null) return { ok: false, message: stale };

  const lookup = options.lookup ?? systemLookup;
  // A throwing callback must not leave a connection half set up or stop the broker.
  const notify = <T>(callback: ((value: T) => void) | undefined, value: T): void => safely(() => callback?.(value));
  const maxConnections = options.maxConnections ?? 32;
  const headerTimeoutMs = options.headerTimeoutMs ?? 2000;
  const connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
  let compiled: Promise<CompiledEgressPolicy> = compileEgressPolicy(options.policy ?? REFUSE_ALL, { lookup });
  const rate = options.connectionsPerSecond ?? 50;
  // A token bucket: `rate` tokens a second, at most `rate` saved up.
  let tokens = rate;
  let tokensAt = performance.now();
  const takeToken = (): boolean => {
    const now = performance.now();
    tokens = Math.min(rate, tokens + ((now - tokensAt) / 1000) * rate);
    tokensAt = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
  const maxLookups = options.maxLookups ?? 1;
  const ownSlots = lookupSlots(maxLookups);
  const sharedSlots = options.lookupSlots ?? SERVER_LOOKUP_SLOTS;
  /** `lookup` holding one of this broker's slots and one of the process's until the lookup itself ends. */
  const limitedLookup = (name: string, deadline: number): Promise<string[]> => {
    let abandoned = false;
    const isAbandoned = (): boolean => abandoned;
    const run = async (): Promise<string[]> => {
      // Own slot first, then the shared one: always in this order, so no two brokers wait on each other.
      if (!(await ownSlots.acquire(isAbandoned))) return [];
      if (!(await sharedSlots.acquire(isAbandoned))) {
        ownSlots.release();
        return [];
      }
      const release = (): void => {
        sharedSlots.release();
        ownSlots.release();
      };
      const pending = lookup(name);
      pending.then(release, release);
      return pending;
    };
    return withDeadline(run(), deadline).catch((error: unknown) => {
      abandoned = true;
      throw error;
    });
  };
  const sockets = new Set<net.Socket>();
  let upstreamCount = 0;
  const stats = { connected: 0, refused: 0, badRequests: 0, failed: 0 };
  let closed = false;
  /** The first close()'s work: a second close() waits for the same, socket and folder removed. */
  let closing: Promise<void> | null = null;

  const refuse = (client: net.Socket, request: EgressRequest, reason: EgressRefusal['reason'], message: string): void => {
    stats.refused++;
    client.destroy();
    notify(options.onRefused, { callId: request.callId, host: request.host, port: request.port, reason, message });
  };

  const handle = async (client: net.Socket): Promise<void> => {
    const line = await readHeaderLine(client, headerTimeoutMs);
    const parsed = line === null ? ({ ok: false, message: 'no complete header line in time or within the size limit' } as const) : parseEgressHeader(line);
    if (!parsed.ok) {
      stats.badRequests++;
      client.destroy();
      notify(options.onBadRequest, parsed.message);
      return;
    }
    const { request } = parsed;
    if (upstreamCount >= maxConnections) {
      refuse(client, request, 'too-many-connections', `The script runtime has ${maxConnections} connections open, the most it may`);
      return;
    }
    if (!takeToken()) {
      refuse(client, request, 'too-fast', `The script runtime opened more than ${rate} connections a second`);
      return;
    }
    upstreamCount++;
    const upstream = await connectUpstream(client, request);
    if (upstream === null) {
      upstreamCount--;
      return;
    }
    upstream.once('close', () => upstreamCount--);
    pipeBothWays(client, upstream);
  };

  /** Resolves, decides, connects to a checked address; null when refused or failed (client closed). */
  const connectUpstream = async (client: net.Socket, request: EgressRequest): Promise<net.Socket | null> => {
    const started = performance.now();
    const deadline = started + connectTimeoutMs;
    const policy = await compiled;
    const early = decideBeforeLookup(policy, request);
    if (early !== null && !early.ok) {
      refuse(client, request, early.reason, early.message);
      return null;
    }
    const literal = parseIp(request.host) !== null;
    let addresses: string[];
    try {
      addresses = literal ? [normaliseHost(request.host)] : await limitedLookup(normaliseHost(request.host), deadline);
    } catch {
      addresses = [];
    }
    if (client.destroyed || closed) return null;
    const decision = decideEgress(policy, request, addresses);
    if (!decision.ok) {
      if (addresses.length === 0) {
        // Not a refusal: the name does not resolve (from here). The driver sees a closed socket.
        fail(client, request, 'resolve');
        return null;
      }
      refuse(client, request, decision.reason, decision.message);
      return null;
    }
    for (const [i, address] of decision.addresses.entries()) {
      // A silent first address must leave time for the others.
      const left = decision.addresses.length - i;
      const attemptDeadline = Math.min(deadline, performance.now() + Math.max(1000, (deadline - performance.now()) / left));
      const upstream = await tryConnect(address, request.port, attemptDeadline);
      if (client.destroyed || closed) {
        upstream?.destroy();
        return null;
      }
      if (upstream !== null) {
        stats.connected++;
        notify(options.onConnected, {
          callId: request.callId,
          host: request.host,
          port: request.port,
          address,
          tls: request.tls,
          connectMs: performance.now() - started,
        });
        return upstream;
      }
    }
    fail(client, request, 'connect');
    return null;
  };

  const fail = (client: net.Socket, request: EgressRequest, stage: EgressFailure['stage']): void => {
    stats.failed++;
    client.destroy();
    notify(options.onFailed, { callId: request.callId, host: request.host, port: request.port, stage });
  };

  const server = net.createServer({ allowHalfOpen: true, pauseOnConnect: false }, (client) => {
    if (closed) {
      client.destroy();
      return;
    }
    sockets.add(client);
    client.once('close', () => sockets.delete(client));
    client.on('error', () => {
      // The runtime went away; 'close' follows and the upstream is destroyed with it.
    });
    handle(client).catch(() => client.destroy());
  });
  // A hard ceiling on sockets in any phase, headers included; the kernel drops the rest.
  server.maxConnections = maxConnections * 2 + 16;

  const listening = await new Promise<string | null>((resolve) => {
    server.once('error', (error) => resolve(`Cannot listen on ${socketPath}: ${error.message}`));
    server.listen(socketPath, () => resolve(null));
  });
  if (listening !== null) {
    if (prepared.created) safely(() => rmdirSync(folder));
    return { ok: false, message: listening };
  }
  try {
    // The runtime may run as another uid (65534); the folder's mode is what keeps others out.
    chmodSync(socketPath, 0o666);
  } catch (error) {
    server.close();
    return { ok: false, message: `Cannot set the mode of ${socketPath}: ${(error as Error).message}` };
  }

  const upstreams = new Set<net.Socket>();
  const tryConnect = (address: string, port: number, deadline: number): Promise<net.Socket | null> =>
    new Promise((resolve) => {
      const remaining = deadline - performance.now();
      if (remaining <= 0) {
        resolve(null);
        return;
      }
      const socket = net.connect({ host: connectableAddress(address), port, allowHalfOpen: true });
      upstreams.add(socket);
      const timer = setTimeout(() => {
        socket.destroy();
        resolve(null);
      }, remaining);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', onError);
        resolve(socket);
      });
      const onError = (): void => {
        clearTimeout(timer);
        socket.destroy();
        resolve(null);
      };
      socket.once('error', onError);
      // Destroyed by close() while connecting: neither 'connect' nor 'error' comes.
      socket.once('close', () => {
        upstreams.delete(socket);
        clearTimeout(timer);
        resolve(null);
      });
    });

  return {
    ok: true,
    broker: {
      socketPath,
      folder,
      async setPolicy(policy) {
        const check = checkEgressPolicy(policy);
        if (!check.ok) return { ok: false, message: `policy: ${check.message}` };
        const next = compileEgressPolicy(policy, { lookup });
        compiled = next;
        await next;
        return { ok: true };
      },
      stats: () => ({ open: sockets.size, ...stats }),
      close() {
        closing ??= (async () => {
          closed = true;
          const done = new Promise<void>((resolve) => server.close(() => resolve()));
          for (const socket of [...sockets, ...upstreams]) socket.destroy();
          await done;
          // Off the event loop (libuv's thread pool, shared with argon2): a server stopping
          // runtimes several times a second (traffic over more pools than the cap) spent ~3%
          // of its time in these two calls made synchronously.
          await unlink(socketPath).catch(ignoreGone);
          if (prepared.created) await rmdir(folder).catch(ignoreGone);
        })();
        return closing;
      },
    },
  };
}

/**
 * An IPv4-mapped address is connected to as IPv4: the same host, and it works where IPv6
 * is disabled. Other IPv6 forms go as they are (NAT64 and 6to4 need their gateways).
 */
export function connectableAddress(address: string): string {
  const ip = parseIp(address);
  if (ip === null || ip.family === 4) return address;
  const b = ip.bytes;
  const mapped = b.subarray(0, 10).every((x) => x === 0) && b[10] === 0xff && b[11] === 0xff;
  return mapped ? [...b.subarray(12)].join('.') : address;
}

/**
 * For removing the broker's own socket and folder as it closes: already gone, or a folder
 * someone else put a file in (left alone, ENOTEMPTY). Nothing else is expected there, and a
 * close must end the runtime whatever the file system says, so no error is passed on: at
 * worst an empty folder with a random name stays in the temporary directory.
 */
function ignoreGone(): void {
  // See above.
}

function safely(action: () => void): void {
  try {
    action();
  } catch {
    // Already gone, or someone else's file now: nothing to undo.
  }
}

function withDeadline<T>(promise: Promise<T>, deadline: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('timed out')), Math.max(0, deadline - performance.now()));
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

/**
 * Both directions with back-pressure (`pipe` pauses the reader while the writer is full).
 * A half-close is passed on (`allowHalfOpen`); an error or a full close on either side
 * destroys the other.
 */
function pipeBothWays(client: net.Socket, upstream: net.Socket): void {
  upstream.on('error', () => client.destroy());
  client.on('error', () => upstream.destroy());
  client.once('close', () => upstream.destroy());
  upstream.once('close', () => client.destroy());
  client.pipe(upstream);
  upstream.pipe(client);
}
