/**
 * exportUsers, the ninth script: its result shape is checked like every other script's, and
 * the password hashes it alone may answer stay out of its console lines and debug answers.
 */
import { describe, expect, it } from 'vitest';
import { validateResult } from '../../src/custom-db/contract/result-validation.js';
import { maskExportedHashes, redactExportedHashesFromLogs } from '../../src/custom-db/redaction.js';
import type { CallOutcome } from '../../src/custom-db/contract/script-contract.js';

const HASH = '$2b$10$abcdefghijklmnopqrstuuD8W1Xn7QJ5oQ4e1dYy8bq6QXb6G4h8y';
const user = (id: string, passwordHash?: unknown) => ({ id, email: `${id}@old.example`, ...(passwordHash === undefined ? {} : { passwordHash }) });
const problemOf = (value: unknown): string | null => {
  const checked = validateResult('exportUsers', value);
  return checked.ok ? null : checked.message;
};

describe('exportUsers results', () => {
  it.each([
    ['a page with a cursor and a count', { list: [user('1', { algorithm: 'bcrypt', hash: HASH })], nextCursor: '1', totalCount: 10 }],
    ['the last page', { list: [], nextCursor: null }],
    ['a number cursor', { list: [user('2')], nextCursor: 2 }],
    ['hash parameters as numbers', { list: [user('3', { algorithm: 'pbkdf2', hash: 'abc', salt: 's', iterations: 1000 })], nextCursor: null }],
    ['a null passwordHash', { list: [user('4', null)], nextCursor: null }],
  ])('accepts %s', (_, value) => {
    expect(problemOf(value)).toBeNull();
  });

  it.each([
    ['no nextCursor', { list: [] }, /`nextCursor` is undefined/],
    ['an empty cursor', { list: [], nextCursor: '' }, /`nextCursor`/],
    ['a cursor object', { list: [], nextCursor: { id: 1 } }, /`nextCursor` is an object/],
    ['a negative totalCount', { list: [], nextCursor: null, totalCount: -1 }, /`totalCount`/],
    ['a list that is no array', { list: {}, nextCursor: null }, /`list` is an object/],
    ['a profile without id', { list: [{ email: 'x@y.z' }], nextCursor: null }, /`list\[0\]`: .*without `id`/],
    ['a bare hash string', { list: [user('1', HASH)], nextCursor: null }, /`list\[0\]`: `passwordHash` is a string of 60 characters; it must be an object/],
    ['a hash without algorithm', { list: [user('1', { hash: HASH })], nextCursor: null }, /`passwordHash.algorithm` must be non-empty text/],
    ['a salt that is an object', { list: [user('1', { algorithm: 'sha256', hash: 'ab', salt: {} })], nextCursor: null }, /`passwordHash.salt` is an object/],
  ])('refuses %s', (_, value, message) => {
    expect(problemOf(value)).toMatch(message);
    // The message names fields, never the hash itself.
    expect(problemOf(value)).not.toContain(HASH);
  });
});

describe('exported hashes stay out of logs and debug answers', () => {
  const outcome: CallOutcome = {
    ok: true,
    result: { list: [user('1', { algorithm: 'sha256', hash: HASH, salt: 'pepper-salt', encoding: 'hex' })], nextCursor: null },
    logs: [{ level: 'log', message: `exported ${HASH} with pepper-salt` }],
    durationMs: 1,
  };

  it('scrubs each hash and salt of the result from the console lines, keeping the result whole', () => {
    const scrubbed = redactExportedHashesFromLogs('exportUsers', outcome);
    expect(scrubbed.logs).toEqual([{ level: 'log', message: 'exported ******** with ********' }]);
    expect(scrubbed.ok && scrubbed.result).toEqual(outcome.ok && outcome.result);
    // Other scripts' outcomes are not touched.
    expect(redactExportedHashesFromLogs('listUsers', outcome)).toBe(outcome);
  });

  it('masks hash and salt in a debug answer, keeping the algorithm and its parameters', () => {
    const masked = maskExportedHashes('exportUsers', outcome);
    expect(masked.ok && (masked.result as { list: { passwordHash: unknown }[] }).list[0]?.passwordHash).toEqual({
      algorithm: 'sha256',
      hash: '********',
      salt: '********',
      encoding: 'hex',
    });
  });
});
