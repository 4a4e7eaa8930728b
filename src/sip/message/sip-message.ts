import { SipParseError } from '../errors.js';
import { SipHeaders } from './headers.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { parseUri, type SipUri } from './uri.js';
import { parseVia, type Via } from './via.js';

/** CSeq: sequence number and method (§20.16). */
export interface CSeq {
  seq: number;
  method: string;
}

/**
 * Fields shared by requests and responses, read from the headers on demand. Parsed values are kept with
 * the headers until the field changes (headers.ts `parsed`), so they are shared: treat them as read-only.
 */
abstract class SipMessageBase {
  headers: SipHeaders;
  body: Buffer;

  constructor(headers?: SipHeaders, body?: Buffer) {
    this.headers = headers ?? new SipHeaders();
    this.body = body ?? Buffer.alloc(0);
  }

  get callId(): string {
    const h = this.headers;
    return h.parsed('call-id', () => h.get('call-id') ?? '');
  }

  get cseq(): CSeq {
    const h = this.headers;
    return h.parsed('cseq', () => parseCSeq(h.get('cseq') ?? ''));
  }

  get from(): NameAddr {
    const h = this.headers;
    return h.parsed('from', () => parseNameAddr(h.get('from') ?? ''));
  }

  get to(): NameAddr {
    const h = this.headers;
    return h.parsed('to', () => parseNameAddr(h.get('to') ?? ''));
  }

  get fromTag(): string | undefined {
    return this.from.params.get('tag') ?? undefined;
  }

  get toTag(): string | undefined {
    return this.to.params.get('tag') ?? undefined;
  }

  get vias(): Via[] {
    const h = this.headers;
    return h.parsed('via', () => h.getAll('via').map(parseVia));
  }

  get topVia(): Via {
    const h = this.headers;
    const all = h.peek<Via[]>('via');
    if (all !== undefined && all.length > 0) return all[0] as Via;
    return h.parsed('via top', () => {
      const v = h.getAll('via')[0];
      if (v === undefined) throw new SipParseError('no Via header');
      return parseVia(v);
    });
  }

  /** Contact values (`*` is returned as an empty array; see `isWildcardContact`). */
  get contacts(): NameAddr[] {
    const h = this.headers;
    return h.parsed('contact', () =>
      h
        .getAll('contact')
        .filter((c) => c !== '*')
        .map(parseNameAddr),
    );
  }

  get contentType(): string | undefined {
    return this.headers.get('content-type');
  }
}

/** CSeq = 1*DIGIT LWS Method (§20.16), leniently: the parser has already checked what it received. */
export function parseCSeq(raw: string): CSeq {
  const m = CSEQ_RE.exec(raw);
  if (!m) throw new SipParseError(`invalid CSeq: ${raw}`);
  return { seq: Number(m[1]), method: m[2] as string };
}

const CSEQ_RE = /^\s*([0-9]+)\s+(\S+)\s*$/;

/** A SIP request (§7.1). `uri` is the Request-URI text; `requestUri` parses it. */
export class SipRequest extends SipMessageBase {
  readonly kind = 'request' as const;
  constructor(
    public method: string,
    public uri: string,
    headers?: SipHeaders,
    body?: Buffer,
  ) {
    super(headers, body);
  }

  get requestUri(): SipUri {
    const cached = this.#requestUri;
    if (cached !== undefined && cached.text === this.uri) return cached.uri;
    const uri = parseUri(this.uri);
    this.#requestUri = { text: this.uri, uri };
    return uri;
  }

  /** The parsed Request-URI, for as long as `uri` is that text. */
  #requestUri: { text: string; uri: SipUri } | undefined;

  clone(): SipRequest {
    return new SipRequest(this.method, this.uri, this.headers.clone(), this.body);
  }
}

/** A SIP response (§7.2). */
export class SipResponse extends SipMessageBase {
  readonly kind = 'response' as const;
  constructor(
    public status: number,
    public reason: string,
    headers?: SipHeaders,
    body?: Buffer,
  ) {
    super(headers, body);
  }

  clone(): SipResponse {
    return new SipResponse(this.status, this.reason, this.headers.clone(), this.body);
  }
}

export type SipMessage = SipRequest | SipResponse;

/** Default reason phrases (§21). */
export const REASONS: Record<number, string> = {
  100: 'Trying',
  180: 'Ringing',
  181: 'Call Is Being Forwarded',
  182: 'Queued',
  183: 'Session Progress',
  200: 'OK',
  202: 'Accepted',
  301: 'Moved Permanently',
  302: 'Moved Temporarily',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  415: 'Unsupported Media Type',
  416: 'Unsupported URI Scheme',
  420: 'Bad Extension',
  423: 'Interval Too Brief',
  480: 'Temporarily Unavailable',
  481: 'Call/Transaction Does Not Exist',
  482: 'Loop Detected',
  483: 'Too Many Hops',
  486: 'Busy Here',
  487: 'Request Terminated',
  488: 'Not Acceptable Here',
  491: 'Request Pending',
  500: 'Server Internal Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
  504: 'Server Time-out',
  505: 'Version Not Supported',
  600: 'Busy Everywhere',
  603: 'Decline',
};

export function reasonPhrase(status: number): string {
  return REASONS[status] ?? (status < 200 ? 'Provisional' : status < 300 ? 'OK' : 'Error');
}
