/**
 * The two modes of a custom database connection and the scripts each runs. Pure, so the
 * console shares it with the server.
 */
import type { ScriptName } from './contract/script-contract.js';

export const MODES = ['LAZY_MIGRATION', 'CUSTOM_USER_STORE'] as const;
export type CustomDbMode = (typeof MODES)[number];

/**
 * The scripts each mode runs; the others are kept but never called. `exportUsers` belongs
 * to lazy migration only (importing the rest ends a migration; a custom user store has none).
 */
export const SCRIPTS_BY_MODE: Record<CustomDbMode, readonly ScriptName[]> = {
  LAZY_MIGRATION: ['login', 'getUser', 'exportUsers'],
  CUSTOM_USER_STORE: ['login', 'getUser', 'searchUser', 'createUser', 'updateUser', 'deleteUser', 'listUsers', 'validatePassword'],
};
