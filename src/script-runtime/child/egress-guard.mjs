// @ts-check
/**
 * Egress guard, installed in every runtime process before any script runs.
 *
 * Node 20's permission model has no network permission, so outgoing connections are
 * checked here: every TCP/TLS connection in Node (pg, mysql2, mongodb, `fetch`/undici,
 * http, http2) goes through `net.Socket.prototype.connect`, and every host name it
 * connects to goes through the `lookup` function that `connect` is given. Wrapping those
 * two covers literal IPs and what names resolve to (so `2852039166`, `::ffff:a9fe:a9fe` or
 * a DNS name pointing at 169.254.169.254 are refused too).
 *
 * This is a guard inside the process the script runs in, not a network boundary: see
 * ../README.md for what it does not stop.
 */
import dgram from 'node:dgram';
import dns from 'node:dns';
import net from 'node:net';

export const DENIED_CODE = 'ERR_GATEHOUSE_DENIED';

/** Metadata services and link-local addresses are refused whatever the allowlist says. */
const BLOCKED_HOST_NAMES = new Set([
  'metadata',
  'metadata.google.internal',
  'metadata.goog',
  'instance-data',
  'instance-data.ec2.internal',
  'metadata.tencentyun.com',
  'metadata.platformequinix.com',
]);

/**
 * Addresses refused whatever the allowlist says, made on first use: a `net.BlockList` holds
 * a native handle, which a V8 startup snapshot cannot carry, and this module is in the
 * snapshot's heap.
 * @type {net.BlockList | null}
 */
let blockListMade = null;

/** @returns {net.BlockList} */
function blockList() {
  if (blockListMade !== null) return blockListMade;
  const list = new net.BlockList();
  list.addSubnet('169.254.0.0', 16, 'ipv4'); // IPv4 link-local, AWS/GCP/Azure/DO metadata
  list.addSubnet('0.0.0.0', 8, 'ipv4'); // "this network"; 0.0.0.0 reaches localhost on Linux
  list.addAddress('100.100.100.200', 'ipv4'); // Alibaba Cloud metadata
  list.addAddress('192.0.0.192', 'ipv4'); // Oracle Cloud metadata
  list.addSubnet('fe80::', 10, 'ipv6'); // IPv6 link-local
  list.addAddress('fd00:ec2::254', 'ipv6'); // AWS metadata over IPv6
  list.addAddress('::', 'ipv6'); // unspecified
  blockListMade = list;
  return list;
}

export class EgressDeniedError extends Error {
  /** @param {string} message */
  constructor(message) {
    super(message);
    this.name = 'EgressDeniedError';
    this.code = DENIED_CODE;
  }
}

/**
 * @param {string} host
 * @returns {string}
 */
function normaliseHost(host) {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  if (h.endsWith('.')) h = h.slice(0, -1);
  const zone = h.indexOf('%');
  if (zone !== -1 && net.isIPv6(h.slice(0, zone))) h = h.slice(0, zone);
  return h;
}

/**
 * IPv6 forms that carry an IPv4 address (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`,
 * NAT64 `64:ff9b::a.b.c.d`) are checked as that IPv4 address too.
 * @param {string} v6
 * @returns {string | null}
 */
function embeddedIPv4(v6) {
  const m = /^(?:::ffff:|::|64:ff9b::)(?:(\d+\.\d+\.\d+\.\d+)|([0-9a-f]{1,4}):([0-9a-f]{1,4}))$/.exec(v6);
  if (!m) return null;
  if (m[1] !== undefined) return m[1];
  const hi = parseInt(m[2] ?? '0', 16);
  const lo = parseInt(m[3] ?? '0', 16);
  return `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
}

/**
 * @param {string} address an IP literal
 * @returns {boolean}
 */
export function isBlockedAddress(address) {
  const ip = normaliseHost(address);
  const family = net.isIP(ip);
  if (family === 4) return blockList().check(ip, 'ipv4');
  if (family === 6) {
    if (blockList().check(ip, 'ipv6')) return true;
    const v4 = embeddedIPv4(ip);
    return v4 !== null && net.isIPv4(v4) && blockList().check(v4, 'ipv4');
  }
  return false;
}

/**
 * @typedef {(error: EgressDeniedError) => void} DenialListener
 * @typedef {{ configure(allowedHosts: readonly string[]): void }} EgressGuard
 */

let installed = false;

/**
 * Patch the socket and datagram prototypes. The patched properties are made non-writable
 * and non-configurable so a script cannot put the originals back.
 * @param {DenialListener} onDenied told about every refusal (the host fails the current call fast)
 * @returns {EgressGuard} `configure` may be called once, when the runtime is bound to a connection
 */
export function installEgressGuard(onDenied) {
  if (installed) throw new Error('The egress guard is already installed');
  installed = true;

  /** @type {Set<string> | null} */
  let allowed = null;
  let configured = false;

  /**
   * @param {string} message
   * @returns {EgressDeniedError}
   */
  function deny(message) {
    const error = new EgressDeniedError(message);
    onDenied(error);
    return error;
  }

  /**
   * The reason a connection to `rawHost` is refused before name resolution, or null.
   * @param {string} rawHost
   * @returns {string | null}
   */
  function refusal(rawHost) {
    const host = normaliseHost(rawHost);
    if (net.isIP(host)) {
      if (isBlockedAddress(host)) return `Connections to ${host} (link-local or cloud metadata) are not allowed`;
    } else if (BLOCKED_HOST_NAMES.has(host)) {
      return `Connections to ${host} (cloud metadata) are not allowed`;
    }
    if (allowed !== null && !allowed.has(host)) {
      return `Connections to ${host} are not allowed: it is not in this connection's list of allowed hosts`;
    }
    return null;
  }

  /**
   * Wraps a `dns.lookup`-compatible function so that the addresses a name resolves to are
   * checked before the socket connects to them.
   * @param {Function} inner
   * @returns {Function}
   */
  function guardLookup(inner) {
    /**
     * @param {string} hostname
     * @param {unknown} options
     * @param {Function} [callback]
     */
    return function guardedLookup(hostname, options, callback) {
      /** @type {Function} */
      const cb = typeof options === 'function' ? options : /** @type {Function} */ (callback);
      const opts = typeof options === 'function' ? {} : options;
      inner(hostname, opts, (/** @type {Error | null} */ err, /** @type {unknown} */ address, /** @type {unknown} */ family) => {
        if (err) {
          cb(err);
          return;
        }
        const list = Array.isArray(address)
          ? address.map((/** @type {{ address: string }} */ a) => a.address)
          : [String(address)];
        const bad = list.find((a) => isBlockedAddress(a));
        if (bad !== undefined) {
          cb(deny(`Connections to ${hostname} are not allowed: it resolves to ${bad} (link-local or cloud metadata)`));
          return;
        }
        cb(null, address, family);
      });
    };
  }

  const originalConnect = net.Socket.prototype.connect;
  /** @type {(...args: unknown[]) => { [k: number]: unknown }} */
  // @ts-expect-error -- `_normalizeArgs` is internal but exported and stable since Node 0.x
  const normalizeArgs = net._normalizeArgs;

  /**
   * @this {net.Socket}
   * @param {unknown[]} args
   */
  function guardedConnect(...args) {
    // net.connect() hands over pre-normalised [options, callback] arrays; user code may not.
    const normalized = args.length === 1 && Array.isArray(args[0]) ? args[0] : normalizeArgs(args);
    const options = /** @type {Record<string, unknown>} */ (normalized[0] ?? {});
    /** @type {string | null} */
    let reason;
    if (typeof options['path'] === 'string') {
      reason = 'Connections to local sockets are not allowed';
    } else {
      const host = typeof options['host'] === 'string' && options['host'] !== '' ? options['host'] : 'localhost';
      reason = refusal(host);
      if (reason === null && net.isIP(normaliseHost(host)) === 0) {
        const inner = typeof options['lookup'] === 'function' ? options['lookup'] : dns.lookup;
        normalized[0] = { ...options, lookup: guardLookup(inner) };
      }
    }
    if (reason !== null) {
      const error = deny(reason);
      // Fail like a refused connection would: asynchronously, through the socket's 'error'.
      process.nextTick(() => this.destroy(error));
      return this;
    }
    return Reflect.apply(originalConnect, this, [normalized]);
  }

  Object.defineProperty(net.Socket.prototype, 'connect', {
    value: guardedConnect,
    writable: false,
    configurable: false,
    enumerable: false,
  });

  // No allowed module uses UDP; refusing it outright is simpler than guarding every send.
  const refuseUdp = () => {
    throw deny('UDP sockets are not allowed');
  };
  for (const name of ['send', 'connect']) {
    Object.defineProperty(dgram.Socket.prototype, name, {
      value: refuseUdp,
      writable: false,
      configurable: false,
    });
  }

  return {
    configure(allowedHosts) {
      if (configured) throw new Error('The egress guard is already configured');
      configured = true;
      const hosts = allowedHosts.map(normaliseHost).filter((h) => h !== '');
      allowed = hosts.length > 0 ? new Set(hosts) : null;
    },
  };
}
