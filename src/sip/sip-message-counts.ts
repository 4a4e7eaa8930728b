import type { SipMessage } from './message/sip-message.js';

/** Methods counted under their own name; any other (an extension or a peer's junk) is counted as `other`,
 *  so a peer cannot grow the set of counters (RFC 3261 §7.1 lets a method be any token). */
const KNOWN_METHODS = new Set(['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'MESSAGE', 'INFO', 'UPDATE', 'PRACK', 'REFER', 'NOTIFY', 'SUBSCRIBE', 'PUBLISH']);

export interface SipMessageCount {
  direction: 'in' | 'out';
  /** The request's method, or the method of the request a response answers (its CSeq, §8.1.1.5). */
  method: string;
  /** The response's status code; undefined for a request. */
  status?: number;
  count: number;
}

/**
 * SIP messages received and sent, by direction, method and (for responses) status: one map increment per
 * parsed or first-sent message (retransmissions of the same bytes are not counted again; the transport's
 * `sent` counter has those). Read by the metrics endpoint at scrape time.
 */
export class SipMessageCounts {
  readonly #counts = new Map<string, number>();

  count(direction: 'in' | 'out', message: SipMessage): void {
    const method = message.kind === 'request' ? message.method : cseqMethod(message);
    const m = KNOWN_METHODS.has(method) ? method : 'other';
    // Status codes are three digits by the parser (§7.2): at most 600 keys per method and direction.
    const key = message.kind === 'request' ? `${direction} ${m}` : `${direction} ${m} ${message.status}`;
    this.#counts.set(key, (this.#counts.get(key) ?? 0) + 1);
  }

  snapshot(): SipMessageCount[] {
    const out: SipMessageCount[] = [];
    for (const [key, count] of this.#counts) {
      const [direction, method, status] = key.split(' ') as ['in' | 'out', string, string | undefined];
      out.push({ direction, method, ...(status !== undefined ? { status: Number(status) } : {}), count });
    }
    return out;
  }
}

function cseqMethod(message: SipMessage): string {
  try {
    return message.cseq.method;
  } catch {
    return 'other';
  }
}
