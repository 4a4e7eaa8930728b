import type { SipMessage } from './sip-message.js';

/**
 * Serializes a message: start line, header fields in order, a Content-Length that always matches the body
 * (§18.3 — mandatory on streams, harmless on datagrams), the empty line, the body.
 */
export function serializeMessage(msg: SipMessage): Buffer {
  const startLine = msg.kind === 'request' ? `${msg.method} ${msg.uri} SIP/2.0` : `SIP/2.0 ${msg.status} ${msg.reason}`;
  const headers = msg.headers.clone();
  headers.set('content-length', String(msg.body.length));
  const head = Buffer.from(`${startLine}\r\n${headers.toString()}\r\n`, 'utf8');
  return msg.body.length === 0 ? head : Buffer.concat([head, msg.body]);
}
