/** Reading which account a request names, shared by the login and find-user routes. */
import { accountQueryFrom, type AccountQuery } from '../domain/user.js';
import { ApiError } from './errors.js';

type AccountKeys = { email?: string; username?: string; phone?: string };

/** Exactly one look-up key, so "find by email and phone" cannot mean two things. */
export function singleAccountQuery(query: AccountKeys, where: string): AccountQuery {
  const given = (['email', 'username', 'phone'] as const).filter((key) => query[key] !== undefined);
  const key = given[0];
  if (given.length !== 1 || key === undefined) {
    throw new ApiError('VALIDATION_ERROR', `${where} must have exactly one of email, username, phone`);
  }
  return { [key]: query[key] } as AccountQuery;
}

/** A login body's account: `account` (read as email, phone or username) or exactly one explicit key. */
export function loginAccountQuery(body: AccountKeys & { account?: string }): AccountQuery {
  const { account, ...keys } = body;
  const explicit = { email: keys.email, username: keys.username, phone: keys.phone };
  if (account !== undefined) {
    if (Object.values(explicit).some((value) => value !== undefined)) {
      throw new ApiError('VALIDATION_ERROR', 'body must have account or one of email, username, phone, not both');
    }
    return accountQueryFrom(account);
  }
  return singleAccountQuery(explicit, 'body');
}
