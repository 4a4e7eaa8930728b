import { SipLimitError, SipParseError } from '../errors.js';
import { canonicalName } from './header-names.js';
import { SipHeaders } from './headers.js';
import { isToken, splitTopLevel } from './lexer.js';
import { parseNameAddr } from './name-addr.js';
import { SipRequest, SipResponse, type SipMessage } from './sip-message.js';
import { parseUri } from './uri.js';
import { parseVia } from './via.js';

/** Bounds that keep a hostile peer from exhausting memory or CPU. */
export interface ParseLimits {
  /** Largest message accepted, headers and body (default 64 KiB). */
  maxMessageBytes: number;
  /** Most header field rows accepted (default 256). */
  maxHeaders: number;
}

export const DEFAULT_LIMITS: ParseLimits = { maxMessageBytes: 64 * 1024, maxHeaders: 256 };

/** Header fields that must appear at most once (§20: not a comma-separated list; RFC 4475 §3.3.8/§3.3.9). */
const SINGLE = ['from', 'to', 'call-id', 'cseq', 'max-forwards', 'content-length', 'content-type', 'expires'];
const DATE_RE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), [0-9]{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) [0-9]{4} [0-9]{2}:[0-9]{2}:[0-9]{2} GMT$/;
const MAX_CSEQ = 2 ** 31 - 1;
const MAX_DELTA = 2 ** 32 - 1;
const CRLFCRLF = Buffer.from('\r\n\r\n');

/**
 * Parses one SIP message from a buffer holding exactly one datagram or one framed stream message.
 *
 * - Leading CRLFs are skipped (§7.5).
 * - Header lines are unfolded (§7.3.1) and names matched case-insensitively with compact forms (§7.3.3).
 * - The body is `Content-Length` octets (§18.3); octets beyond it are ignored (RFC 4475 §3.1.1.8), fewer is
 *   an error (RFC 4475 §3.1.2.2). Without Content-Length the rest of the datagram is the body.
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
  // Control characters are allowed only as a quoted-pair (§25.1: "\\" followed by %x00-09 / %x0B-0C / %x0E-7F).
  for (let i = start; i < headEnd; i++) {
    const b = data[i] as number;
    if ((b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d) || b === 0x7f) {
      if (data[i - 1] !== 0x5c) throw new SipParseError('control character in header fields');
    }
  }
  const head = data.toString('utf8', start, headEnd);
  const lines = head.replace(/\r\n[ \t]+/g, ' ').split('\r\n');
  const startLine = lines[0] ?? '';
  if (lines.length - 1 > limits.maxHeaders) throw new SipLimitError(`more than ${limits.maxHeaders} header fields`);
  const headerPairs: Array<[string, string]> = [];
  const headers = new SipHeaders();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i] as string;
    const colon = line.indexOf(':');
    const name = colon > 0 ? line.slice(0, colon).replace(/[ \t]+$/, '') : '';
    if (!isToken(name)) throw new SipParseError(`malformed header line: ${line.slice(0, 100)}`, { startLine, headers: headerPairs });
    const value = line.slice(colon + 1).trim();
    headerPairs.push([canonicalName(name), value]);
    headers.append(name, value);
  }
  const partial = { startLine, headers: headerPairs };
  const bodyStart = headEnd + 4;
  let body: Buffer;
  const cl = headers.rows('content-length');
  if (cl.length > 1) throw new SipParseError('more than one Content-Length', partial);
  if (cl.length === 1) {
    const v = cl[0] as string;
    if (!/^[0-9]{1,10}$/.test(v)) throw new SipParseError(`invalid Content-Length: ${v.slice(0, 40)}`, partial);
    const n = Number(v);
    if (bodyStart + n > data.length) throw new SipParseError(`Content-Length ${n} larger than the body received`, partial);
    body = data.subarray(bodyStart, bodyStart + n);
  } else {
    body = data.subarray(bodyStart);
  }
  let msg: SipMessage;
  try {
    msg = parseStartLine(startLine, headers, Buffer.from(body));
    validateMessage(msg);
  } catch (err) {
    if (err instanceof SipParseError && !err.partial) throw new SipParseError(err.message, partial);
    throw err;
  }
  return msg;
}

function parseStartLine(line: string, headers: SipHeaders, body: Buffer): SipMessage {
  if (line.startsWith('SIP/') || line.toUpperCase().startsWith('SIP/')) {
    // Status-Line = SIP-Version SP Status-Code SP Reason-Phrase (§7.2); an empty reason is valid (RFC 4475 §3.1.1.13).
    const m = /^SIP\/2\.0 ([1-6][0-9]{2})(?: (.*))?$/i.exec(line);
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
  for (const name of ['via', 'from', 'to', 'call-id', 'cseq']) {
    if (!h.has(name)) throw new SipParseError(`missing ${name} header`);
  }
  for (const name of SINGLE) {
    if (h.rows(name).length > 1) throw new SipParseError(`more than one ${name} header`);
  }
  const vias = h.getAll('via');
  if (vias.length === 0) throw new SipParseError('empty Via');
  for (const row of h.rows('via')) {
    const parts = splitTopLevel(row, ',');
    if (!parts) throw new SipParseError('unbalanced Via');
    for (const v of parts) parseVia(v);
  }
  parseNameAddr(h.get('from') as string);
  parseNameAddr(h.get('to') as string);
  for (const name of ['contact', 'route', 'record-route']) {
    for (const row of h.rows(name)) {
      const parts = splitTopLevel(row, ',');
      if (!parts) throw new SipParseError(`unbalanced ${name}`);
      for (const v of parts) {
        if (name === 'contact' && v.trim() === '*') continue;
        parseNameAddr(v);
      }
    }
  }
  const callId = h.get('call-id') as string;
  if (callId === '' || /\s/.test(callId)) throw new SipParseError('invalid Call-ID');
  const cseq = /^([0-9]{1,10})[ \t]+([^\s]+)$/.exec(h.get('cseq') as string);
  if (!cseq || Number(cseq[1]) > MAX_CSEQ || !isToken(cseq[2] as string)) throw new SipParseError('invalid CSeq');
  if (msg.kind === 'request' && cseq[2] !== msg.method) throw new SipParseError('CSeq method does not match the request method');
  const mf = h.get('max-forwards');
  if (mf !== undefined && (!/^[0-9]{1,10}$/.test(mf) || Number(mf) > 255)) throw new SipParseError('invalid Max-Forwards');
  const expires = h.get('expires');
  if (expires !== undefined && (!/^[0-9]{1,10}$/.test(expires) || Number(expires) > MAX_DELTA)) throw new SipParseError('invalid Expires');
  const ra = h.get('retry-after');
  if (ra !== undefined) {
    const m = /^([0-9]{1,10})\b/.exec(ra);
    if (!m || Number(m[1]) > MAX_DELTA) throw new SipParseError('invalid Retry-After');
  }
  for (const w of h.getAll('warning')) {
    if (!/^[0-9]{3} \S+ ".*"$/.test(w)) throw new SipParseError('invalid Warning');
  }
  const date = h.get('date');
  if (date !== undefined && !DATE_RE.test(date)) throw new SipParseError('invalid Date');
}
