/**
 * The baseline of the login throughput comparison: what a team would write instead of
 * Gatehouse, a minimal Fastify route that runs the same query through a pooled pg client,
 * the same salted SHA-256 check, and signs the same kind of access token the same way
 * (ES256 with node:crypto on the calling thread, the header and claims of src/auth/tokens.ts:
 * a baseline signing through WebCrypto would pay a thread-pool round trip Gatehouse does not). Its body is validated by a JSON schema, as
 * any Fastify route would; it has no caches Gatehouse lacks.
 */
import { generateKeyPairSync, randomUUID, sign, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { type JWK } from 'jose';
import pg from 'pg';
import { LOGIN_SQL, PG_POOL_MAX, saltedSha256 } from './login-workload.js';

const ALG = 'ES256';
const ISSUER = 'gatehouse';
const TTL_SECONDS = 3600;

interface UserRow {
  id: number;
  email: string;
  username: string;
  name: string;
  salt: string;
  password_hash: Buffer;
}

export interface BaselineServer {
  url: string;
  publicJwk: JWK;
  close(): Promise<void>;
}

export interface BaselineUser {
  id: string;
  email: string;
  username: string;
  name: string;
}

/** Finds the user and checks the password: the only part the baselines differ in. */
export type BaselineCheck = (email: string, password: string) => Promise<BaselineUser | null>;

/** The route both baselines share: a validated body, `check`, and the same ES256 access token. */
export async function startBaselineServer(check: BaselineCheck, release: () => Promise<void>): Promise<BaselineServer> {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const kid = randomUUID();
  const encodedHeader = Buffer.from(JSON.stringify({ alg: ALG, kid, typ: 'JWT' })).toString('base64url');
  const app = Fastify({ logger: false });

  app.post<{ Params: { poolId: string }; Body: { email: string; password: string } }>(
    '/api/v1/pools/:poolId/auth/login',
    {
      schema: {
        body: {
          type: 'object',
          properties: { email: { type: 'string', minLength: 1, maxLength: 254 }, password: { type: 'string', minLength: 1, maxLength: 256 } },
          required: ['email', 'password'],
          additionalProperties: false,
        },
      },
    },
    async (request, reply) => {
      const { poolId } = request.params;
      const user = await check(request.body.email, request.body.password);
      if (!user) {
        return reply.status(401).send({ error: { code: 'WRONG_USERNAME_OR_PASSWORD', message: 'Wrong username or password' } });
      }
      const issuedAt = Math.floor(Date.now() / 1000);
      const claims = { pool: poolId, sub: user.id, iss: ISSUER, aud: poolId, iat: issuedAt, jti: randomUUID(), exp: issuedAt + TTL_SECONDS };
      const signingInput = `${encodedHeader}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}`;
      const signature = sign('sha256', Buffer.from(signingInput, 'utf8'), { key: privateKey, dsaEncoding: 'ieee-p1363' });
      const accessToken = `${signingInput}.${signature.toString('base64url')}`;
      return { user, accessToken, tokenType: 'Bearer', expiresIn: TTL_SECONDS };
    },
  );

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    publicJwk: { ...(publicKey.export({ format: 'jwk' }) as JWK), kid, alg: ALG },
    async close() {
      await app.close();
      await release();
    },
  };
}

export async function startBaseline(databaseUrl: string): Promise<BaselineServer> {
  const pool = new pg.Pool({ connectionString: databaseUrl, max: PG_POOL_MAX });
  return startBaselineServer(
    async (email, password) => {
      const { rows } = await pool.query<UserRow>(LOGIN_SQL, [email]);
      const user = rows[0];
      if (!user || !timingSafeEqual(saltedSha256(user.salt, password), user.password_hash)) return null;
      return { id: String(user.id), email: user.email, username: user.username, name: user.name };
    },
    () => pool.end(),
  );
}
