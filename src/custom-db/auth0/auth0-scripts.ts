/**
 * The Auth0 dialect's side of the contract: Auth0's custom database script names, the
 * function names Auth0's editor gives them, their arguments, and which Gatehouse-style
 * scripts may stand beside them. Pure (no Node imports): the console imports it too.
 */
import { checkEntrySource, type SourceCheckResult } from '../../script-runtime/source-check.js';
import { SCRIPT_NAMES, type ScriptName } from '../contract/script-contract.js';

export const DIALECTS = ['gatehouse', 'auth0'] as const;
export type Dialect = (typeof DIALECTS)[number];

export const AUTH0_SCRIPT_NAMES = ['login', 'get_user', 'create', 'verify', 'change_password', 'delete', 'change_email'] as const;
export type Auth0ScriptName = (typeof AUTH0_SCRIPT_NAMES)[number];

/** Auth0's names that are not also Gatehouse script names (`login` is both). */
export const AUTH0_ONLY_SCRIPT_NAMES = AUTH0_SCRIPT_NAMES.filter((name): name is Exclude<Auth0ScriptName, 'login'> => name !== 'login');

/**
 * Gatehouse-style scripts an Auth0 connection may add beside Auth0's: Auth0 has no list or
 * search scripts, and no way to find a user by id (which a custom user store needs for
 * verify, change_password and change_email, keyed by email in Auth0).
 */
export const AUTH0_COMPANION_SCRIPTS = ['getUser', 'listUsers', 'searchUser'] as const satisfies readonly ScriptName[];
export type Auth0CompanionScript = (typeof AUTH0_COMPANION_SCRIPTS)[number];

/** The script keys a connection of each dialect may set. */
export const DIALECT_SCRIPT_KEYS: Record<Dialect, readonly string[]> = {
  gatehouse: SCRIPT_NAMES,
  auth0: [...AUTH0_SCRIPT_NAMES, ...AUTH0_COMPANION_SCRIPTS],
};

export function isAuth0ScriptName(value: unknown): value is Auth0ScriptName {
  return typeof value === 'string' && (AUTH0_SCRIPT_NAMES as readonly string[]).includes(value);
}

/** The function each script declares in Auth0's editor, first; then names seen in the wild. */
export const AUTH0_FUNCTION_NAMES: Record<Auth0ScriptName, readonly string[]> = {
  login: ['login'],
  get_user: ['getByEmail', 'getUser', 'get_user'],
  create: ['create'],
  verify: ['verify'],
  change_password: ['changePassword'],
  delete: ['remove', 'deleteUser'],
  change_email: ['changeEmail'],
};

/** Auth0's arguments before the callback, as the debug form names them. */
export const AUTH0_ARGUMENTS: Record<Auth0ScriptName, readonly string[]> = {
  login: ['email', 'password'],
  get_user: ['email'],
  create: ['user'],
  verify: ['email'],
  change_password: ['email', 'newPassword'],
  delete: ['id'],
  change_email: ['email', 'newEmail', 'verified'],
};

export function auth0ScriptLabel(script: Auth0ScriptName): string {
  return `The Auth0 ${script} script`;
}

/** The save-time and editor check: parses, and finds one of the script's function names declared at top level. */
export function checkAuth0ScriptSource(script: Auth0ScriptName, source: string): SourceCheckResult {
  const [canonical = script, ...others] = AUTH0_FUNCTION_NAMES[script];
  const first = checkEntrySource(canonical, source, auth0ScriptLabel(script));
  if (first.ok || !first.message.includes('must declare a top-level')) return first;
  if (others.some((name) => checkEntrySource(name, source).ok)) return { ok: true };
  return { ...first, message: `${auth0ScriptLabel(script)} must declare a top-level \`function ${canonical}(${[...AUTH0_ARGUMENTS[script], 'callback'].join(', ')})\`` };
}
