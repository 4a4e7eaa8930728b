import { InvalidStateError } from '../errors.js';
import { SipHeaders } from '../message/headers.js';
import { parseNameAddr } from '../message/name-addr.js';
import { SipRequest, type SipResponse } from '../message/sip-message.js';
import { formatUri } from '../message/uri.js';

export type DialogState = 'early' | 'confirmed' | 'terminated';

/** Dialog ID (§12): Call-ID, local tag and remote tag. */
export interface DialogId {
  callId: string;
  localTag: string;
  remoteTag: string;
}

export function dialogKey(id: DialogId): string {
  return `${id.callId}\u0000${id.localTag}\u0000${id.remoteTag}`;
}

/** Everything a dialog is made of (its state, as stored-dialog.ts keeps it across a restart). */
export interface DialogInit {
  id: DialogId;
  role: 'uac' | 'uas';
  state: DialogState;
  localSeq: number;
  remoteSeq: number | undefined;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  secure: boolean;
}

/**
 * A dialog (RFC 3261 §12): the peer-to-peer state built from an INVITE (or SUBSCRIBE/REFER) and the response
 * that created it, and the rules for requests inside it.
 */
export class Dialog {
  readonly id: DialogId;
  readonly role: 'uac' | 'uas';
  state: DialogState;
  /** Local CSeq: the last number we used (§12.2.1.1 increments it). */
  localSeq: number;
  /** Remote CSeq: highest number received; undefined until the peer sends a request (§12.1.1). */
  remoteSeq: number | undefined;
  /** Our From/To value without tag params (name-addr). */
  readonly localUri: string;
  readonly remoteUri: string;
  /** The peer's Contact URI; refreshed by target-refresh requests and responses (§12.2). */
  remoteTarget: string;
  /** Route set as name-addr values, in the order requests use them (§12.1.1, §12.1.2). */
  readonly routeSet: string[];
  readonly secure: boolean;

  private constructor(init: DialogInit) {
    this.id = init.id;
    this.role = init.role;
    this.state = init.state;
    this.localSeq = init.localSeq;
    this.remoteSeq = init.remoteSeq;
    this.localUri = flat(init.localUri);
    this.remoteUri = flat(init.remoteUri);
    this.remoteTarget = flat(init.remoteTarget);
    this.routeSet = init.routeSet;
    this.secure = init.secure;
  }

  get key(): string {
    return dialogKey(this.id);
  }

  /** A dialog rebuilt from stored state: a restarted process ending a dialog its predecessor held. */
  static restore(init: DialogInit): Dialog {
    return new Dialog({ ...init, routeSet: [...init.routeSet] });
  }

  /**
   * §12.1.1 UAS: route set = Record-Route of the request in order; remote target = request Contact;
   * remote CSeq = request CSeq; local CSeq starts empty (we start from a random value when we first send).
   * The response must carry our To tag.
   */
  static fromUas(req: SipRequest, res: SipResponse): Dialog {
    const localTag = res.toTag;
    const remoteTag = req.fromTag ?? '';
    if (!localTag) throw new InvalidStateError('a dialog-creating response needs a To tag');
    const contact = req.contacts[0];
    return new Dialog({
      id: { callId: req.callId, localTag, remoteTag },
      role: 'uas',
      state: res.status < 200 ? 'early' : 'confirmed',
      localSeq: Math.floor(Math.random() * 10_000) + 1,
      remoteSeq: req.cseq.seq,
      localUri: stripTag(req.headers.get('to') ?? ''),
      remoteUri: stripTag(req.headers.get('from') ?? ''),
      remoteTarget: contact ? formatUri(contact.uri) : req.uri,
      routeSet: req.headers.getAll('record-route'),
      secure: req.requestUri.scheme === 'sips',
    });
  }

  /**
   * §12.1.2 UAC: route set = Record-Route of the response in reverse order; remote target = response
   * Contact; local CSeq = request CSeq; remote CSeq empty.
   */
  static fromUac(req: SipRequest, res: SipResponse): Dialog {
    const contact = res.contacts[0];
    return new Dialog({
      id: { callId: req.callId, localTag: req.fromTag ?? '', remoteTag: res.toTag ?? '' },
      role: 'uac',
      state: res.status < 200 ? 'early' : 'confirmed',
      localSeq: req.cseq.seq,
      remoteSeq: undefined,
      localUri: stripTag(req.headers.get('from') ?? ''),
      remoteUri: stripTag(res.headers.get('to') ?? ''),
      remoteTarget: contact ? formatUri(contact.uri) : req.uri,
      routeSet: res.headers.getAll('record-route').reverse(),
      secure: req.requestUri.scheme === 'sips',
    });
  }

  /**
   * §12.2.1.1: a request within the dialog. To = remote URI + remote tag, From = local URI + local tag,
   * CSeq = local + 1 (ACK and CANCEL reuse the INVITE's, so callers pass `cseq`). Loose routing: the
   * Request-URI is the remote target and Route the route set; strict routing (first route without `lr`):
   * the Request-URI is the first route and the remote target goes last in Route. Via is added at sending.
   */
  createRequest(method: string, options: { cseq?: number; contact?: string; body?: Buffer; contentType?: string; headers?: Record<string, string> } = {}): SipRequest {
    if (this.state === 'terminated' && method !== 'ACK') throw new InvalidStateError(`dialog ${this.id.callId} is terminated`);
    let seq: number;
    if (options.cseq !== undefined) seq = options.cseq;
    else seq = ++this.localSeq;
    const h = new SipHeaders();
    h.append('max-forwards', '70');
    h.append('from', `${this.localUri};tag=${this.id.localTag}`);
    h.append('to', `${this.remoteUri}${this.id.remoteTag ? `;tag=${this.id.remoteTag}` : ''}`);
    h.append('call-id', this.id.callId);
    h.append('cseq', `${seq} ${method}`);
    let uri = this.remoteTarget;
    const routes = [...this.routeSet];
    const first = routes[0];
    if (first !== undefined && !parseNameAddr(first).uri.params.has('lr')) {
      uri = formatUri(parseNameAddr(first).uri);
      routes.shift();
      routes.push(`<${this.remoteTarget}>`);
    }
    for (const r of routes) h.append('route', r);
    if (options.contact && method !== 'ACK' && method !== 'BYE') h.append('contact', options.contact);
    for (const [k, v] of Object.entries(options.headers ?? {})) h.append(k, v);
    const req = new SipRequest(method, uri, h, options.body ?? Buffer.alloc(0));
    if (options.body && options.body.length > 0) h.set('content-type', options.contentType ?? 'application/sdp');
    return req;
  }

  /**
   * §12.2.2: a request in the dialog with a CSeq lower than the remote CSeq is out of order (answer 500);
   * otherwise the remote CSeq advances. ACK and CANCEL carry the INVITE's number and are not checked.
   */
  acceptsRemoteCSeq(req: SipRequest): boolean {
    if (req.method === 'ACK' || req.method === 'CANCEL') return true;
    const seq = req.cseq.seq;
    if (this.remoteSeq !== undefined && seq <= this.remoteSeq) return false;
    this.remoteSeq = seq;
    return true;
  }

  /** §12.2.1.2 / §12.2.2: a target-refresh request or its 2xx (re-INVITE, UPDATE) replaces the remote target. */
  refreshTarget(msg: SipRequest | SipResponse): void {
    const c = msg.contacts[0];
    if (c) this.remoteTarget = flat(formatUri(c.uri));
  }

  /** Where in-dialog requests go first: the first route (loose) or the remote target (§12.2.1.1, §8.1.2). */
  get nextHopUri(): string {
    const first = this.routeSet[0];
    return first !== undefined ? formatUri(parseNameAddr(first).uri) : this.remoteTarget;
  }

  terminate(): void {
    this.state = 'terminated';
  }
}

function stripTag(value: string): string {
  try {
    const na = parseNameAddr(value);
    na.params.delete('tag');
    const params = [...na.params].map(([k, v]) => (v === null ? `;${k}` : `;${k}=${v}`)).join('');
    const dn = na.displayName ? `"${na.displayName.replace(/(["\\])/g, '\\$1')}" ` : '';
    return `${dn}<${formatUri(na.uri)}>${params}`;
  } catch {
    return value;
  }
}

/**
 * The same string, flattened. V8 keeps a string built by concatenation (formatUri, stripTag) as a tree of
 * its pieces, ~32 bytes a node, until something reads it whole; these live as long as the call and 64*T1
 * after. Converting to a number reads it whole, so V8 flattens it in place (pino's old `flatstr` trick).
 */
function flat(s: string): string {
  Number(s);
  return s;
}
