/**
 * Change notification for what instances cache from the store, so a request need not ask
 * the store whether its copy is current:
 * - embedded SQLite: the store belongs to one server process, so every write goes through
 *   this process and is announced in-process. (Two processes on one SQLite file are not a
 *   supported deployment; several instances share a PostgreSQL store.)
 * - PostgreSQL: `LISTEN`/`NOTIFY` on one dedicated connection. A writer announces after
 *   its write committed and waits (briefly) until the notice came back to its own
 *   listener, so by the time its answer leaves, the store has sent the notice to every
 *   instance. While the listening connection is down the feed is not `live`: caches must
 *   then read through, and when it is back every listener hears `null` ("anything may
 *   have changed"), since notices sent meanwhile were lost.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';

/** What is announced: each topic is one kind of cached row, keyed by a pool id. */
export type ChangeTopic = 'custom_db' | 'pools';

/** A changed key, or null for "anything may have changed" (notices were missed). */
export type ChangeListener = (key: string | null) => void;

export interface ChangeFeed {
  /** True while every change is sure to be announced; when false, caches read through. */
  readonly live: boolean;
  subscribe(topic: ChangeTopic, listener: ChangeListener): void;
  /** Tells every instance (this one included) that `key` of `topic` changed; call after the write committed. */
  announce(topic: ChangeTopic, key: string): Promise<void>;
  close(): Promise<void>;
}

class Listeners {
  readonly #byTopic = new Map<ChangeTopic, ChangeListener[]>();

  add(topic: ChangeTopic, listener: ChangeListener): void {
    this.#byTopic.set(topic, [...(this.#byTopic.get(topic) ?? []), listener]);
  }

  notify(topic: ChangeTopic, key: string | null): void {
    for (const listener of this.#byTopic.get(topic) ?? []) listener(key);
  }

  notifyAll(): void {
    for (const topic of this.#byTopic.keys()) this.notify(topic, null);
  }
}

/** The embedded store's feed: writes happen in this process, so announcing is calling the listeners. */
export function inProcessChangeFeed(): ChangeFeed {
  const listeners = new Listeners();
  return {
    live: true,
    subscribe: (topic, listener) => listeners.add(topic, listener),
    async announce(topic, key) {
      listeners.notify(topic, key);
    },
    async close() {},
  };
}

const CHANNEL = 'gatehouse_changes';
const TOPICS: readonly ChangeTopic[] = ['custom_db', 'pools'];
/** How long a writer waits for its own notice to come back before answering anyway. */
const ECHO_WAIT_MS = 2000;
const RECONNECT_DELAYS_MS = [100, 500, 1000, 5000] as const;

interface Notice {
  topic: ChangeTopic;
  key: string;
  nonce: string;
}

function parseNotice(payload: string | undefined): Notice | null {
  try {
    const value = JSON.parse(payload ?? '') as Partial<Notice>;
    const topic = TOPICS.find((known) => known === value.topic);
    if (topic === undefined || typeof value.key !== 'string' || typeof value.nonce !== 'string') return null;
    return { topic, key: value.key, nonce: value.nonce };
  } catch {
    return null;
  }
}

export interface PostgresChangeFeedOptions {
  /** sends a NOTIFY (the store's own pool, so the notice follows the write on a store connection) */
  notify(channel: string, payload: string): Promise<void>;
}

/** Resolves once the feed listens (or has failed its first attempt and keeps retrying in the background). */
export async function postgresChangeFeed(databaseUrl: string, options: PostgresChangeFeedOptions): Promise<ChangeFeed> {
  const listeners = new Listeners();
  const echoes = new Map<string, () => void>();
  let client: pg.Client | null = null;
  let live = false;
  let closed = false;
  let failures = 0;
  let retry: NodeJS.Timeout | undefined;

  const onNotification = (message: pg.Notification) => {
    const notice = parseNotice(message.payload);
    if (notice === null) return;
    listeners.notify(notice.topic, notice.key);
    echoes.get(notice.nonce)?.();
  };

  const lost = (lostClient: pg.Client) => {
    if (client !== lostClient) return;
    client = null;
    live = false;
    for (const release of echoes.values()) release();
    echoes.clear();
    if (closed) return;
    lostClient.end().catch(() => undefined);
    const delay = RECONNECT_DELAYS_MS[Math.min(failures, RECONNECT_DELAYS_MS.length - 1)];
    failures++;
    retry = setTimeout(() => void connect(), delay);
    retry.unref();
  };

  const connect = async (): Promise<void> => {
    const candidate = new pg.Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5000, keepAlive: true, application_name: 'gatehouse-change-feed' });
    client = candidate;
    candidate.on('error', () => lost(candidate));
    candidate.on('end', () => lost(candidate));
    candidate.on('notification', onNotification);
    try {
      await candidate.connect();
      await candidate.query(`LISTEN ${CHANNEL}`);
    } catch {
      lost(candidate);
      return;
    }
    if (closed || client !== candidate) return;
    failures = 0;
    live = true;
    // Notices sent while no connection listened are lost: whatever was cached may be stale.
    listeners.notifyAll();
  };

  await connect();

  return {
    get live() {
      return live;
    },
    subscribe: (topic, listener) => listeners.add(topic, listener),
    async announce(topic, key) {
      const nonce = randomUUID();
      const echoed = live
        ? new Promise<void>((resolve) => {
            const timer = setTimeout(done, ECHO_WAIT_MS);
            function done() {
              clearTimeout(timer);
              echoes.delete(nonce);
              resolve();
            }
            echoes.set(nonce, done);
          })
        : Promise.resolve();
      try {
        await options.notify(CHANNEL, JSON.stringify({ topic, key, nonce }));
      } catch (error) {
        echoes.get(nonce)?.();
        throw error;
      }
      // This instance's own cache is cleared at once, whether or not the notice comes back.
      listeners.notify(topic, key);
      await echoed;
    },
    async close() {
      closed = true;
      clearTimeout(retry);
      live = false;
      const current = client;
      client = null;
      await current?.end().catch(() => undefined);
    },
  };
}
