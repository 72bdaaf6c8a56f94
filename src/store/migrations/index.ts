/**
 * The list of migrations, in order. Imported statically (not read from a folder at run
 * time) so the same list works from `src/` under the test runner and from `dist/`.
 * Names are timestamps: Kysely runs them in name order and records each once.
 */
import type { Migration } from 'kysely';
import * as initial from './20261128T0310-initial.js';
import * as customDb from './20261128T0400-custom-db.js';
import * as loginThrottle from './20261128T0500-login-throttle.js';
import * as connectionRevision from './20261128T0540-connection-revision.js';
import * as loginAttempts from './20261129T2300-login-attempts.js';
import * as oidc from './20261129T2330-oidc.js';
import * as email from './20261130T0000-email.js';
import * as oidcAccount from './20261130T0030-oidc-account.js';
import * as jobs from './20261130T0200-jobs.js';

export const MIGRATIONS: Record<string, Migration> = {
  '20261128T0310-initial': initial,
  '20261128T0400-custom-db': customDb,
  '20261128T0500-login-throttle': loginThrottle,
  '20261128T0540-connection-revision': connectionRevision,
  '20261129T2300-login-attempts': loginAttempts,
  '20261129T2330-oidc': oidc,
  '20261130T0000-email': email,
  '20261130T0030-oidc-account': oidcAccount,
  '20261130T0200-jobs': jobs,
};
