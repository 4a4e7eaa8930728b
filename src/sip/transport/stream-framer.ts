import { SipLimitError, SipParseError } from '../errors.js';

const CRLFCRLF = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH_RE = /^(?:content-length|l)[ \t]*:[ \t]*([0-9]+)[ \t]*$/im;

/** One event out of the framer: a complete message, or a keep-alive ping (RFC 5626 §3.5.1 double CRLF). */
export type Frame = { kind: 'message'; data: Buffer } | { kind: 'ping' };

/**
 * Cuts a TCP byte stream into SIP messages (RFC 3261 §18.3): headers end at the first empty line, the body
 * is exactly Content-Length octets, which is mandatory on streams. Handles partial and pipelined reads.
 * After an error the stream cannot be resynchronised; the caller closes the connection.
 */
export class StreamFramer {
  #buf: Buffer = Buffer.alloc(0);
  readonly #maxMessageBytes: number;

  constructor(maxMessageBytes = 64 * 1024) {
    this.#maxMessageBytes = maxMessageBytes;
  }

  /** Bytes buffered but not yet framed. */
  get pending(): number {
    return this.#buf.length;
  }

  /** Appends a chunk and returns every frame now complete. Throws SipParseError / SipLimitError. */
  push(chunk: Buffer): Frame[] {
    this.#buf = this.#buf.length === 0 ? chunk : Buffer.concat([this.#buf, chunk]);
    const frames: Frame[] = [];
    for (;;) {
      let skip = 0;
      while (this.#buf[skip] === 0x0d && this.#buf[skip + 1] === 0x0a) skip += 2;
      if (skip >= 4) frames.push({ kind: 'ping' });
      if (skip > 0) this.#buf = this.#buf.subarray(skip);
      if (this.#buf.length === 0) break;
      const headEnd = this.#buf.indexOf(CRLFCRLF);
      if (headEnd < 0) {
        if (this.#buf.length > this.#maxMessageBytes) throw new SipLimitError('header section exceeds the message size limit');
        break;
      }
      const head = this.#buf.toString('latin1', 0, headEnd);
      const all = head.match(new RegExp(CONTENT_LENGTH_RE.source, 'gim')) ?? [];
      if (all.length !== 1) throw new SipParseError(all.length === 0 ? 'Content-Length is mandatory on a stream transport' : 'more than one Content-Length');
      const m = CONTENT_LENGTH_RE.exec(head) as RegExpExecArray;
      const bodyLength = Number(m[1]);
      const total = headEnd + 4 + bodyLength;
      if (total > this.#maxMessageBytes) throw new SipLimitError(`message of ${total} bytes exceeds ${this.#maxMessageBytes}`);
      if (this.#buf.length < total) break;
      frames.push({ kind: 'message', data: Buffer.from(this.#buf.subarray(0, total)) });
      this.#buf = this.#buf.subarray(total);
    }
    if (this.#buf.length > 0 && this.#buf.byteOffset > 0) this.#buf = Buffer.from(this.#buf);
    return frames;
  }
}
