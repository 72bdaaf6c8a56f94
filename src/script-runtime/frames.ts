/**
 * The wire between the server and a runtime: a plain pipe (fd 3 in the child) carrying
 * length-prefixed JSON frames, a 4-byte big-endian byte length then that many bytes of UTF-8
 * JSON. No Node IPC channel exists, so nothing a script writes can be taken for a Node-internal
 * command or carry a handle; every byte from the child is hostile until `FrameDecoder` and the
 * schema check in protocol.ts have accepted it.
 */

export const FRAME_HEADER_BYTES = 4;

export function encodeFrame(message: unknown): Buffer {
  // Stryker disable next-line StringLiteral: Node reads an empty encoding as utf8, so the mutant encodes the same bytes
  const body = Buffer.from(JSON.stringify(message), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_HEADER_BYTES + body.length);
  frame.writeUInt32BE(body.length, 0);
  body.copy(frame, FRAME_HEADER_BYTES);
  return frame;
}

export type DecodeResult = { ok: true; messages: unknown[] } | { ok: false; reason: string };

/**
 * Splits a byte stream into parsed frames. Refuses (and stays refused) on a frame over
 * `maxFrameBytes` (checked from the header, before the body is buffered) or one that is not
 * JSON, so the caller can kill the sender; memory held is bounded by one frame.
 */
export class FrameDecoder {
  readonly #maxFrameBytes: number;
  #chunks: Buffer[] = [];
  #buffered = 0;
  #failed: string | null = null;

  constructor(maxFrameBytes: number) {
    this.#maxFrameBytes = maxFrameBytes;
  }

  push(chunk: Buffer): DecodeResult {
    if (this.#failed !== null) return { ok: false, reason: this.#failed };
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    const messages: unknown[] = [];
    while (this.#buffered >= FRAME_HEADER_BYTES) {
      const head = this.#peek(FRAME_HEADER_BYTES);
      const length = head.readUInt32BE(0);
      if (length > this.#maxFrameBytes) return this.#fail(`a frame of ${length} bytes is over the ${this.#maxFrameBytes}-byte limit`);
      if (this.#buffered < FRAME_HEADER_BYTES + length) break;
      const frame = this.#take(FRAME_HEADER_BYTES + length).subarray(FRAME_HEADER_BYTES);
      try {
        messages.push(JSON.parse(frame.toString('utf8')) as unknown);
      } catch {
        return this.#fail('a frame is not JSON');
      }
    }
    return { ok: true, messages };
  }

  #fail(reason: string): DecodeResult {
    this.#failed = reason;
    // Stryker disable next-line ArrayDeclaration: this only lets the buffered bytes go; a failed decoder answers its reason without reading the chunks
    this.#chunks = [];
    this.#buffered = 0;
    return { ok: false, reason };
  }

  #peek(bytes: number): Buffer {
    const first = this.#chunks[0];
    // Stryker disable next-line ConditionalExpression,EqualityOperator: push peeks only with bytes buffered, so a first chunk exists; a first chunk of exactly `bytes` and the copy below answer the same bytes
    if (first !== undefined && first.length >= bytes) return first;
    return Buffer.concat(this.#chunks).subarray(0, bytes);
  }

  #take(bytes: number): Buffer {
    // Stryker disable next-line ConditionalExpression: with one chunk, Buffer.concat answers a copy of the same bytes (the branch only saves the copy)
    const all = this.#chunks.length === 1 ? (this.#chunks[0] as Buffer) : Buffer.concat(this.#chunks);
    const rest = all.subarray(bytes);
    // Stryker disable next-line ConditionalExpression,EqualityOperator: keeping an empty chunk changes no byte that #peek or #take answer
    this.#chunks = rest.length > 0 ? [rest] : [];
    this.#buffered = rest.length;
    return all.subarray(0, bytes);
  }
}
