/**
 * `parseChildMessage`: every shape a runtime may send is accepted as exactly that shape, and
 * anything else (an extra key, a wrong type, an over-long string) is refused with null, which
 * ends the runtime. Pure unit tests; runtime.transport.test.ts covers the same through processes.
 */
import { describe, expect, test } from 'vitest';
import { parseChildMessage } from '../../src/script-runtime/protocol.js';
import { RUNTIME_FAILURE_KINDS } from '../../src/script-runtime/types.js';

const failure = { kind: 'runtime', name: 'TypeError', message: 'x is not a function' };
const result = (fields: Record<string, unknown>): Record<string, unknown> => ({ type: 'result', id: 1, ok: true, result: { id: 'u1' }, logs: [], ...fields });
const failed = (fields: Record<string, unknown>): Record<string, unknown> => ({ type: 'result', id: 1, ok: false, error: failure, logs: [], ...fields });

describe('parseChildMessage: what is not a message object', () => {
  test.each([
    ['null', null],
    ['undefined', undefined],
    ['a string', 'ready'],
    ['a number', 1],
    ['an array', ['ready']],
    ['an object without a type', {}],
    ['an unknown type', { type: 'call', id: 1 }],
    ['a type that is not a string', { type: 1 }],
    ['a Node IPC command', { cmd: 'NODE_HANDLE_ACK' }],
  ])('refuses %s', (_name, value) => {
    expect(parseChildMessage(value)).toBeNull();
  });

  test('an array carrying a type key is still not a message', () => {
    expect(parseChildMessage(Object.assign([], { type: 'ready' }))).toBeNull();
  });
});

describe('ready', () => {
  test('is accepted with no other key', () => {
    expect(parseChildMessage({ type: 'ready' })).toStrictEqual({ type: 'ready' });
  });

  test('with any other key is refused', () => {
    expect(parseChildMessage({ type: 'ready', id: 1 })).toBeNull();
  });
});

describe('pong', () => {
  test.each([0, 7, Number.MAX_SAFE_INTEGER])('is accepted with id %d', (id) => {
    expect(parseChildMessage({ type: 'pong', id })).toStrictEqual({ type: 'pong', id });
  });

  test.each([
    ['a missing id', { type: 'pong' }],
    ['a negative id', { type: 'pong', id: -1 }],
    ['a fractional id', { type: 'pong', id: 1.5 }],
    ['an id past the safe integers', { type: 'pong', id: 2 ** 53 }],
    ['an infinite id', { type: 'pong', id: Infinity }],
    ['NaN', { type: 'pong', id: Number.NaN }],
    ['a string id', { type: 'pong', id: '1' }],
    ['an extra key', { type: 'pong', id: 1, ok: true }],
  ])('refuses %s', (_name, value) => {
    expect(parseChildMessage(value)).toBeNull();
  });
});

describe('fatal', () => {
  test('is accepted with a failure, which is copied without extra keys', () => {
    expect(parseChildMessage({ type: 'fatal', error: failure })).toStrictEqual({ type: 'fatal', error: failure });
  });

  test('keeps a stack when there is one', () => {
    const error = { ...failure, stack: 'TypeError: x\n    at getUser' };
    expect(parseChildMessage({ type: 'fatal', error })).toStrictEqual({ type: 'fatal', error });
  });

  test('refuses a missing error or an extra key', () => {
    expect(parseChildMessage({ type: 'fatal' })).toBeNull();
    expect(parseChildMessage({ type: 'fatal', error: failure, logs: [] })).toBeNull();
  });
});

describe('a failure (fatal and failed results)', () => {
  test.each(RUNTIME_FAILURE_KINDS)('accepts kind %s', (kind) => {
    expect(parseChildMessage({ type: 'fatal', error: { ...failure, kind } })).toStrictEqual({ type: 'fatal', error: { ...failure, kind } });
  });

  test('a name of 256 characters and a message and stack of 16 KiB are accepted', () => {
    const error = { kind: 'runtime', name: 'N'.repeat(256), message: 'm'.repeat(16 * 1024), stack: 's'.repeat(16 * 1024) };
    expect(parseChildMessage({ type: 'fatal', error })).toStrictEqual({ type: 'fatal', error });
    expect(parseChildMessage(failed({ error }))).toStrictEqual({ type: 'result', id: 1, ok: false, error, logs: [] });
  });

  test.each([
    ['not an object', 'TypeError'],
    ['null', null],
    ['an array', [failure]],
    ['an unknown kind', { ...failure, kind: 'crash' }],
    ['a missing kind', { name: 'TypeError', message: 'x' }],
    ['a name that is not a string', { ...failure, name: 1 }],
    ['a missing name', { kind: 'runtime', message: 'x' }],
    ['a name of 257 characters', { ...failure, name: 'N'.repeat(257) }],
    ['a message that is not a string', { ...failure, message: { text: 'x' } }],
    ['a missing message', { kind: 'runtime', name: 'TypeError' }],
    ['a message over 16 KiB', { ...failure, message: 'm'.repeat(16 * 1024 + 1) }],
    ['a stack that is not a string', { ...failure, stack: ['at x'] }],
    ['a null stack', { ...failure, stack: null }],
    ['a stack over 16 KiB', { ...failure, stack: 's'.repeat(16 * 1024 + 1) }],
    ['an extra key', { ...failure, cause: 'x' }],
  ])('refuses %s', (_name, error) => {
    expect(parseChildMessage({ type: 'fatal', error })).toBeNull();
    expect(parseChildMessage(failed({ error }))).toBeNull();
  });
});

describe('result', () => {
  test('a success is accepted with its result and logs', () => {
    const logs = [
      { level: 'log', message: 'a' },
      { level: 'info', message: 'b' },
      { level: 'warn', message: 'c' },
      { level: 'error', message: '' },
    ];
    expect(parseChildMessage(result({ id: 9, logs }))).toStrictEqual({ type: 'result', id: 9, ok: true, result: { id: 'u1' }, logs });
  });

  test('a success without a result key answers an undefined result', () => {
    expect(parseChildMessage({ type: 'result', id: 0, ok: true, logs: [] })).toStrictEqual({ type: 'result', id: 0, ok: true, result: undefined, logs: [] });
  });

  test('a success may carry any JSON as its result, null included', () => {
    expect(parseChildMessage(result({ result: null }))).toStrictEqual({ type: 'result', id: 1, ok: true, result: null, logs: [] });
    expect(parseChildMessage(result({ result: [1, 'a'] }))).toStrictEqual({ type: 'result', id: 1, ok: true, result: [1, 'a'], logs: [] });
  });

  test('a failure is accepted with its error and logs, and no result key', () => {
    const logs = [{ level: 'warn', message: 'slow' }];
    expect(parseChildMessage(failed({ id: 4, logs }))).toStrictEqual({ type: 'result', id: 4, ok: false, error: failure, logs });
  });

  test('log entries are copied without extra keys', () => {
    const parsed = parseChildMessage(result({ logs: [{ level: 'log', message: 'a' }] }));
    expect(parsed).toStrictEqual({ type: 'result', id: 1, ok: true, result: { id: 'u1' }, logs: [{ level: 'log', message: 'a' }] });
  });

  test.each([
    ['an extra key', result({ extra: 1 })],
    ['a missing id', { type: 'result', ok: true, result: 1, logs: [] }],
    ['a negative id', result({ id: -1 })],
    ['a string id', result({ id: '1' })],
    ['ok that is not a boolean', result({ ok: 'true' })],
    ['ok of 1', result({ ok: 1 })],
    ['missing logs', { type: 'result', id: 1, ok: true, result: 1 }],
    ['logs that are not an array', result({ logs: { level: 'log', message: 'a' } })],
    ['a log entry that is not an object', result({ logs: ['a'] })],
    ['a null log entry', result({ logs: [null] })],
    ['a log entry that is an array', result({ logs: [['log', 'a']] })],
    ['a log entry with an extra key', result({ logs: [{ level: 'log', message: 'a', time: 1 }] })],
    ['a log entry with an unknown level', result({ logs: [{ level: 'debug', message: 'a' }] })],
    ['a log entry whose level is not a string', result({ logs: [{ level: 1, message: 'a' }] })],
    ['a log entry without a level', result({ logs: [{ message: 'a' }] })],
    ['a log entry whose message is not a string', result({ logs: [{ level: 'log', message: 1 }] })],
    ['a log entry without a message', result({ logs: [{ level: 'log' }] })],
    ['a bad log entry after a good one', result({ logs: [{ level: 'log', message: 'a' }, { level: 'trace', message: 'b' }] })],
    ['a success that also carries an error', result({ error: failure })],
    ['a success with an error key, even undefined', result({ error: undefined })],
    ['a failure without an error', { type: 'result', id: 1, ok: false, logs: [] }],
    ['a failure with a malformed error', failed({ error: { kind: 'runtime' } })],
    ['a failure that also carries a result', failed({ result: 1 })],
    ['a failure with a result key, even undefined', failed({ result: undefined })],
  ])('refuses %s', (_name, value) => {
    expect(parseChildMessage(value)).toBeNull();
  });
});
