import type { Mode, ScriptName } from './api/types.js';
import { SCRIPT_DISPLAY_NAMES } from '../custom-db/contract/script-contract.js';
export { OPTIONAL_SCRIPTS } from '../custom-db/contract/script-contract.js';
import { SCRIPTS_BY_MODE } from '../custom-db/modes.js';

/** What the console calls each script: the runtime's own names for them. */
export const SCRIPT_LABELS = SCRIPT_DISPLAY_NAMES;

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
