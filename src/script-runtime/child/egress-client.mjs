// @ts-check
/**
 * Egress client: the runtime's side of brokered egress (../egress-broker.ts).
 *
 * In the sandbox the runtime has no network. Every TCP connection Node makes (pg, mysql2,
 * mongodb, `fetch`/undici, http, https, http2) goes through `net.Socket.prototype.connect`,
 * and every TLS connection made without a socket of its own through `tls.connect`. Both are
 * patched here so that the socket connects to the broker's unix socket instead, writes one
 * header line naming the destination, and then carries the driver's bytes unchanged; TLS
 * runs end to end on top of that socket, inside the runtime, as before.
 *
 * This is plumbing, not a security layer: the broker in the server decides everything and
 * trusts nothing the runtime sends, so code that undoes these patches gains nothing but a
 * dead network. Known differences from a direct connection, none of which the supported
 * drivers depend on:
 * - `remoteAddress` / `remotePort` answer the host and port that were asked for (a name,
 *   when a name was asked), not the address the broker connected to; `localAddress` and
 *   `localPort` are undefined; `remoteFamily` is set only for IP literals.
 * - 'connect' fires when the broker accepted the unix connection, before the broker has
 *   resolved the name and connected upstream. A refused or unreachable destination then
 *   shows as a socket closed by the peer (ECONNRESET / "Connection terminated"); the
 *   server fails the call with kind `denied` on a refusal, whatever the driver says.
 * - Socket options that only make sense for TCP (`noDelay`, `keepAlive`, `localAddress`,
 *   `family`, `lookup`, `autoSelectFamily`) are ignored; the broker's TCP side uses defaults.
 * - Connections to unix socket paths are refused (`EgressDeniedError`). UDP, DNS queries and
 *   listening are not handled here: in the sandbox they fail with the system's own errors.
 */
import module from 'node:module';
import net from 'node:net';

export const EGRESS_HEADER_VERSION = 1;
const CALL_ID_PATTERN = /^[\x21-\x7e]{1,64}$/;
export const DENIED_CODE = 'ERR_GATEHOUSE_DENIED';

/**
 * @typedef {object} EgressClientOptions
 * @property {string} socketPath the broker's socket, as seen inside the sandbox
 * @property {() => string | number | undefined} currentCallId the call running now, if any;
 *   sent with each connection so that a refusal fails that call
 */

let installed = false;

/**
 * @param {unknown} value
 * @returns {value is Record<string, unknown>}
 */
function isRecord(value) {
  return typeof value === 'object' && value !== null;
}

/**
 * @param {string} message
 * @returns {Error & { code: string }}
 */
function deniedError(message) {
  const error = /** @type {Error & { code: string }} */ (new Error(message));
  error.name = 'EgressDeniedError';
  error.code = DENIED_CODE;
  return error;
}

/**
 * Node's own port rule (a number or a numeric string, an integer in range), minus port 0,
 * which no broker can connect to.
 * @param {unknown} port
 * @returns {number | null}
 */
function validPort(port) {
  const text = typeof port === 'number' ? String(port) : typeof port === 'string' ? port.trim() : '';
  if (!/^\d{1,5}$/.test(text)) return null;
  const value = Number(text);
  return value >= 1 && value <= 65535 ? value : null;
}

/**
 * @param {string} host
 * @returns {string}
 */
function unbracket(host) {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
}

/**
 * Patch `net.Socket.prototype.connect` and `tls.connect`. The patched properties are not
 * writable or configurable, so the drivers a script loads cannot route around them by
 * accident (a determined script can, and then has no network at all).
 * @param {EgressClientOptions} options
 */
export function installEgressClient(options) {
  if (installed) throw new Error('The egress client is already installed');
  if (typeof options.socketPath !== 'string' || options.socketPath === '') {
    throw new TypeError('socketPath must be the path of the egress broker socket');
  }
  installed = true;
  const { socketPath, currentCallId } = options;

  // Loaded here, not at the top: `tls` cannot be in a V8 startup snapshot (its native
  // bindings are not serializable), and this module is in the snapshot's heap.
  const tls = /** @type {typeof import('node:tls')} */ (process.getBuiltinModule('node:tls'));
  const originalConnect = net.Socket.prototype.connect;
  const originalTlsConnect = tls.connect;
  /** @type {(args: unknown[]) => unknown[]} */
  // @ts-expect-error -- `_normalizeArgs` is internal but exported and stable since Node 0.x
  const normalizeArgs = net._normalizeArgs;
  /** Raw sockets made for `tls.connect`, so their header says TLS runs on top. */
  const carriesTls = new WeakSet();

  /** @returns {string | undefined} */
  function callId() {
    let id;
    try {
      id = currentCallId();
    } catch {
      return undefined;
    }
    const text = typeof id === 'number' ? String(id) : id;
    return typeof text === 'string' && CALL_ID_PATTERN.test(text) ? text : undefined;
  }

  /**
   * @this {net.Socket}
   * @param {unknown[]} args
   */
  function brokeredConnect(...args) {
    // net.connect() hands over pre-normalised [options, callback] arrays; user code may not.
    const normalized = args.length === 1 && Array.isArray(args[0]) ? args[0] : normalizeArgs(args);
    const connectOptions = isRecord(normalized[0]) ? normalized[0] : {};
    const callback = typeof normalized[1] === 'function' ? normalized[1] : undefined;
    if (typeof connectOptions['path'] === 'string') {
      const error = deniedError('Connections to local sockets are not allowed');
      // Fail like a refused connection would: asynchronously, through the socket's 'error'.
      process.nextTick(() => this.destroy(error));
      return this;
    }
    const port = validPort(connectOptions['port']);
    if (port === null) {
      const error = /** @type {RangeError & { code: string }} */ (
        new RangeError(`Port should be > 0 and < 65536. Received ${String(connectOptions['port'])}.`)
      );
      error.code = 'ERR_SOCKET_BAD_PORT';
      throw error;
    }
    const rawHost = connectOptions['host'];
    const host = typeof rawHost === 'string' && rawHost !== '' ? unbracket(rawHost) : 'localhost';
    const header = `${JSON.stringify({ v: EGRESS_HEADER_VERSION, host, port, tls: carriesTls.has(this), callId: callId() })}\n`;

    Reflect.apply(originalConnect, this, callback === undefined ? [{ path: socketPath }] : [{ path: socketPath }, callback]);
    // Writes made while connecting are queued in order, so the header precedes every byte
    // the driver writes, including ones it wrote in its own 'connect' listener.
    this.write(header);
    const family = net.isIP(host);
    Object.defineProperties(this, {
      remoteAddress: { value: host, writable: true, configurable: true },
      remotePort: { value: port, writable: true, configurable: true },
      remoteFamily: { value: family === 4 ? 'IPv4' : family === 6 ? 'IPv6' : undefined, writable: true, configurable: true },
    });
    return this;
  }

  /**
   * tls.connect's argument forms: (options[, cb]), (port[, host][, options][, cb]), (path[, options][, cb]).
   * @param {unknown[]} args
   * @returns {[Record<string, unknown>, Function | undefined]}
   */
  function normalizeTlsArgs(args) {
    const normalized = normalizeArgs(args);
    const connectOptions = { ...(isRecord(normalized[0]) ? normalized[0] : {}) };
    // As Node does: with a port or path first, the TLS options are the next object argument.
    if (isRecord(args[1])) Object.assign(connectOptions, args[1]);
    else if (isRecord(args[2])) Object.assign(connectOptions, args[2]);
    return [connectOptions, typeof normalized[1] === 'function' ? normalized[1] : undefined];
  }

  /** @param {unknown[]} args */
  function brokeredTlsConnect(...args) {
    const [connectOptions, callback] = normalizeTlsArgs(args);
    // A caller's own socket (pg and mysql2 upgrade theirs) is already brokered; a path is
    // refused by the patched connect.
    if (connectOptions['socket'] !== undefined && connectOptions['socket'] !== null) {
      return Reflect.apply(originalTlsConnect, tls, args);
    }
    if (typeof connectOptions['path'] === 'string') return Reflect.apply(originalTlsConnect, tls, args);
    const rawHost = connectOptions['host'];
    const host = typeof rawHost === 'string' && rawHost !== '' ? unbracket(rawHost) : 'localhost';
    const raw = new net.Socket({ allowHalfOpen: connectOptions['allowHalfOpen'] === true });
    carriesTls.add(raw);
    raw.connect({ host, port: /** @type {number} */ (connectOptions['port']) });
    const servername = connectOptions['servername'] || (net.isIP(host) === 0 ? host : undefined);
    const tlsOptions = { ...connectOptions, host, socket: raw, servername };
    /** @type {import('node:tls').TLSSocket} */
    const secure = Reflect.apply(originalTlsConnect, tls, callback === undefined ? [tlsOptions] : [tlsOptions, callback]);
    // tls.connect applies `timeout` only to sockets it connects itself.
    const timeout = connectOptions['timeout'];
    if (typeof timeout === 'number' && timeout > 0) secure.setTimeout(timeout);
    // A raw socket that fails before TLS starts is reported on the TLS socket.
    raw.once('error', (/** @type {Error} */ error) => secure.destroy(error));
    return secure;
  }

  Object.defineProperty(net.Socket.prototype, 'connect', {
    value: brokeredConnect,
    writable: false,
    configurable: false,
    enumerable: false,
  });
  Object.defineProperty(tls, 'connect', {
    value: brokeredTlsConnect,
    writable: false,
    configurable: false,
    enumerable: true,
  });
  // `import { connect } from 'node:tls'` is a separate binding, updated only on request.
  module.syncBuiltinESMExports();
}
