/**
 * Serves one PGlite database over the PostgreSQL wire protocol to any number of client
 * connections, for pooled clients such as pg's Pool.
 *
 * PGlite is a single PostgreSQL session. `@electric-sql/pglite-socket`'s server multiplexes
 * connections onto it one protocol message at a time, which interleaves two clients'
 * extended-protocol sequences (Parse/Bind/Execute/Sync): under a pool of 5 concurrent
 * parameterised queries about a quarter failed with `unnamed prepared statement does not
 * exist` or `SET TRANSACTION ISOLATION LEVEL must be called before any query`. So this
 * server hands the session to one connection at a time and takes it back only when
 * PostgreSQL says the session is idle again: when a batch of messages answers with
 * ReadyForQuery status `I`. A connection inside a transaction (`T`, or `E` after an error),
 * or between Parse and Sync, keeps the session until it commits, rolls back or disconnects;
 * the others wait in FIFO order. Each batch runs through `execProtocolRawStream` as a whole.
 * (Gatehouse's runtimes and the PostgreSQL template's `global.pgPool` open several connections.)
 *
 * What this does not give: session state is shared (a `SET`, a named prepared statement or a
 * temporary table of one connection is seen by the next), and a connection that sits idle
 * inside a transaction for `idleInTransactionTimeoutMs` while others wait is closed (its
 * transaction rolled back) so it cannot stop everyone else. No TLS (SSLRequest is answered
 * `N`), no cancel requests. Fine for a sample database; not a PostgreSQL server.
 */
import net from 'node:net';
import type { PGlite } from '@electric-sql/pglite';

export interface PgliteServerOptions {
  /** May still be opening: the port is taken first, and connections wait for the database. */
  readonly db: PGlite | Promise<PGlite>;
  readonly port: number;
  readonly host: string;
  /** A connection holding the session while idle in a transaction longer than this is closed. */
  readonly idleInTransactionTimeoutMs?: number;
}

export interface PgliteServer {
  readonly host: string;
  readonly port: number;
  close(): Promise<void>;
}

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;
const TERMINATE = 0x58; // 'X'
const READY_FOR_QUERY = 0x5a; // 'Z'
const IDLE = 0x49; // 'I'
const SYNC = Buffer.from([0x53, 0, 0, 0, 4]); // 'S'

function simpleQuery(sql: string): Buffer {
  const text = Buffer.from(`${sql}\0`, 'utf8');
  const message = Buffer.alloc(5 + text.length);
  message[0] = 0x51; // 'Q'
  message.writeInt32BE(4 + text.length, 1);
  text.copy(message, 5);
  return message;
}
const ROLLBACK = simpleQuery('ROLLBACK');

/** True when the answer ends with ReadyForQuery saying "idle, not in a transaction". */
function endsIdle(output: Buffer): boolean {
  const at = output.length - 6;
  return at >= 0 && output[at] === READY_FOR_QUERY && output.readInt32BE(at + 1) === 5 && output[at + 5] === IDLE;
}

/** A FIFO lock on the one PGlite session; the owner is a connection. */
class SessionLock {
  private owner: object | null = null;
  private readonly waiting: { who: object; grant: () => void }[] = [];

  get contended(): boolean {
    return this.waiting.length > 0;
  }

  holds(who: object): boolean {
    return this.owner === who;
  }

  acquire(who: object): Promise<void> {
    if (this.owner === who) return Promise.resolve();
    if (this.owner === null) {
      this.owner = who;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push({ who, grant: resolve }));
  }

  release(who: object): void {
    if (this.owner !== who) return;
    const next = this.waiting.shift();
    this.owner = next?.who ?? null;
    next?.grant();
  }

  /** Drops a connection that gave up waiting (it disconnected). */
  forget(who: object): void {
    const index = this.waiting.findIndex((entry) => entry.who === who);
    if (index >= 0) this.waiting.splice(index, 1);
  }
}

export async function startPgliteServer(options: PgliteServerOptions): Promise<PgliteServer> {
  const database = Promise.resolve(options.db);
  // Until it opens, a connection waits; if it never opens, the caller closes this server.
  database.catch(() => undefined);
  const idleTimeoutMs = options.idleInTransactionTimeoutMs ?? 60_000;
  const lock = new SessionLock();
  const sockets = new Set<net.Socket>();

  /** Runs messages on the session (the caller holds the lock) and answers PostgreSQL's bytes. */
  async function execute(messages: Buffer): Promise<Buffer> {
    const db = await database;
    const chunks: Buffer[] = [];
    // Buffer.from copies: PGlite hands out views of its own memory.
    await db.execProtocolRawStream(new Uint8Array(messages), { onRawData: (data) => chunks.push(Buffer.from(data)) });
    return Buffer.concat(chunks);
  }

  function serve(socket: net.Socket): void {
    sockets.add(socket);
    socket.setNoDelay(true);
    const self = {};
    let buffer: Buffer = Buffer.alloc(0);
    let started = false;
    let closed = false;
    let busy = false;
    let executing = false;
    let idleTimer: NodeJS.Timeout | undefined;

    const stopIdleTimer = () => {
      if (idleTimer !== undefined) clearTimeout(idleTimer);
      idleTimer = undefined;
    };

    /** Hands the session back in a clean state: ends any extended sequence, rolls back. */
    async function cleanUp(): Promise<void> {
      stopIdleTimer();
      lock.forget(self);
      if (!lock.holds(self)) return;
      try {
        await execute(SYNC);
        if ((await database).isInTransaction()) await execute(ROLLBACK);
      } catch {
        // The session is reset as far as it can be; the next connection sees any error itself.
      } finally {
        lock.release(self);
      }
    }

    /** Takes the complete startup-phase packet off the buffer, or null when incomplete. */
    function takeStartupPacket(): Buffer | null {
      if (buffer.length < 8) return null;
      const length = buffer.readInt32BE(0);
      if (length < 8 || length > 10_000) throw new Error('malformed startup packet');
      if (buffer.length < length) return null;
      const packet = buffer.subarray(0, length);
      buffer = buffer.subarray(length);
      return packet;
    }

    /** Takes every complete message off the buffer (stopping before a Terminate), and whether one came. */
    function takeMessages(): { messages: Buffer; terminate: boolean } {
      let end = 0;
      let terminate = false;
      while (end + 5 <= buffer.length) {
        if (buffer[end] === TERMINATE) {
          terminate = true;
          break;
        }
        const length = buffer.readInt32BE(end + 1);
        if (length < 4) throw new Error('malformed message');
        if (end + 1 + length > buffer.length) break;
        end += 1 + length;
      }
      const messages = buffer.subarray(0, end);
      buffer = buffer.subarray(end);
      return { messages, terminate };
    }

    /** Runs a step with the session held; a connection that closed meanwhile hands it back. */
    async function withSession(step: () => Promise<void>): Promise<boolean> {
      await lock.acquire(self);
      executing = true;
      try {
        if (!closed) await step();
      } finally {
        executing = false;
        if (closed) await cleanUp();
      }
      return !closed;
    }

    async function pump(): Promise<void> {
      if (busy) return;
      busy = true;
      try {
        while (!closed) {
          if (!started) {
            const packet = takeStartupPacket();
            if (packet === null) return;
            const code = packet.readInt32BE(4);
            if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
              socket.write('N');
              continue;
            }
            if (code === CANCEL_REQUEST) {
              socket.destroy();
              return;
            }
            const open = await withSession(async () => {
              socket.write(await execute(packet));
              lock.release(self);
            });
            if (!open) return;
            started = true;
            continue;
          }
          const { messages, terminate } = takeMessages();
          if (messages.length > 0) {
            stopIdleTimer();
            const open = await withSession(async () => {
              const output = await execute(messages);
              if (output.length > 0) socket.write(output);
              if (endsIdle(output)) {
                lock.release(self);
              } else {
                // Inside a transaction or an unfinished extended sequence: keep the session,
                // but not for ever while others wait for it.
                const expire = () => {
                  if (lock.contended) socket.destroy();
                  else idleTimer = setTimeout(expire, idleTimeoutMs).unref();
                };
                idleTimer = setTimeout(expire, idleTimeoutMs).unref();
              }
            });
            if (!open) return;
          }
          if (terminate) {
            socket.end();
            return;
          }
          if (messages.length === 0) return;
        }
      } catch {
        socket.destroy();
      } finally {
        busy = false;
      }
    }

    socket.on('data', (data: Buffer) => {
      buffer = buffer.length === 0 ? data : Buffer.concat([buffer, data]);
      void pump();
    });
    socket.on('error', () => socket.destroy());
    socket.on('close', () => {
      closed = true;
      sockets.delete(socket);
      // A step in flight hands the session back itself when it ends (withSession).
      if (!executing) void cleanUp();
    });
  }

  const server = net.createServer(serve);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the sample database has no TCP address');

  return {
    host: options.host,
    port: address.port,
    async close() {
      const closing = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const socket of sockets) socket.destroy();
      await closing;
    },
  };
}
