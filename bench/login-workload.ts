/**
 * The login workload both sides of the throughput comparison run: one PostgreSQL table of
 * users with salted SHA-256 password hashes, the Gatehouse `login` script that checks them
 * through a pooled client, and the same query and check written in-process for the
 * baseline. Kept in one file so the two cannot drift apart.
 */
import { createHash, randomBytes } from 'node:crypto';
import pg from 'pg';

export const LOGIN_USERS = 1000;
/** The same pool size for the script's pg.Pool and the baseline's. */
export const PG_POOL_MAX = 10;

export const LOGIN_SQL = 'SELECT id, email, username, name, salt, password_hash FROM bench_users WHERE email = $1';

export const emailOf = (i: number): string => `user${i}@bench.example`;
export const passwordOf = (i: number): string => `bench-password-${i}`;
export const loginBody = (i: number): string => JSON.stringify({ email: emailOf(i), password: passwordOf(i) });

/** Salted SHA-256: fast on purpose, so the comparison measures Gatehouse, not hashing. */
export const saltedSha256 = (salt: string, password: string): Buffer => createHash('sha256').update(salt + password).digest();

export async function seedLoginUsers(url: string, count = LOGIN_USERS): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(`CREATE TABLE bench_users (
      id serial PRIMARY KEY,
      email text NOT NULL UNIQUE,
      username text NOT NULL UNIQUE,
      name text NOT NULL,
      salt text NOT NULL,
      password_hash bytea NOT NULL
    )`);
    const rows = Array.from({ length: count }, (_, i) => {
      const salt = randomBytes(16).toString('hex');
      return [emailOf(i), `user${i}`, `Bench User ${i}`, salt, saltedSha256(salt, passwordOf(i))] as const;
    });
    await client.query(
      `INSERT INTO bench_users (email, username, name, salt, password_hash)
       SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::bytea[])`,
      [rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), rows.map((r) => r[3]), rows.map((r) => r[4])],
    );
    await client.query('ANALYZE bench_users');
  } finally {
    await client.end();
  }
}

/**
 * The Gatehouse side: a `login` script for CUSTOM_USER_STORE mode. The pool and `crypto`
 * are set up once per runtime on `global`, as SCRIPTS.md recommends.
 */
export const LOGIN_SCRIPT = String.raw`global.pool ??= new (require('pg').Pool)({ connectionString: env.DB_CONNECTION_URI, max: ${PG_POOL_MAX} });
global.nodeCrypto ??= require('crypto');

async function login(query, password, context) {
  const { rows } = await global.pool.query(${JSON.stringify(LOGIN_SQL)}, [query.email]);
  const user = rows[0];
  if (!user) throw new WrongUsernameOrPasswordError('Wrong email or password');
  const hash = global.nodeCrypto.createHash('sha256').update(user.salt + password).digest();
  if (!global.nodeCrypto.timingSafeEqual(hash, user.password_hash)) throw new WrongUsernameOrPasswordError('Wrong email or password');
  return { id: String(user.id), email: user.email, username: user.username, name: user.name };
}
`;

/** The smallest script a connection can have, for cold starts: no driver, no database. */
export const TRIVIAL_LOGIN_SCRIPT = `async function login(query, password, context) {
  return { id: '1', email: query.email };
}
`;

// ---------------------------------------------------------------- load generator protocol

export interface LoadPlan {
  url: string;
  path: string;
  connections: number;
  durationSeconds: number;
  users: number;
  /**
   * When given, each request goes to one of these paths (instead of `path`), drawn with
   * Zipf popularity: the k-th path (k from 1) with probability ∝ 1/k^exponent.
   */
  zipf?: { paths: string[]; exponent: number; seed: number };
}

export interface LoadResult {
  /** 2xx answers per second */
  rps: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  durationSeconds: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  /** answers of all statuses, for the Zipf runs (the throughput counts 2xx only) */
  latencyMeanMs: number;
  /** CPU the load generator itself used during the run */
  loadGeneratorCpuMs: number;
}

/** A small seeded PRNG (mulberry32), so two runs draw the same sequence of pools. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Draws indexes 0…n-1 with Zipf popularity (index k-1 with probability ∝ 1/k^exponent), by binary search in the cumulative weights. */
export function zipfSampler(n: number, exponent: number, random: () => number): () => number {
  const cumulative = new Float64Array(n);
  let total = 0;
  for (let k = 1; k <= n; k++) {
    total += 1 / k ** exponent;
    cumulative[k - 1] = total;
  }
  return () => {
    const target = random() * total;
    let low = 0;
    let high = n - 1;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((cumulative[middle] ?? total) < target) low = middle + 1;
      else high = middle;
    }
    return low;
  };
}
