import { SipHeaders } from './headers.js';
import { newTag } from './ids.js';
import { ownBytes } from './own-bytes.js';
import { reasonPhrase, SipResponse, type SipRequest } from './sip-message.js';

export interface ResponseOptions {
  reason?: string;
  /** To tag to add when the request has none (§8.2.6.2). Generated when absent and status > 100. */
  toTag?: string;
  headers?: Record<string, string | string[]>;
  body?: Buffer | string;
  contentType?: string;
}

/**
 * §8.2.6: a response copies Via (all, in order), From, Call-ID and CSeq from the request, and To with a tag
 * added (except on 100 Trying, §8.2.6.1); Timestamp is echoed for 100 (§8.2.6.1); Record-Route for 101–299
 * (§12.1.1).
 */
export function createResponse(req: SipRequest, status: number, options: ResponseOptions = {}): SipResponse {
  const h = new SipHeaders();
  const rq = req.headers;
  for (const v of rq.rows('via')) h.append('via', v);
  h.append('from', rq.get('from') ?? '');
  let to = rq.get('to') ?? '';
  let toChanged = false;
  if (status > 100) {
    let hasTag = false;
    try {
      hasTag = req.to.params.has('tag');
    } catch {
      hasTag = /;\s*tag\s*=/i.test(to);
    }
    if (!hasTag) {
      to = `${to};tag=${options.toTag ?? newTag()}`;
      toChanged = true;
    }
  }
  h.append('to', to);
  h.append('call-id', req.callId);
  h.append('cseq', rq.get('cseq') ?? '');
  if (status === 100) {
    const ts = rq.get('timestamp');
    if (ts !== undefined) h.append('timestamp', ts);
  }
  // §12.1.1: a response that establishes a dialog (101–299) copies the request's Record-Route, in order, so
  // the caller's route set (§12.1.2) keeps the record-routing proxies (e.g. Kamailio in front of a cluster).
  if (status > 100 && status < 300) for (const v of rq.rows('record-route')) h.append('record-route', v);
  // Via, From, Call-ID, CSeq (and To when no tag was added) are the request's very values: so are their
  // parsed forms, if the request has them already.
  for (const key of COPIED) h.remember(key, rq.peek(key));
  if (!toChanged) h.remember('to', rq.peek('to'));
  for (const [k, v] of Object.entries(options.headers ?? {})) {
    for (const one of Array.isArray(v) ? v : [v]) h.append(k, one);
  }
  let body: Buffer = Buffer.alloc(0);
  if (options.body !== undefined) {
    body = typeof options.body === 'string' ? ownBytes(options.body) : options.body;
    h.set('content-type', options.contentType ?? 'application/sdp');
  }
  return new SipResponse(status, options.reason ?? reasonPhrase(status), h, body);
}

const COPIED = ['via', 'via top', 'from', 'call-id', 'cseq'];
