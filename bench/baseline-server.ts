/**
 * The baseline of the login throughput comparison: what a team would write instead of
 * Gatehouse, a minimal Fastify route that runs the same query through a pooled pg client,
 * the same salted SHA-256 check, and signs the same kind of access token with jose (ES256,
 * the header and claims of src/auth/tokens.ts). Its body is validated by a JSON schema, as
 * any Fastify route would; it has no caches Gatehouse lacks.
 */
import { randomUUID, timingSafeEqual } from 'node:crypto';
import Fastify from 'fastify';
import { SignJWT, exportJWK, generateKeyPair, type JWK } from 'jose';
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
  const { privateKey, publicKey } = await generateKeyPair(ALG);
  const kid = randomUUID();
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
      const accessToken = await new SignJWT({ pool: poolId })
        .setProtectedHeader({ alg: ALG, kid, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(ISSUER)
        .setAudience(poolId)
        .setIssuedAt()
        .setJti(randomUUID())
        .setExpirationTime(`${TTL_SECONDS}s`)
        .sign(privateKey);
      return { user, accessToken, tokenType: 'Bearer', expiresIn: TTL_SECONDS };
    },
  );

  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    url,
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG },
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
