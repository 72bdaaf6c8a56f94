import { afterAll, describe, expect, test } from 'vitest';
import { validateResult } from '../../src/custom-db/contract/result-validation.js';
import { getUser, newPool, spec } from './helpers.js';

const pool = newPool();
afterAll(() => pool.close());

describe('result validation inside call()', () => {
  test('a profile without id fails with kind invalid_result', async () => {
    const outcome = await pool.call(spec(getUser('return { email: "a@example.com" };')), 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({
      ok: false,
      error: {
        kind: 'invalid_result',
        name: 'InvalidResultError',
        message: 'The Get user script returned an invalid result: it returned a profile without `id`',
      },
    });
  });

  test('a list without totalCount fails with kind invalid_result; its logs are kept', async () => {
    const outcome = await pool.call(
      spec({ listUsers: 'async function listUsers(page, limit) { console.log("page", page); return { list: [] }; }' }),
      'listUsers',
      [1, 10, {}],
    );
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'invalid_result' }, logs: [{ message: 'page 1' }] });
  });

  test('results travel as JSON: Dates become ISO strings, BigInts become strings', async () => {
    const outcome = await pool.call(
      spec(getUser('return { id: 12345678901234567890n, createdAt: new Date(0), nested: { n: 1n } };')),
      'getUser',
      [{}, {}],
    );
    expect(outcome).toMatchObject({ ok: true, result: { id: '12345678901234567890', createdAt: '1970-01-01T00:00:00.000Z', nested: { n: '1' } } });
  });

  test('a result that cannot be sent (a cycle) fails with kind invalid_result', async () => {
    const outcome = await pool.call(spec(getUser('const u = { id: 1 }; u.self = u; return u;')), 'getUser', [{}, {}]);
    expect(outcome).toMatchObject({ ok: false, error: { kind: 'invalid_result' } });
  });
});

describe('validateResult per script', () => {
  const profile = { id: 'u1', email: 'a@example.com' };
  test.each([
    ['login', profile, true],
    ['login', { id: 42 }, true],
    ['login', { id: '' }, false],
    ['login', { id: '   ' }, false],
    ['login', { id: null }, false],
    ['login', { id: Number.NaN }, false],
    ['login', null, false],
    ['login', [profile], false],
    ['getUser', null, true],
    ['getUser', undefined, false],
    ['getUser', profile, true],
    ['createUser', {}, false],
    ['updateUser', profile, true],
    ['searchUser', { totalCount: 1, list: [profile] }, true],
    ['searchUser', { totalCount: 0, list: [] }, true],
    ['searchUser', { totalCount: -1, list: [] }, false],
    ['searchUser', { totalCount: 1.5, list: [] }, false],
    ['listUsers', { totalCount: '1', list: [profile] }, false],
    ['listUsers', { totalCount: 1, list: [{ email: 'x' }] }, false],
    ['listUsers', { totalCount: 1 }, false],
    ['deleteUser', true, true],
    ['deleteUser', 1, false],
    ['deleteUser', undefined, false],
    ['validatePassword', false, true],
    ['validatePassword', true, true],
    ['validatePassword', 'true', false],
  ] as const)('%s returning %j is valid: %s', (script, value, valid) => {
    expect(validateResult(script, value).ok).toBe(valid);
  });

  test('messages say what was wrong', () => {
    expect(validateResult('listUsers', { totalCount: 1, list: [{ id: 'a' }, { name: 'b' }] })).toEqual({
      ok: false,
      message: 'The List users script returned an invalid result: `list[1]`: is a profile without `id`',
    });
    expect(validateResult('deleteUser', undefined)).toEqual({
      ok: false,
      message: 'The Delete user script returned an invalid result: it returned undefined (did it forget to return?) instead of true',
    });
  });
});
