/**
 * Auth0's normalized user profile ↔ Gatehouse's profile. Auth0 scripts answer snake_case
 * profiles (`user_id`, `email_verified`, `picture`, `given_name`…) and take a snake_case
 * `user` in `create`; Gatehouse scripts answer and take camelCase. Fields Auth0 writes that
 * Gatehouse has no place for are dropped, except that `user_metadata` may fill profile
 * fields the top level leaves unset (docs/coming-from-auth0.md).
 */
import { BOOLEAN_PROFILE_FIELDS, STRING_PROFILE_FIELDS } from '../../domain/user.js';

type Profile = Record<string, unknown>;

/** Auth0's name of a Gatehouse field, where it differs. */
const AUTH0_NAMES: Readonly<Record<string, string>> = {
  emailVerified: 'email_verified',
  phone: 'phone_number',
  phoneVerified: 'phone_verified',
  photo: 'picture',
  givenName: 'given_name',
  familyName: 'family_name',
  middleName: 'middle_name',
  preferredUsername: 'preferred_username',
  streetAddress: 'street_address',
  postalCode: 'postal_code',
  loginsCount: 'logins_count',
  lastLogin: 'last_login',
  lastIP: 'last_ip',
  createdAt: 'created_at',
  updatedAt: 'updated_at',
};

const FIELDS = [...STRING_PROFILE_FIELDS, ...BOOLEAN_PROFILE_FIELDS, 'loginsCount', 'lastLogin', 'lastIP', 'createdAt', 'updatedAt'] as const;

function isRecord(value: unknown): value is Profile {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A field's value in an Auth0 object: Auth0's name first, then Gatehouse's. */
function read(source: Profile, field: string): unknown {
  const auth0Name = AUTH0_NAMES[field];
  const value = auth0Name === undefined ? undefined : source[auth0Name];
  return value === undefined ? source[field] : value;
}

/** Auth0 user ids of database connections read `auth0|<id>`; Gatehouse keeps the id the database gave. */
export function gatehouseId(value: unknown): unknown {
  return typeof value === 'string' ? value.replace(/^auth0\|/, '') : value;
}

/**
 * A profile as a Gatehouse script would answer it. A value that is not an object is
 * answered as it is, so the contract's result check names what is wrong with it.
 */
export function fromAuth0Profile(value: unknown): unknown {
  if (!isRecord(value)) return value;
  const metadata = isRecord(value['user_metadata']) ? value['user_metadata'] : {};
  const profile: Profile = { id: gatehouseId(value['user_id'] ?? value['id']) };
  for (const field of FIELDS) {
    const top = read(value, field);
    const chosen = top === undefined || top === null ? read(metadata, field) : top;
    if (chosen !== undefined) profile[field] = chosen;
  }
  return profile;
}

/** Gatehouse's new-user input as Auth0's `create` receives its `user` (password included). */
export function toAuth0User(userinfo: unknown): Profile {
  const input = isRecord(userinfo) ? userinfo : {};
  const user: Profile = {};
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value === null) continue;
    user[AUTH0_NAMES[key] ?? key] = value;
  }
  return user;
}
