import type { Dialect, Mode, ScriptKey, ScriptName } from './api/types.js';
import { SCRIPT_DISPLAY_NAMES } from '../custom-db/contract/script-contract.js';
export { OPTIONAL_SCRIPTS } from '../custom-db/contract/script-contract.js';
import { SCRIPTS_BY_MODE } from '../custom-db/modes.js';
import { AUTH0_ARGUMENTS, AUTH0_COMPANION_SCRIPTS, AUTH0_FUNCTION_NAMES, type Auth0ScriptName } from '../custom-db/auth0/auth0-scripts.js';

/** What the console calls each script: the runtime's own names for Gatehouse's, Auth0's names for Auth0's. */
export const SCRIPT_LABELS: Record<ScriptKey, string> = {
  ...SCRIPT_DISPLAY_NAMES,
  get_user: 'Get User (get_user)',
  create: 'Create',
  verify: 'Verify',
  change_password: 'Change Password',
  delete: 'Delete',
  change_email: 'Change Email',
};

export const SCRIPT_SIGNATURES: Record<ScriptName, string> = {
  login: 'async function login(query, password, context)',
  getUser: 'async function getUser(query, context)',
  searchUser: 'async function searchUser(keyword, context)',
  createUser: 'async function createUser(userinfo, context)',
  updateUser: 'async function updateUser(id, updates, context)',
  deleteUser: 'async function deleteUser(id, context)',
  listUsers: 'async function listUsers(page, limit, context)',
  validatePassword: 'async function validatePassword(id, password, context)',
  exportUsers: 'async function exportUsers(cursor, limit, context)',
};

export const SCRIPT_PURPOSES: Record<ScriptName, string> = {
  login: 'Runs when a user logs in: check the account and password, return the profile.',
  getUser: 'Finds one user by email, username, phone or id; returns null when there is none.',
  searchUser: 'Fuzzy search for the users page; returns { totalCount, list }.',
  createUser: 'Runs on registration and when an administrator creates a user.',
  updateUser: 'Runs when a profile or password changes; returns the updated profile.',
  deleteUser: 'Runs when an administrator deletes a user; returns true.',
  listUsers: 'One page of users for the users page; returns { totalCount, list }.',
  validatePassword: "Checks a user's password; returns true or false.",
  exportUsers:
    'Optional: one page of users with their password hashes for “Import the rest”, after `cursor` (null first); returns { list, nextCursor, totalCount? }, nextCursor null at the end.',
};

export const MODE_SCRIPTS = SCRIPTS_BY_MODE;

const AUTH0_PURPOSES: Record<Auth0ScriptName, string> = {
  login: 'Auth0 login: check the email (or username) and password, call back with the profile.',
  get_user: 'Auth0 get_user: call back with the profile for an email or username, or with nothing when there is none.',
  create: 'Auth0 create: add the user (user.email, user.password…); ValidationError("user_exists") when taken.',
  verify: 'Auth0 verify: mark the email verified; call back with true.',
  change_password: 'Auth0 change_password: set the new password; call back with true.',
  delete: 'Auth0 delete: remove the user by id.',
  change_email: 'Auth0 change_email: move the user to the new email; call back with true.',
};

/** Auth0's scripts each mode runs, and the Gatehouse-style companions a custom user store may add. */
const AUTH0_MODE_SCRIPTS: Record<Mode, readonly ScriptKey[]> = {
  LAZY_MIGRATION: ['login', 'get_user'],
  CUSTOM_USER_STORE: ['login', 'get_user', 'create', 'verify', 'change_password', 'delete', 'change_email', ...AUTH0_COMPANION_SCRIPTS],
};

/** The editor's tabs: the scripts of the dialect that the mode runs. */
export function scriptsFor(dialect: Dialect, mode: Mode): readonly ScriptKey[] {
  return dialect === 'auth0' ? AUTH0_MODE_SCRIPTS[mode] : MODE_SCRIPTS[mode];
}

const isGatehouseName = (name: ScriptKey): name is ScriptName => name in SCRIPT_SIGNATURES;

/** The signature a script is written with: Auth0's callback style for Auth0's scripts. */
export function scriptSignature(dialect: Dialect, name: ScriptKey): string {
  if (isGatehouseName(name) && !(dialect === 'auth0' && name === 'login')) return SCRIPT_SIGNATURES[name];
  const script = name as Auth0ScriptName;
  return `function ${AUTH0_FUNCTION_NAMES[script][0] ?? script}(${[...AUTH0_ARGUMENTS[script], 'callback'].join(', ')})`;
}

export function scriptPurpose(dialect: Dialect, name: ScriptKey): string {
  if (isGatehouseName(name) && !(dialect === 'auth0' && name === 'login')) return SCRIPT_PURPOSES[name];
  return AUTH0_PURPOSES[name as Auth0ScriptName];
}

export const MODES: readonly { mode: Mode; label: string; description: string }[] = [
  {
    mode: 'LAZY_MIGRATION',
    label: 'Lazy migration',
    description:
      "Each user's first login is checked against your database and, on success, copied into Gatehouse; later logins never touch your database.",
  },
  {
    mode: 'CUSTOM_USER_STORE',
    label: 'Custom user store',
    description:
      'Users stay in your database for good: every login and every user operation runs your scripts, and Gatehouse stores nothing about them.',
  },
];

/** Display names of the server's templates, by id (the select shows these). */
export const TEMPLATE_LABELS: Record<string, string> = {
  postgres: 'PostgreSQL',
  mysql: 'MySQL',
  mongodb: 'MongoDB',
  webservice: 'Web service',
};

/** The sample user of `npm run sample-db`, offered as a hint when debugging. */
export const SAMPLE_USER = { email: 'alice@example.com', phone: '+15550100001', password: 'alice-password-1' };
