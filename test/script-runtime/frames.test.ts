/**
 * The framing of the server/runtime pipe, byte by byte: a 4-byte big-endian length, then that
 * many bytes of UTF-8 JSON. Pure unit tests; runtime.transport.test.ts covers the same rules
 * through real runtime processes.
 */
import { describe, expect, test } from 'vitest';
import { encodeFrame, FRAME_HEADER_BYTES, FrameDecoder } from '../../src/script-runtime/frames.js';

/** A frame built by hand, so the tests do not trust encodeFrame to check the decoder. */
function rawFrame(body: string | Buffer): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  const header = Buffer.alloc(4);
  header.writeUInt32BE(bytes.length, 0);
  return Buffer.concat([header, bytes]);
}

describe('encodeFrame', () => {
  test('is a 4-byte big-endian byte length, then the JSON', () => {
    expect(FRAME_HEADER_BYTES).toBe(4);
    expect(encodeFrame({ a: 1 })).toEqual(Buffer.concat([Buffer.from([0, 0, 0, 7]), Buffer.from('{"a":1}')]));
  });

  test('counts bytes, not characters, of non-ASCII text', () => {
    const frame = encodeFrame('é€😀');
    // "é€😀" with quotes: 2 + 2 + 3 + 4 bytes.
    expect(frame.readUInt32BE(0)).toBe(11);
    expect(frame.subarray(4).toString('utf8')).toBe('"é€😀"');
  });

  test('a length over 16 bits uses all four header bytes', () => {
    const frame = encodeFrame('x'.repeat(70_000));
    expect([...frame.subarray(0, 4)]).toEqual([0, 1, 0x11, 0x72]);
    expect(frame.length).toBe(4 + 70_002);
  });

  test('round-trips through the decoder', () => {
    const message = { type: 'result', id: 3, ok: true, result: { name: 'Zoë', list: [1, null, 'two'] }, logs: [] };
    expect(new FrameDecoder(1024).push(encodeFrame(message))).toEqual({ ok: true, messages: [message] });
  });
});

describe('FrameDecoder: splitting and merging', () => {
  test('answers no message until a frame is whole', () => {
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(Buffer.alloc(0))).toEqual({ ok: true, messages: [] });
    expect(decoder.push(Buffer.from([0, 0]))).toEqual({ ok: true, messages: [] });
    expect(decoder.push(Buffer.from([0, 7]))).toEqual({ ok: true, messages: [] });
    expect(decoder.push(Buffer.from('{"a":'))).toEqual({ ok: true, messages: [] });
    expect(decoder.push(Buffer.from('1}'))).toEqual({ ok: true, messages: [{ a: 1 }] });
  });

  test('a frame split at every possible byte decodes the same', () => {
    const bytes = Buffer.concat([rawFrame('{"first":true}'), rawFrame('[1,2,3]'), rawFrame('"Zoë"')]);
    for (let cut = 0; cut <= bytes.length; cut++) {
      const decoder = new FrameDecoder(1024);
      const first = decoder.push(bytes.subarray(0, cut));
      const second = decoder.push(bytes.subarray(cut));
      expect(first.ok && second.ok, `cut at ${cut}`).toBe(true);
      const messages = [...(first.ok ? first.messages : []), ...(second.ok ? second.messages : [])];
      expect(messages, `cut at ${cut}`).toEqual([{ first: true }, [1, 2, 3], 'Zoë']);
    }
  });

  test('one byte at a time decodes every frame, each once', () => {
    const bytes = Buffer.concat([rawFrame('1'), rawFrame('{"b":[2]}'), rawFrame('"three"')]);
    const decoder = new FrameDecoder(1024);
    const messages: unknown[] = [];
    for (const byte of bytes) {
      const result = decoder.push(Buffer.from([byte]));
      if (!result.ok) throw new Error(result.reason);
      messages.push(...result.messages);
    }
    expect(messages).toEqual([1, { b: [2] }, 'three']);
  });

  test('several frames in one chunk come out in order, with a partial one kept for later', () => {
    const decoder = new FrameDecoder(1024);
    const third = rawFrame('{"n":3}');
    expect(decoder.push(Buffer.concat([rawFrame('{"n":1}'), rawFrame('{"n":2}'), third.subarray(0, 6)]))).toEqual({ ok: true, messages: [{ n: 1 }, { n: 2 }] });
    expect(decoder.push(third.subarray(6))).toEqual({ ok: true, messages: [{ n: 3 }] });
    expect(decoder.push(rawFrame('{"n":4}'))).toEqual({ ok: true, messages: [{ n: 4 }] });
  });

  test('a frame whose bytes arrive in three chunks, then the next in one', () => {
    const decoder = new FrameDecoder(1024);
    const frame = rawFrame('{"long":"abcdefghij"}');
    expect(decoder.push(frame.subarray(0, 2))).toEqual({ ok: true, messages: [] });
    expect(decoder.push(frame.subarray(2, 9))).toEqual({ ok: true, messages: [] });
    expect(decoder.push(frame.subarray(9))).toEqual({ ok: true, messages: [{ long: 'abcdefghij' }] });
    expect(decoder.push(rawFrame('null'))).toEqual({ ok: true, messages: [null] });
  });
});

describe('FrameDecoder: limits and garbage', () => {
  test('a frame of exactly the limit is accepted; one byte more is refused', () => {
    const body = `"${'x'.repeat(98)}"`;
    expect(body.length).toBe(100);
    expect(new FrameDecoder(100).push(rawFrame(body))).toEqual({ ok: true, messages: ['x'.repeat(98)] });
    expect(new FrameDecoder(99).push(rawFrame(body))).toEqual({ ok: false, reason: 'a frame of 100 bytes is over the 99-byte limit' });
  });

  test('an oversize frame is refused from its header alone, before its body arrives', () => {
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(Buffer.from([0x7f, 0xff, 0xff, 0xff]))).toEqual({ ok: false, reason: 'a frame of 2147483647 bytes is over the 1024-byte limit' });
  });

  test('an oversize header split over two chunks is refused once whole', () => {
    const decoder = new FrameDecoder(10);
    expect(decoder.push(Buffer.from([0, 0]))).toEqual({ ok: true, messages: [] });
    expect(decoder.push(Buffer.from([0, 11]))).toEqual({ ok: false, reason: 'a frame of 11 bytes is over the 10-byte limit' });
  });

  test('an oversize frame after a good one in the same chunk refuses the chunk', () => {
    const decoder = new FrameDecoder(8);
    expect(decoder.push(Buffer.concat([rawFrame('1'), rawFrame('"123456789"')]))).toEqual({ ok: false, reason: 'a frame of 11 bytes is over the 8-byte limit' });
  });

  test('bytes that are not JSON are refused', () => {
    expect(new FrameDecoder(1024).push(rawFrame('{{{{{'))).toEqual({ ok: false, reason: 'a frame is not JSON' });
  });

  test('an empty frame (length 0) is not JSON', () => {
    expect(new FrameDecoder(1024).push(Buffer.from([0, 0, 0, 0]))).toEqual({ ok: false, reason: 'a frame is not JSON' });
  });

  test('invalid UTF-8 is read with replacement characters, as JSON text', () => {
    expect(new FrameDecoder(1024).push(rawFrame(Buffer.from([0x22, 0xff, 0x22])))).toEqual({ ok: true, messages: ['\ufffd'] });
  });

  test('once refused, the decoder stays refused with the first reason, even for a valid frame', () => {
    const decoder = new FrameDecoder(1024);
    expect(decoder.push(rawFrame('nope'))).toEqual({ ok: false, reason: 'a frame is not JSON' });
    expect(decoder.push(rawFrame('{"a":1}'))).toEqual({ ok: false, reason: 'a frame is not JSON' });
    expect(decoder.push(Buffer.from([0x7f, 0xff, 0xff, 0xff]))).toEqual({ ok: false, reason: 'a frame is not JSON' });
  });

  test('refused after an oversize header, the rest of the stream is not read as frames', () => {
    const decoder = new FrameDecoder(4);
    const oversize = Buffer.concat([Buffer.from([0, 0, 0, 5]), Buffer.from('12345')]);
    expect(decoder.push(oversize.subarray(0, 4))).toEqual({ ok: false, reason: 'a frame of 5 bytes is over the 4-byte limit' });
    expect(decoder.push(Buffer.concat([oversize.subarray(4), rawFrame('1')]))).toEqual({ ok: false, reason: 'a frame of 5 bytes is over the 4-byte limit' });
  });
});
