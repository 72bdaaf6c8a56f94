/**
 * Each pool's OpenID provider signs with its own keys, kept in the store (private
 * halves sealed with the secret key) so every instance signs with the same ones and a
 * token of one pool never verifies in another.
 *
 * Keys come in generations per algorithm (ES256 for everyone, RS256 for clients that
 * ask). The newest generation is the *next* key: published in the JWKS but not signing
 * yet, so relying parties have it cached before it is used. The generation below it
 * signs. Rotating adds a new next generation, which turns the old next into the signing
 * key; the previous signing key stays published (tokens it signed still verify) and
 * older ones are deleted.
 */
import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { SecretBox } from '../secrets/secret-box.js';
import type { OidcKeysRepository, SigningKeyRow } from '../store/oidc-keys.js';

export const SIGNING_ALGS = ['ES256', 'RS256'] as const;
type SigningAlg = (typeof SIGNING_ALGS)[number];

export interface PoolSigningKeys {
  /** private JWKs in the order oidc-provider wants them: signing keys first (it signs with the first match) */
  keys: JWK[];
  /** changes whenever the key set does, so a cached provider knows to reload */
  revision: string;
}

export interface SigningKeys {
  /** the pool's keys, created on first use (racing instances agree through a unique index) */
  forPool(poolId: string): Promise<PoolSigningKeys>;
  /** the revision alone, cheap enough to check while serving */
  revision(poolId: string): Promise<string>;
  /** publishes a new next key, promotes the current next key to signing, drops keys two generations old */
  rotate(poolId: string): Promise<void>;
}

async function newKeyRow(poolId: string, alg: SigningAlg, generation: number, box: SecretBox): Promise<SigningKeyRow> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true, ...(alg === 'RS256' ? { modulusLength: 2048 } : {}) });
  const kid = randomUUID();
  const meta = { kid, alg, use: 'sig' };
  return {
    kid,
    pool_id: poolId,
    alg,
    generation,
    public_jwk: JSON.stringify({ ...(await exportJWK(publicKey)), ...meta }),
    private_jwk: box.seal(JSON.stringify({ ...(await exportJWK(privateKey)), ...meta })),
    created_at: new Date().toISOString(),
  };
}

const revisionOf = (rows: SigningKeyRow[]): string => rows.map((row) => row.kid).sort().join(',');

export function signingKeys(repository: OidcKeysRepository, box: SecretBox): SigningKeys {
  async function ensure(poolId: string): Promise<SigningKeyRow[]> {
    let rows = await repository.list(poolId);
    for (const alg of SIGNING_ALGS) {
      const generations = rows.filter((row) => row.alg === alg).length;
      if (generations >= 2) continue;
      // A signing key and its successor from the start, so the first rotation already
      // promotes a key relying parties have seen.
      for (const generation of [1, 2]) await repository.insertIfAbsent(await newKeyRow(poolId, alg, generation, box));
      rows = await repository.list(poolId);
    }
    return rows;
  }

  return {
    async forPool(poolId) {
      const rows = await ensure(poolId);
      const signing: JWK[] = [];
      const published: JWK[] = [];
      for (const alg of SIGNING_ALGS) {
        const ofAlg = rows.filter((row) => row.alg === alg).sort((a, b) => b.generation - a.generation);
        ofAlg.forEach((row, index) => {
          const opened = box.open(row.private_jwk);
          if (opened === undefined) throw new Error(`signing key ${row.kid} cannot be opened with this secret key`);
          // index 0 is the next key, index 1 the signing one, the rest retired but still verifying
          (index === 1 ? signing : published).push(JSON.parse(opened) as JWK);
        });
      }
      return { keys: [...signing, ...published], revision: revisionOf(rows) };
    },
    async revision(poolId) {
      return revisionOf(await repository.list(poolId));
    },
    async rotate(poolId) {
      const rows = await ensure(poolId);
      for (const alg of SIGNING_ALGS) {
        const newest = Math.max(...rows.filter((row) => row.alg === alg).map((row) => row.generation));
        await repository.insertIfAbsent(await newKeyRow(poolId, alg, newest + 1, box));
        // keep: the new next (newest+1), the new signing key (newest) and the one that signed until now (newest-1)
        await repository.deleteOlderThan(poolId, alg, newest - 1);
      }
    },
  };
}
