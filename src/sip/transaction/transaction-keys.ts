import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { MAGIC_COOKIE } from '../message/via.js';

/**
 * §17.2.3: a server transaction is matched by the top Via branch (with the magic cookie), its sent-by, and
 * the method — ACK matches the INVITE. For RFC 2543 requests without the cookie (RFC 4475 §3.3.16, and the
 * bare cookie of §3.2.1) the key falls back to Call-ID, CSeq number, From tag, top Via and Request-URI.
 */
export function serverKey(req: SipRequest): string {
  const via = req.topVia;
  const branch = via.params.get('branch') ?? '';
  const method = req.method === 'ACK' ? 'INVITE' : req.method;
  if (branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length) {
    return `s|${branch}|${via.host}:${via.port ?? ''}|${method}`;
  }
  return `s2543|${req.callId}|${req.cseq.seq}|${req.fromTag ?? ''}|${via.host}:${via.port ?? ''}|${branch}|${req.uri}|${method}`;
}

/** §17.1.3: a response matches the client transaction with its top Via branch and CSeq method. */
export function clientKey(msg: SipRequest | SipResponse): string {
  const branch = msg.topVia.params.get('branch') ?? '';
  return `c|${branch}|${msg.cseq.method}`;
}

/** §9.2: the INVITE server transaction a CANCEL refers to has the same key with method INVITE. */
export function cancelTargetKey(cancel: SipRequest): string {
  const via = cancel.topVia;
  const branch = via.params.get('branch') ?? '';
  if (branch.startsWith(MAGIC_COOKIE) && branch.length > MAGIC_COOKIE.length) {
    return `s|${branch}|${via.host}:${via.port ?? ''}|INVITE`;
  }
  return `s2543|${cancel.callId}|${cancel.cseq.seq}|${cancel.fromTag ?? ''}|${via.host}:${via.port ?? ''}|${branch}|${cancel.uri}|INVITE`;
}
