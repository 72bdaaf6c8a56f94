/**
 * Gatehouse's operations (the eight script names the user directories call) carried out
 * with Auth0's scripts, as SCRIPTS.md's "Auth0 dialect" table maps them. Each operation
 * runs one or more entries in the connection's runtime and answers what the Gatehouse
 * script would have: the same outcome shape, the same typed errors and failure kinds, the
 * result checked by the same contract.
 */
import { validateResult } from '../contract/result-validation.js';
import type { CallOutcome, ScriptFailure, ScriptLog, ScriptName } from '../contract/script-contract.js';
import { auth0ScriptLabel, type Auth0ScriptName } from './auth0-scripts.js';
import { fromAuth0Profile, toAuth0User } from './auth0-profile.js';
import type { Auth0Entry } from './auth0-runtime.js';

export interface Auth0Calls {
  /** Whether the connection has source for an entry. */
  has(entry: Auth0Entry): boolean;
  /** Auth0 scripts take Auth0's arguments (the callback is the adapter's); companions take Gatehouse's, context last. */
  call(entry: Auth0Entry, args: unknown[]): Promise<CallOutcome>;
}

type Query = { id?: unknown; email?: unknown; username?: unknown; phone?: unknown };

const notImplemented = (message: string): ScriptFailure => ({ kind: 'not_implemented', name: 'NotImplementedError', message });
const typed = (name: string, message: string): ScriptFailure => ({ kind: 'runtime', name, message });
const invalid = (message: string): ScriptFailure => ({ kind: 'invalid_result', name: 'InvalidResultError', message });

const missing = (script: Auth0ScriptName, purpose: string) =>
  notImplemented(`Please add Auth0's ${script} script to this connection: Gatehouse runs it to ${purpose}`);

const BY_ID =
  "Auth0's scripts find users by email or username, not by id: add a Gatehouse-style getUser script beside them (getUser(query, context), query.id set) so Gatehouse can find a user by id";

/** Gatehouse profile fields Auth0's scripts can change, and how. */
const CHANGEABLE = new Set(['password', 'email', 'emailVerified']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function identifier(query: Query): string | null {
  for (const value of [query.email, query.username, query.phone]) if (typeof value === 'string') return value;
  return null;
}

/**
 * Runs `operation` with Auth0's scripts. `args` are the Gatehouse script's arguments,
 * `context` last. Never rejects.
 */
export async function runAuth0Operation(calls: Auth0Calls, operation: ScriptName, args: readonly unknown[]): Promise<CallOutcome> {
  const logs: ScriptLog[] = [];
  let durationMs = 0;
  const call = async (entry: Auth0Entry, entryArgs: unknown[]): Promise<CallOutcome> => {
    const outcome = await calls.call(entry, entryArgs);
    logs.push(...outcome.logs);
    durationMs += outcome.durationMs;
    return outcome;
  };
  const done = (result: unknown): CallOutcome => {
    const valid = validateResult(operation, result);
    return valid.ok ? { ok: true, result, logs, durationMs } : { ok: false, error: invalid(valid.message), logs, durationMs };
  };
  const failed = (error: ScriptFailure): CallOutcome => ({ ok: false, error, logs, durationMs });
  const context = args[args.length - 1];

  /** An Auth0 profile by email or username, as Gatehouse answers it (null: no such user). */
  const byAccount = async (account: string): Promise<CallOutcome> => {
    if (!calls.has('get_user')) return failed(missing('get_user', 'find users by email or username'));
    const outcome = await call('get_user', [account]);
    return outcome.ok ? { ...outcome, result: outcome.result === null ? null : fromAuth0Profile(outcome.result) } : outcome;
  };
  const byId = async (query: Query): Promise<CallOutcome> =>
    calls.has('getUser') ? call('getUser', [query, context]) : failed(notImplemented(BY_ID));
  /** The email a user's Auth0 scripts are keyed by, or the failure that says why there is none. */
  const emailOf = async (id: unknown): Promise<{ email: string } | { failure: ScriptFailure }> => {
    const found = await byId({ id });
    if (!found.ok) return { failure: found.error };
    if (found.result === null) return { failure: typed('UserNotFoundError', `No user with id ${String(id)}`) };
    const email = isRecord(found.result) ? found.result['email'] : undefined;
    return typeof email === 'string' && email !== ''
      ? { email }
      : { failure: notImplemented("This user has no email, and Auth0's scripts find users by email") };
  };
  /** Runs a script that answers true when it changed the user; false or nothing means no such user. */
  const change = async (script: Auth0ScriptName, scriptArgs: unknown[], purpose: string): Promise<ScriptFailure | null> => {
    if (!calls.has(script)) return missing(script, purpose);
    const outcome = await call(script, scriptArgs);
    if (!outcome.ok) return outcome.error;
    return outcome.result === false ? typed('UserNotFoundError', `${auth0ScriptLabel(script)} answered false: no such user`) : null;
  };

  switch (operation) {
    case 'login': {
      if (!calls.has('login')) return failed(missing('login', 'sign users in'));
      const account = identifier(isRecord(args[0]) ? args[0] : {});
      const outcome = await call('login', [account, args[1]]);
      if (!outcome.ok) return failed(outcome.error);
      if (outcome.result === null) return failed(typed('WrongUsernameOrPasswordError', `${auth0ScriptLabel('login')} called back without a profile`));
      return done(fromAuth0Profile(outcome.result));
    }
    case 'getUser': {
      const query: Query = isRecord(args[0]) ? args[0] : {};
      const account = identifier(query);
      const outcome = account !== null && (calls.has('get_user') || !calls.has('getUser')) ? await byAccount(account) : await byId(query);
      return outcome.ok ? done(outcome.result) : failed(outcome.error);
    }
    case 'listUsers':
    case 'searchUser': {
      // Auth0 has no list or search scripts; a Gatehouse-style one beside them answers.
      if (!calls.has(operation)) return failed(notImplemented(`Auth0 has no ${operation === 'listUsers' ? 'list' : 'search'} script: add a Gatehouse-style ${operation} script beside Auth0's to use it`));
      const outcome = await call(operation, [...args]);
      return outcome.ok ? done(outcome.result) : failed(outcome.error);
    }
    case 'createUser': {
      if (!calls.has('create')) return failed(missing('create', 'create users'));
      const user = toAuth0User(args[0]);
      const created = await call('create', [user]);
      if (!created.ok) return failed(created.error);
      // Auth0's create answers nothing; the new user's id comes from get_user.
      if (isRecord(created.result)) return done(fromAuth0Profile(created.result));
      const account = identifier({ email: user['email'], username: user['username'] });
      if (account === null || !calls.has('get_user')) return failed(invalid(`${auth0ScriptLabel('create')} answered no profile, and without get_user and an email or username Gatehouse cannot learn the new user's id`));
      const found = await byAccount(account);
      if (!found.ok) return failed(found.error);
      return found.result === null ? failed(invalid(`${auth0ScriptLabel('create')} succeeded, but get_user does not find the new user`)) : done(found.result);
    }
    case 'updateUser': {
      const [id, updates] = [args[0], isRecord(args[1]) ? args[1] : {}];
      const found = await byId({ id });
      if (!found.ok) return failed(found.error);
      if (found.result === null) return failed(typed('UserNotFoundError', `No user with id ${String(id)}`));
      const current = isRecord(found.result) ? found.result : {};
      const unchangeable = Object.keys(updates).filter((field) => !CHANGEABLE.has(field) && updates[field] !== undefined && updates[field] !== current[field]);
      if (unchangeable.length > 0) {
        return failed(notImplemented(`Auth0's scripts cannot change ${unchangeable.join(', ')}: only the password (change_password), the email (change_email) and its verification (verify)`));
      }
      const email = await emailOf(id);
      if ('failure' in email) return failed(email.failure);
      let address = email.email;
      if (typeof updates['password'] === 'string') {
        const problem = await change('change_password', [address, updates['password']], 'change passwords');
        if (problem !== null) return failed(problem);
      }
      if (typeof updates['email'] === 'string' && updates['email'] !== address) {
        const problem = await change('change_email', [address, updates['email'], updates['emailVerified'] === true], 'change email addresses');
        if (problem !== null) return failed(problem);
        address = updates['email'];
      } else if (updates['emailVerified'] === true && current['emailVerified'] !== true) {
        const problem = await change('verify', [address], 'mark email addresses verified');
        if (problem !== null) return failed(problem);
      }
      const updated = await byId({ id });
      if (!updated.ok) return failed(updated.error);
      return updated.result === null ? failed(typed('UserNotFoundError', `No user with id ${String(id)}`)) : done(updated.result);
    }
    case 'deleteUser': {
      if (!calls.has('delete')) return failed(missing('delete', 'delete users'));
      const outcome = await call('delete', [args[0]]);
      return outcome.ok ? done(true) : failed(outcome.error);
    }
    case 'validatePassword': {
      if (!calls.has('login')) return failed(missing('login', 'check passwords'));
      const email = await emailOf(args[0]);
      if ('failure' in email) return failed(email.failure);
      const outcome = await call('login', [email.email, args[1]]);
      if (outcome.ok) return done(outcome.result !== null);
      return outcome.error.kind === 'runtime' && outcome.error.name === 'WrongUsernameOrPasswordError' ? done(false) : failed(outcome.error);
    }
    case 'exportUsers':
      // Auth0 has no export script, so an Auth0 connection cannot import the rest (yet).
      return failed(notImplemented('Auth0 has no export script: an Auth0 connection cannot import the rest; bulk-import an Auth0 user export instead (POST …/users/import)'));
  }
}
