/**
 * Where the secret key comes from: GATEHOUSE_SECRET_KEY, or a key generated once into
 * the data dir (mode 0600). A check value sealed into the store on first start catches
 * a store opened with a different key before any secret is read with it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { SecretBox } from './secret-box.js';

const KEY_FILE = 'secret.key';
const CHECK_SETTING = 'secret_key_check';
const CHECK_PLAINTEXT = 'gatehouse-secret-key-check';

export interface LoadedKey {
  key: Buffer;
  /** true when the key was generated into the data dir by this start */
  generated: boolean;
}

export function loadOrGenerateSecretKey(configured: Buffer | undefined, dataDir: string): LoadedKey {
  if (configured) return { key: configured, generated: false };
  const file = path.join(dataDir, KEY_FILE);
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return { key, generated: false };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32);
  // 'wx' fails if another process wrote the file first; then use theirs.
  try {
    writeFileSync(file, key.toString('base64') + '\n', { mode: 0o600, flag: 'wx' });
    return { key, generated: true };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    return loadOrGenerateSecretKey(undefined, dataDir);
  }
}

/** Seals a check value on first use; later starts must be able to open it. */
/** The part of the settings store the check needs (the store's settings repository fits it). */
export interface CheckValueStore {
  insertIfAbsent(key: string, value: string): Promise<unknown>;
  get(key: string): Promise<string | undefined>;
}

export async function verifySecretKey(settings: CheckValueStore, box: SecretBox): Promise<boolean> {
  await settings.insertIfAbsent(CHECK_SETTING, box.seal(CHECK_PLAINTEXT));
  const sealed = await settings.get(CHECK_SETTING);
  return sealed !== undefined && box.open(sealed) === CHECK_PLAINTEXT;
}
