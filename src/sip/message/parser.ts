import { SipLimitError, SipParseError } from '../errors.js';
import { canonicalName } from './header-names.js';
import { SipHeaders } from './headers.js';
import { isToken, splitTopLevel } from './lexer.js';
import { parseNameAddr, type NameAddr } from './name-addr.js';
import { ownCopy } from './own-bytes.js';
import { SipRequest, SipResponse, type SipMessage } from './sip-message.js';
import { parseUri } from './uri.js';
import { parseVia, type Via } from './via.js';

/** Bounds that keep a hostile peer from exhausting memory or CPU. */
export interface ParseLimits {
  /** Largest message accepted, headers and body (default 64 KiB). */
  maxMessageBytes: number;
  /** Most header field rows accepted (default 256). */
  maxHeaders: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxMessageBytes: 64 * 1024, maxHeaders: 256 };

const DATE_RE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/;
const DIGITS_RE = /^[0-9]{1,10}$/;
const STATUS_LINE_RE = /^SIP\/2\.0 ([1-6][0-9]{2})(?: (.*))?$/i;
const CSEQ_RE = /^([0-9]{1,10})[ \t]+([^\s]+)$/;
const HAS_WS_RE = /\s/;
const MAX_CSEQ = 2 ** 31 - 1;
const MAX_DELTA = 2 ** 32 - 1;
const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Parses one SIP message from a buffer holding exactly one datagram or one framed stream message.
 *
 * - Leading CRLFs are skipped (§7.5).
 * - Header lines are unfolded (§7.3.1) and names matched case-insensitively with compact forms (§7.3.3).
 * - The body is `Content-Length` octets (§18.3); octets beyond it are ignored (RFC 4475 §3.1.1.8), fewer is
 *   an error (RFC 4475 §3.1.2.2). Without Content-Length the rest of the datagram is the body. It is a view
 *   of `data` when `data` is a buffer of its own, as a datagram is (see `bodyOf`), else a copy.
 * - The start line and the header fields every element relies on are validated (see `validateMessage`).
 *
 * Throws SipParseError (with `partial` when the start line and headers could be read) or SipLimitError.
 */
export function parseMessage(data: Buffer, limits: ParseLimits = DEFAULT_LIMITS): SipMessage {
  if (data.length > limits.maxMessageBytes) throw new SipLimitError(`message of ${data.length} bytes exceeds ${limits.maxMessageBytes}`);
  let start = 0;
  while (data[start] === 0x0d && data[start + 1] === 0x0a) start += 2;
  const headEnd = data.indexOf(CRLFCRLF, start);
  if (headEnd < 0) throw new SipParseError('no empty line after the header fields');
  const head = data.toString('utf8', start, headEnd);
  checkControlCharacters(head);
  const lines = (FOLDED.test(head) ? head.replace(/\r\n[ \t]+/g, ' ') : head).split('\r\n');
  const startLine = lines[0] ?? '';
  if (lines.length - 1 > limits.maxHeaders) throw new SipLimitError(`more than ${limits.maxHeaders} header fields`);
  const headers = new SipHeaders();
  let contentLength: string | undefined;
  let contentLengths = 0;
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    let name = '';
    if (colon > 0) {
      let end = colon;
      while (end > 0 && (line.charCodeAt(end - 1) === 0x20 || line.charCodeAt(end - 1) === 0x09)) end--;
      name = line.slice(0, end);
    }
    const canonical = headerName(name);
    if (canonical === undefined) throw new SipParseError(`malformed header line: ${line.slice(0, 100)}`, partialOf(startLine, headers));
    const value = line.slice(colon + 1).trim();
    headers.append(canonical, value);
    if (canonical === 'content-length') {
      contentLengths++;
      contentLength ??= value;
    }
  }
  const bodyStart = headEnd + 4;
  let body: Buffer;
  if (contentLengths > 1) throw new SipParseError('more than one Content-Length', partialOf(startLine, headers));
  if (contentLength !== undefined) {
    const v = contentLength;
    if (!DIGITS_RE.test(v)) throw new SipParseError(`invalid Content-Length: ${v.slice(0, 40)}`, partialOf(startLine, headers));
    const n = Number(v);
    if (bodyStart + n > data.length) throw new SipParseError(`Content-Length ${n} larger than the body received`, partialOf(startLine, headers));
    body = data.subarray(bodyStart, bodyStart + n);
  } else {
    body = data.subarray(bodyStart);
  }
  let msg: SipMessage;
  try {
    msg = parseStartLine(startLine, headers, bodyOf(data, body));
    validateMessage(msg);
  } catch (err) {
    if (err instanceof SipParseError && !err.partial) throw new SipParseError(err.message, partialOf(startLine, headers));
    throw err;
  }
  return msg;
}

/**
 * The body, kept as long as its session: a view of `data` when `data` is a whole buffer of its own (a UDP
 * datagram is) — no copy, and nothing else is kept alive with it; otherwise (a stream frame cut out of the
 * buffer pool, a caller's buffer) a copy in memory of its own (own-bytes.ts).
 */
function bodyOf(data: Buffer, body: Buffer): Buffer {
  if (body.length === 0) return Buffer.alloc(0);
  return data.byteOffset === 0 && data.buffer.byteLength === data.length ? body : ownCopy(body);
}

/** What could be read of a message that failed: the transport answers 400 from it (§21.4.1). */
function partialOf(startLine: string, headers: SipHeaders): { startLine: string; headers: Array<[string, string]> } {
  return { startLine, headers: [...headers] };
}

/** Header lines are unfolded only when some line is folded (§7.3.1): most messages have none. */
const FOLDED = /\r\n[ \t]/;

/** Control characters are allowed only as a quoted-pair (§25.1: "\\" followed by %x00-09 / %x0B-0C / %x0E-7F). */
function checkControlCharacters(head: string): void {
  if (NO_CONTROL.test(head)) return;
  for (let i = 0; i < head.length; i++) {
    const c = head.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d) || c === 0x7f) {
      if (head.charCodeAt(i - 1) !== 0x5c) throw new SipParseError('control character in header fields');
    }
  }
}

// Anchored and negated: V8 runs this three times faster than searching for the class itself.
const NO_CONTROL = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$/;

/**
 * The canonical name of a header line's field name, or undefined when it is not a token. Names seen before
 * are looked up once instead of being checked and lower-cased again (bounded, like canonicalName's cache).
 */
function headerName(name: string): string | undefined {
  const known = TOKEN_NAMES.get(name);
  if (known !== undefined) return known;
  if (!isToken(name)) return undefined;
  const canonical = canonicalName(name);
  if (TOKEN_NAMES.size < 2048) TOKEN_NAMES.set(name, canonical);
  return canonical;
}

const TOKEN_NAMES = new Map<string, string>();

function parseStartLine(line: string, headers: SipHeaders, body: Buffer): SipMessage {
  if (line.startsWith('SIP/') || line.toUpperCase().startsWith('SIP/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2); an empty reason is valid (RFC 4475 §3.1.1.13).
    const m = STATUS_LINE_RE.exec(line);
    if (!m) throw new SipParseError(`invalid status line: ${line.slice(0, 100)}`);
    return new SipResponse(Number(m[1]), m[2] ?? '', headers, body);
  }
  // Request-Line = Method SP Request-URI SP SIP-Version CRLF (§7.1): exactly single spaces, nothing trailing
  // (RFC 4475 §3.1.2.8–3.1.2.10).
  const parts = line.split(' ');
  if (parts.length !== 3) throw new SipParseError(`invalid request line: ${line.slice(0, 100)}`);
  const [method, uri, version] = parts as [string, string, string];
  if (!isToken(method)) throw new SipParseError(`invalid method: ${method.slice(0, 40)}`);
  if (version.toUpperCase() !== 'SIP/2.0') throw new SipParseError(`unsupported version: ${version.slice(0, 20)}`);
  const parsed = parseUri(uri); // rejects <uri> (RFC 4475 §3.1.2.7)
  if ((parsed.scheme === 'sip' || parsed.scheme === 'sips') && parsed.headers.size > 0) {
    // §19.1.1 table 1: headers are not allowed in a Request-URI (RFC 4475 §3.1.2.11).
    throw new SipParseError('headers are not allowed in a Request-URI');
  }
  return new SipRequest(method, uri, headers, body);
}

/**
 * Checks what the transaction and dialog layers rely on (§8.1.1, §8.2.2 and §20), so later code never meets
 * a broken value:
 * - To, From, Call-ID, CSeq and at least one Via are present (§8.1.1; RFC 4475 §3.3.1), and single-valued
 *   fields appear once (RFC 4475 §3.3.8, §3.3.9);
 * - Via, From, To, Contact, Route and Record-Route parse;
 * - CSeq is below 2^31 and its method matches the request method (§8.1.1.5, §12.2.1.1; RFC 4475 §3.1.2.17/18);
 * - Max-Forwards ≤ 255, Expires and Retry-After ≤ 2^32-1, Warning codes have 3 digits (RFC 4475 §3.1.2.4/5);
 * - Date is an RFC 1123 date in GMT (§20.17; RFC 4475 §3.1.2.12).
 */
export function validateMessage(msg: SipMessage): void {
  const h = msg.headers;
  // One pass over the rows; the checks below keep the order (and so the first error) they always had.
  // Rows of the fields that must appear at most once (§20; RFC 4475 §3.3.8/§3.3.9).
  let nFrom = 0, nTo = 0, nCallId = 0, nCSeq = 0, nMaxForwards = 0, nContentLength = 0, nContentType = 0, nExpires = 0;
  let from: string | undefined;
  let to: string | undefined;
  let callId: string | undefined;
  let cseqText: string | undefined;
  let maxForwards: string | undefined;
  let expires: string | undefined;
  let retryAfter: string | undefined;
  let date: string | undefined;
  let warning = false;
  const viaRows: string[] = [];
  const contactRows: string[] = [];
  const routeRows: string[] = [];
  const recordRouteRows: string[] = [];
  for (let i = 0; i < h.size; i++) {
    const value = h.valueAt(i);
    switch (h.nameAt(i)) {
      case 'via':
        viaRows.push(value);
        break;
      case 'from':
        if (nFrom++ === 0) from = value;
        break;
      case 'to':
        if (nTo++ === 0) to = value;
        break;
      case 'call-id':
        if (nCallId++ === 0) callId = value;
        break;
      case 'cseq':
        if (nCSeq++ === 0) cseqText = value;
        break;
      case 'max-forwards':
        if (nMaxForwards++ === 0) maxForwards = value;
        break;
      case 'content-length':
        nContentLength++;
        break;
      case 'content-type':
        nContentType++;
        break;
      case 'expires':
        if (nExpires++ === 0) expires = value;
        break;
      case 'retry-after':
        retryAfter ??= value;
        break;
      case 'date':
        date ??= value;
        break;
      case 'warning':
        warning = true;
        break;
      case 'contact':
        contactRows.push(value);
        break;
      case 'route':
        routeRows.push(value);
        break;
      case 'record-route':
        recordRouteRows.push(value);
        break;
    }
  }
  if (viaRows.length === 0) throw new SipParseError('missing via header');
  if (from === undefined) throw new SipParseError('missing from header');
  if (to === undefined) throw new SipParseError('missing to header');
  if (callId === undefined) throw new SipParseError('missing call-id header');
  if (cseqText === undefined) throw new SipParseError('missing cseq header');
  once('from', nFrom);
  once('to', nTo);
  once('call-id', nCallId);
  once('cseq', nCSeq);
  once('max-forwards', nMaxForwards);
  once('content-length', nContentLength);
  once('content-type', nContentType);
  once('expires', nExpires);
  if (h.getAll('via').length === 0) throw new SipParseError('empty Via');
  const vias: Via[] = [];
  for (const row of viaRows) {
    const parts = splitTopLevel(row, ',');
    if (!parts) throw new SipParseError('unbalanced Via');
    for (const v of parts) vias.push(parseVia(v));
  }
  const fromValue = parseNameAddr(from);
  const toValue = parseNameAddr(to);
  const contacts: NameAddr[] = [];
  checkAddressList('contact', contactRows, contacts);
  checkAddressList('route', routeRows);
  checkAddressList('record-route', recordRouteRows);
  if (callId === '' || HAS_WS_RE.test(callId)) throw new SipParseError('invalid Call-ID');
  const cseq = CSEQ_RE.exec(cseqText);
  if (!cseq || Number(cseq[1]) > MAX_CSEQ || !isToken(cseq[2] as string)) throw new SipParseError('invalid CSeq');
  if (msg.kind === 'request' && cseq[2] !== msg.method) throw new SipParseError('CSeq method does not match the request method');
  const mf = maxForwards;
  if (mf !== undefined && (!DIGITS_RE.test(mf) || Number(mf) > 255)) throw new SipParseError('invalid Max-Forwards');
  if (expires !== undefined && (!DIGITS_RE.test(expires) || Number(expires) > MAX_DELTA)) throw new SipParseError('invalid Expires');
  if (retryAfter !== undefined) {
    const m = /^([0-9]{1,10})\b/.exec(retryAfter);
    if (!m || Number(m[1]) > MAX_DELTA) throw new SipParseError('invalid Retry-After');
  }
  if (warning) {
    for (const w of h.getAll('warning')) {
      if (!/^[0-9]{3} \S+ ".*"$/.test(w)) throw new SipParseError('invalid Warning');
    }
  }
  if (date !== undefined && !DATE_RE.test(date)) throw new SipParseError('invalid Date');
  // What was parsed to check the message is what the layers above read (sip-message.ts getters).
  h.remember('via', vias);
  h.remember('from', fromValue);
  h.remember('to', toValue);
  h.remember('contact', contacts);
  h.remember('call-id', callId);
  h.remember('cseq', { seq: Number(cseq[1]), method: cseq[2] as string });
}

function once(name: string, rows: number): void {
  if (rows > 1) throw new SipParseError(`more than one ${name} header`);
}

/** Every value of a Contact/Route/Record-Route field must parse as a name-addr (`*` aside for Contact). */
function checkAddressList(name: string, rows: string[], out?: NameAddr[]): void {
  for (const row of rows) {
    const parts = splitTopLevel(row, ',');
    if (!parts) throw new SipParseError(`unbalanced ${name}`);
    for (const v of parts) {
      if (name === 'contact' && v.trim() === '*') continue;
      const na = parseNameAddr(v);
      out?.push(na);
    }
  }
}
