import { displayName } from './header-names.js';
import type { SipMessage } from './sip-message.js';

/**
 * Serializes a message: start line, header fields in order, a Content-Length that always matches the body
 * (§18.3 — mandatory on streams, harmless on datagrams), the empty line, the body. Content-Length takes the
 * place of the first Content-Length row (later ones are dropped), or comes last.
 *
 * The bytes are a slice of Node's buffer pool, fine for sending; what is kept for long is copied out of it
 * (own-bytes.ts).
 */
export function serializeMessage(msg: SipMessage): Buffer {
  let head = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0\r\n` : `SIP/2.0 ${msg.status} ${msg.reason}\r\n`;
  const h = msg.headers;
  const length = `Content-Length: ${msg.body.length}\r\n`;
  let lengthWritten = false;
  for (let i = 0; i < h.size; i++) {
    const name = h.nameAt(i);
    if (name !== 'content-length') head += `${displayName(name)}: ${h.valueAt(i)}\r\n`;
    else if (!lengthWritten) head += length;
    lengthWritten ||= name === 'content-length';
  }
  if (!lengthWritten) head += length;
  head += '\r\n';
  const body = msg.body;
  if (body.length === 0) return Buffer.from(head, 'utf8');
  const headBytes = Buffer.byteLength(head, 'utf8');
  const out = Buffer.allocUnsafe(headBytes + body.length);
  out.write(head, 0, 'utf8');
  out.set(body, headBytes);
  return out;
}
