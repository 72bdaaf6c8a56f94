/**
 * The debug dialog's test-user form: which fields each script asks for, and how they
 * become the script's arguments (the server fills in `context`).
 */
import type { Dialect, ScriptKey, ScriptName } from '../api/types.js';
import type { Auth0ScriptName } from '../../custom-db/auth0/auth0-scripts.js';

export interface DebugFields {
  email: string;
  username: string;
  phone: string;
  id: string;
  password: string;
  keyword: string;
  page: string;
  limit: string;
  userinfo: string;
  updates: string;
  newPassword: string;
  newEmail: string;
  verified: string;
  user: string;
  /** exportUsers: empty for the first page, else the `nextCursor` a previous page answered */
  cursor: string;
}

export const EMPTY_DEBUG_FIELDS: DebugFields = {
  email: '',
  username: '',
  phone: '',
  id: '',
  password: '',
  keyword: '',
  page: '1',
  limit: '10',
  userinfo: '{\n  "email": "new.user@example.com",\n  "password": "new-user-password-1"\n}',
  updates: '{\n  "nickname": "New nickname"\n}',
  newPassword: '',
  newEmail: '',
  verified: 'false',
  user: '{\n  "email": "new.user@example.com",\n  "password": "new-user-password-1"\n}',
  cursor: '',
};

export type DebugField = keyof DebugFields;

/** The fields shown for each script, in order. */
export const DEBUG_FIELDS: Record<ScriptName, readonly DebugField[]> = {
  login: ['email', 'username', 'phone', 'password'],
  getUser: ['email', 'username', 'phone', 'id'],
  searchUser: ['keyword'],
  createUser: ['userinfo'],
  updateUser: ['id', 'updates'],
  deleteUser: ['id'],
  listUsers: ['page', 'limit'],
  validatePassword: ['id', 'password'],
  exportUsers: ['cursor', 'limit'],
};

export const DEBUG_FIELD_LABELS: Record<DebugField, string> = {
  email: 'Email',
  username: 'Username',
  phone: 'Phone',
  id: 'User ID',
  password: 'Password',
  keyword: 'Keyword',
  page: 'Page',
  limit: 'Limit',
  userinfo: 'User info (JSON)',
  updates: 'Updates (JSON)',
  newPassword: 'New password',
  newEmail: 'New email',
  verified: 'Verified (true or false)',
  user: 'User (JSON)',
  cursor: 'Cursor (empty: first page)',
};

/** Auth0's scripts take Auth0's arguments (SCRIPTS.md, "Auth0 dialect"): `email` may be a username. */
const AUTH0_DEBUG_FIELDS: Record<Auth0ScriptName, readonly DebugField[]> = {
  login: ['email', 'password'],
  get_user: ['email'],
  create: ['user'],
  verify: ['email'],
  change_password: ['email', 'newPassword'],
  delete: ['id'],
  change_email: ['email', 'newEmail', 'verified'],
};

const isAuth0Script = (dialect: Dialect, script: ScriptKey): script is Auth0ScriptName =>
  script in AUTH0_DEBUG_FIELDS && (dialect === 'auth0' || script !== 'login');

/** The fields shown for a script of a connection of this dialect. */
export function debugFieldsFor(dialect: Dialect, script: ScriptKey): readonly DebugField[] {
  return isAuth0Script(dialect, script) ? AUTH0_DEBUG_FIELDS[script] : DEBUG_FIELDS[script as ScriptName];
}

/** Auth0's arguments, in Auth0's order, from the form. */
function buildAuth0Args(script: Auth0ScriptName, fields: DebugFields): Built {
  const args: unknown[] = [];
  for (const field of AUTH0_DEBUG_FIELDS[script]) {
    const label = DEBUG_FIELD_LABELS[field];
    if (field === 'user') {
      const user = jsonObject(fields.user, 'User');
      if (typeof user === 'string') return { ok: false, message: user };
      args.push(user);
    } else if (field === 'verified') {
      if (fields.verified !== 'true' && fields.verified !== 'false') return { ok: false, message: `${label} must be true or false` };
      args.push(fields.verified === 'true');
    } else {
      const value = field === 'password' || field === 'newPassword' ? fields[field] : fields[field].trim();
      if (value === '') return { ok: false, message: `${label} is required` };
      args.push(value);
    }
  }
  return { ok: true, args };
}

/** The arguments for a script of a connection of this dialect. */
export function buildDebugArgsFor(dialect: Dialect, script: ScriptKey, fields: DebugFields): Built {
  return isAuth0Script(dialect, script) ? buildAuth0Args(script, fields) : buildDebugArgs(script as ScriptName, fields);
}

type Built = { ok: true; args: unknown[] } | { ok: false; message: string };

function oneOf(fields: DebugFields, keys: readonly ('email' | 'username' | 'phone' | 'id')[]): Record<string, string> | string {
  const given = keys.filter((key) => fields[key].trim() !== '');
  const labels = keys.map((key) => DEBUG_FIELD_LABELS[key]).join(', ');
  if (given.length !== 1) return `Fill exactly one of ${labels}`;
  const key = given[0] as (typeof keys)[number];
  return { [key]: fields[key].trim() };
}

function jsonObject(text: string, label: string): Record<string, unknown> | string {
  try {
    const value: unknown = JSON.parse(text);
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
    return `${label} must be a JSON object`;
  } catch (error) {
    return `${label} is not valid JSON: ${error instanceof Error ? error.message : String(error)}`;
  }
}

function positiveInteger(text: string, label: string): number | string {
  const value = Number(text);
  return Number.isInteger(value) && value >= 1 ? value : `${label} must be a whole number of at least 1`;
}

export function buildDebugArgs(script: ScriptName, fields: DebugFields): Built {
  const need = (value: string, label: string): string | undefined => (value === '' ? `${label} is required` : undefined);
  switch (script) {
    case 'login': {
      const query = oneOf(fields, ['email', 'username', 'phone']);
      if (typeof query === 'string') return { ok: false, message: query };
      const missing = need(fields.password, 'Password');
      return missing ? { ok: false, message: missing } : { ok: true, args: [query, fields.password] };
    }
    case 'getUser': {
      const query = oneOf(fields, ['email', 'username', 'phone', 'id']);
      return typeof query === 'string' ? { ok: false, message: query } : { ok: true, args: [query] };
    }
    case 'searchUser':
      return { ok: true, args: [fields.keyword] };
    case 'createUser': {
      const userinfo = jsonObject(fields.userinfo, 'User info');
      return typeof userinfo === 'string' ? { ok: false, message: userinfo } : { ok: true, args: [userinfo] };
    }
    case 'updateUser': {
      const missing = need(fields.id.trim(), 'User ID');
      if (missing) return { ok: false, message: missing };
      const updates = jsonObject(fields.updates, 'Updates');
      return typeof updates === 'string' ? { ok: false, message: updates } : { ok: true, args: [fields.id.trim(), updates] };
    }
    case 'deleteUser': {
      const missing = need(fields.id.trim(), 'User ID');
      return missing ? { ok: false, message: missing } : { ok: true, args: [fields.id.trim()] };
    }
    case 'listUsers': {
      const page = positiveInteger(fields.page, 'Page');
      if (typeof page === 'string') return { ok: false, message: page };
      const limit = positiveInteger(fields.limit, 'Limit');
      return typeof limit === 'string' ? { ok: false, message: limit } : { ok: true, args: [page, limit] };
    }
    case 'validatePassword': {
      const missing = need(fields.id.trim(), 'User ID') ?? need(fields.password, 'Password');
      return missing ? { ok: false, message: missing } : { ok: true, args: [fields.id.trim(), fields.password] };
    }
    case 'exportUsers': {
      const limit = positiveInteger(fields.limit, 'Limit');
      const cursor = fields.cursor.trim();
      return typeof limit === 'string' ? { ok: false, message: limit } : { ok: true, args: [cursor === '' ? null : cursor, limit] };
    }
  }
}
