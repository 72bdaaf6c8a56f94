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
  const existing = existingSecretKey(configured, dataDir);
  if (existing !== undefined) return { key: existing, generated: false };
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const file = secretKeyFile(dataDir);
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

/**
 * The key a start would use, without generating one: undefined when GATEHOUSE_SECRET_KEY is
 * unset and the data dir holds no key yet. Throws when the key file is unreadable or malformed.
 */
export function existingSecretKey(configured: Buffer | undefined, dataDir: string): Buffer | undefined {
  if (configured) return configured;
  const file = secretKeyFile(dataDir);
  try {
    const key = Buffer.from(readFileSync(file, 'utf8').trim(), 'base64');
    if (key.length !== 32) throw new Error(`${file} does not hold a 32-byte base64 key`);
    return key;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw error;
  }
}

export const secretKeyFile = (dataDir: string): string => path.join(dataDir, KEY_FILE);

/**
 * Whether `box` opens the store's check value, without sealing one: undefined when the store
 * has none yet (never started), false when there is one and no key (undefined) or another key.
 */
export async function opensCheckValue(settings: Pick<CheckValueStore, 'get'>, box: SecretBox | undefined): Promise<boolean | undefined> {
  const sealed = await settings.get(CHECK_SETTING);
  if (sealed === undefined) return undefined;
  return box !== undefined && box.open(sealed) === CHECK_PLAINTEXT;
}

/** The store was first started with another secret key: its sealed secrets cannot be opened with this one. */
export class SecretKeyMismatchError extends Error {
  constructor() {
    super(
      'GATEHOUSE_SECRET_KEY does not match the key this store was first started with. ' +
        'Set it to the original key (with several instances, every instance needs the same one).',
    );
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
