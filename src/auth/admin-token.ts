/**
 * The admin API's bearer token: GATEHOUSE_ADMIN_TOKEN, or one generated on first start,
 * printed once and kept only as a SHA-256 hash (the token is 256 random bits, so a fast
 * hash is enough; a slow one would only slow every admin request).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { SettingsRepository } from '../store/settings.js';

const ADMIN_TOKEN_SETTING = 'admin_token_sha256';

export interface AdminTokenCheck {
  matches(candidate: string): boolean;
}

// Stryker disable next-line StringLiteral: Node reads an empty encoding as utf8, so the mutant hashes the same bytes
const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

export async function setUpAdminToken(
  configured: string | undefined,
  settings: SettingsRepository,
): Promise<{ check: AdminTokenCheck; generatedToken?: string }> {
  if (configured !== undefined) return { check: tokenCheck(configured) };
  const candidate = `gh_admin_${randomBytes(32).toString('base64url')}`;
  const wrote = await settings.insertIfAbsent(ADMIN_TOKEN_SETTING, sha256(candidate).toString('hex'));
  const stored = await settings.get(ADMIN_TOKEN_SETTING);
  // Stryker disable next-line ConditionalExpression,StringLiteral: unreachable with a working store (the row was just written or already there); a guard, not behaviour
  if (stored === undefined) throw new Error('admin token could not be stored');
  const check = checkAgainst(Buffer.from(stored, 'hex'));
  return wrote ? { check, generatedToken: candidate } : { check };
}

/** A check for a token given in the environment (the admin or the metrics token). */
export function tokenCheck(token: string): AdminTokenCheck {
  return checkAgainst(sha256(token));
}

function checkAgainst(expected: Buffer): AdminTokenCheck {
  return { matches: (candidate) => timingSafeEqual(sha256(candidate), expected) };
}
