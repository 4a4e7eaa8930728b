/**
 * Mutations of real SIP messages (RFC 4475 torture messages, messages from sipp traces), each one a way a
 * peer or a network has been seen to break SIP: flipped bytes, truncation, duplicated and missing headers,
 * huge values, bad numbers, a wrong Content-Length, CRLF games (bare LF/CR, folding, missing or doubled
 * separator), unicode and invalid UTF-8, compact forms and case, and SDP body damage. Pure: the same PRNG
 * state gives the same bytes.
 */
import type { Prng } from './prng.js';

const NASTY = ['\r\n', '\r\n\r\n', ':', ';', ',', '<', '>', '"', '\\', '%', '%0', '%00', '@', ' ', '\t', '\x00', '\x7f', '\xff', 'sip:', ';lr', ';tag=', ';branch=', '=', '==', '\r', '\n', '\r\n ', 'SIP/2.0', '[::1]', '[', ']', '*'];
const BAD_NUMBERS = ['-1', '0', '-0', '00000000000000000001', '4294967296', '18446744073709551616', '99999999999999999999999', '1e9', '0x10', 'NaN', 'Infinity', '', ' ', '1.5', '+5', '２', '٣', '1 2', '2147483648', '-2147483649'];
const UNICODE = ['é', 'ünïcödé', '😀', '\u202e', '\u200b', '\ufeff', '\ud800', 'Ω'.repeat(100), '中文', '\u0000', '\u00a0', '\u2028'];
const INVALID_UTF8 = [Buffer.from([0xc3]), Buffer.from([0xff, 0xfe]), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from([0xf4, 0x90, 0x80, 0x80]), Buffer.from([0xc0, 0xaf])];
const HEADER_NAMES = ['Via', 'v', 'From', 'f', 'To', 't', 'Call-ID', 'i', 'CSeq', 'Max-Forwards', 'Content-Length', 'l', 'Content-Type', 'c', 'Contact', 'm', 'Route', 'Record-Route', 'Expires', 'Authorization', 'Proxy-Authorization', 'Require', 'Supported', 'k', 'Allow', 'Event', 'o', 'Subscription-State', 'Refer-To', 'r', 'Replaces', 'Session-Expires', 'x', 'Min-SE', 'RSeq', 'RAck', 'Accept', 'Content-Encoding', 'e'];
const NUMERIC_HEADER = /^(CSeq|Content-Length|l|Max-Forwards|Expires|Min-Expires|Session-Expires|x|Min-SE|RSeq|RAck|Retry-After)\s*:/i;

/** Header block and body of a message, as latin1 text (every byte survives the round trip). */
function split(msg: Buffer): { lines: string[]; body: string } {
  const text = msg.toString('latin1');
  const end = text.indexOf('\r\n\r\n');
  if (end < 0) return { lines: text.split('\r\n'), body: '' };
  return { lines: text.slice(0, end).split('\r\n'), body: text.slice(end + 4) };
}

function join(lines: string[], body: string): Buffer {
  return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${body}`, 'latin1');
}

/** Replaces the value of one header line (keeps the name). */
function setValue(line: string, value: string): string {
  const colon = line.indexOf(':');
  return colon < 0 ? `${line} ${value}` : `${line.slice(0, colon + 1)} ${value}`;
}

const utf8AsLatin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

export type SipMutation = (msg: Buffer, r: Prng) => Buffer;

export const SIP_MUTATIONS: Record<string, SipMutation> = {
  byteFlip(msg, r) {
    const out = Buffer.from(msg);
    const n = 1 + r.int(8);
    for (let i = 0; i < n && out.length > 0; i++) out[r.int(out.length)] = r.int(256);
    return out;
  },
  truncate(msg, r) {
    return msg.subarray(0, r.int(msg.length + 1));
  },
  duplicateHeader(msg, r) {
    const { lines, body } = split(msg);
    if (lines.length < 2) return msg;
    const i = 1 + r.int(lines.length - 1);
    const copies = r.pick([1, 2, 5, 50, 500]);
    lines.splice(i, 0, ...Array.from({ length: copies }, () => lines[i]!));
    return join(lines, body);
  },
  removeHeader(msg, r) {
    const { lines, body } = split(msg);
    if (lines.length < 2) return msg;
    lines.splice(1 + r.int(lines.length - 1), 1);
    return join(lines, body);
  },
  hugeValue(msg, r) {
    const { lines, body } = split(msg);
    const i = r.int(lines.length);
    const fill = r.pick(['A', ';', ',', ' ', '<', '"', 'z9hG4bK', '%41', ';a=b']);
    const size = r.pick([256, 4096, 16_384, 65_000]);
    const value = fill.repeat(Math.ceil(size / fill.length)).slice(0, size);
    lines[i] = i === 0 ? lines[i]!.replace(/ /, ` ${value}`) : setValue(lines[i]!, value);
    return join(lines, body);
  },
  badNumber(msg, r) {
    const { lines, body } = split(msg);
    const numeric = lines.map((l, i) => (NUMERIC_HEADER.test(l) ? i : -1)).filter((i) => i >= 0);
    const bad = r.pick(BAD_NUMBERS);
    if (numeric.length === 0 || r.chance(0.3)) {
      // Any number anywhere: ports, status codes, the SIP version, Via's rport.
      const i = r.int(lines.length);
      lines[i] = lines[i]!.replace(/[0-9]+/, bad);
    } else {
      const i = r.pick(numeric);
      lines[i] = lines[i]!.replace(/:\s*[0-9]*/, `: ${bad}`);
    }
    return join(lines, body);
  },
  wrongContentLength(msg, r) {
    const { lines, body } = split(msg);
    const len = Buffer.byteLength(body, 'latin1');
    const value = r.pick([len + 1, len - 1, len * 2 + 10, 0, 65_536, 2 ** 31, -5, len + 100_000]);
    const i = lines.findIndex((l) => /^(Content-Length|l)\s*:/i.test(l));
    if (i >= 0 && r.chance(0.8)) lines[i] = setValue(lines[i]!, String(value));
    else lines.push(`Content-Length: ${value}`);
    return join(lines, body);
  },
  crlfGames(msg, r) {
    const text = msg.toString('latin1');
    switch (r.int(8)) {
      case 0:
        return Buffer.from(text.replace(/\r\n/g, '\n'), 'latin1');
      case 1:
        return Buffer.from(text.replace(/\r\n/g, '\r'), 'latin1');
      case 2:
        return Buffer.from('\r\n'.repeat(r.pick([1, 2, 100])) + text, 'latin1');
      case 3: {
        // Folded continuation lines (obsolete LWS, RFC 3261 7.3.1).
        const { lines, body } = split(msg);
        const i = r.int(lines.length);
        lines[i] = lines[i]!.replace(/ /g, '\r\n ');
        return join(lines, body);
      }
      case 4:
        return Buffer.from(text.replace('\r\n\r\n', '\r\n'), 'latin1');
      case 5:
        return Buffer.from(text.replace('\r\n\r\n', '\r\n\r\n\r\n\r\n'), 'latin1');
      case 6:
        return Buffer.from(text.replace(/\r\n/g, () => (r.chance(0.2) ? '\n\r' : '\r\n')), 'latin1');
      default: {
        const { lines, body } = split(msg);
        const i = r.int(lines.length);
        lines[i] = `${lines[i]!}${r.pick([' ', '\t', '   \t '])}`;
        lines.splice(1 + r.int(lines.length), 0, r.pick(['', ' ', '\t', ':', ': x', 'NoColon']));
        return join(lines, body);
      }
    }
  },
  unicode(msg, r) {
    const pos = r.int(msg.length + 1);
    const insert = r.chance(0.5) ? Buffer.from(r.pick(UNICODE), 'utf8') : r.pick(INVALID_UTF8);
    return Buffer.concat([msg.subarray(0, pos), insert, msg.subarray(pos)]);
  },
  nastyToken(msg, r) {
    const pos = r.int(msg.length + 1);
    return Buffer.concat([msg.subarray(0, pos), Buffer.from(r.pick(NASTY), 'latin1'), msg.subarray(pos)]);
  },
  headerName(msg, r) {
    const { lines, body } = split(msg);
    if (lines.length < 2) return msg;
    const i = 1 + r.int(lines.length - 1);
    const name = r.pick(HEADER_NAMES);
    const variant = r.pick([name, name.toUpperCase(), name.toLowerCase(), `${name} `, ` ${name}`, `${name}\t`]);
    lines[i] = lines[i]!.replace(/^[^:]*/, variant);
    return join(lines, body);
  },
  requestLine(msg, r) {
    const { lines, body } = split(msg);
    const parts = lines[0]!.split(' ');
    const k = r.int(6);
    if (k === 0) parts[0] = r.pick(['INVITE', 'ACK', 'BYE', 'CANCEL', 'REGISTER', 'OPTIONS', 'INFO', 'UPDATE', 'PRACK', 'SUBSCRIBE', 'NOTIFY', 'REFER', 'MESSAGE', 'PUBLISH', 'invite', 'FOO', '', 'SIP/2.0']);
    else if (k === 1 && parts[1]) parts[1] = r.pick(['sip:', 'sips:x@y', 'tel:+1555', '*', 'sip:@', 'sip:a@[::1', 'sip:a@127.0.0.1:99999', 'http://x', 'sip:a@b;maddr=', 'sip:%00@x', `sip:${'a'.repeat(5000)}@x`]);
    else if (k === 2) parts[2] = r.pick(['SIP/2.1', 'SIP/1.0', 'SIP/', 'sip/2.0', 'SIP/2.0 extra', '']);
    else if (k === 3) parts.splice(1, 1);
    else if (k === 4) lines[0] = r.pick(['SIP/2.0 200 OK', 'SIP/2.0 999 X', 'SIP/2.0 100', 'SIP/2.0 abc OK', 'SIP/2.0 180 Ringing', 'SIP/2.0 487 Request Terminated', 'SIP/2.0 -1 X']);
    else parts.push(...parts);
    if (k !== 4) lines[0] = parts.join(' ');
    return join(lines, body);
  },
  sdpDamage(msg, r) {
    const { lines, body } = split(msg);
    const sdp = body.length > 0 ? body.split('\r\n') : ['v=0', 'o=- 1 1 IN IP4 127.0.0.1', 's=-', 'c=IN IP4 127.0.0.1', 't=0 0', 'm=audio 4000 RTP/AVP 0 8 101', 'a=rtpmap:0 PCMU/8000', 'a=rtpmap:101 telephone-event/8000'];
    const i = r.int(sdp.length);
    const k = r.int(7);
    if (k === 0) sdp[i] = sdp[i]!.replace(/[0-9]+/, r.pick(BAD_NUMBERS));
    else if (k === 1) sdp.splice(i, 1);
    else if (k === 2) sdp.splice(i, 0, r.pick(['m=audio 0 RTP/AVP 0', 'm=video 5000 RTP/AVP 96', 'm=audio 70000 RTP/AVP 0', 'm=audio 4000 RTP/SAVP 0', 'c=IN IP6 ::1', 'c=IN IP4 0.0.0.0', 'c=IN IP4 999.1.1.1', 'a=rtpmap:0 PCMU/0', 'a=rtpmap:96 opus/48000/2', 'a=rtpmap:101 telephone-event/8000', 'a=fmtp:101 0-99999', 'a=ptime:0', 'a=ptime:-20', 'a=ptime:100000', 'a=rtcp:0', 'a=rtcp:99999 IN IP4 x', 'a=sendonly', 'a=inactive', 'a=recvonly', 'm=audio 4000/2 RTP/AVP 0', 'b=AS:-1', 'a=', '=', 'x']));
    else if (k === 3) sdp[i] = sdp[i]!.repeat(r.pick([2, 100]));
    else if (k === 4) sdp.push(...Array.from({ length: r.pick([10, 200]) }, () => 'a=rtpmap:0 PCMU/8000'));
    else if (k === 5) sdp[i] = '';
    else sdp.splice(r.int(sdp.length), 0, `m=audio ${r.int(70000)} RTP/AVP ${Array.from({ length: r.pick([1, 3, 128]) }, () => r.int(300)).join(' ')}`);
    const newBody = sdp.join('\r\n');
    const ci = lines.findIndex((l) => /^(Content-Length|l)\s*:/i.test(l));
    if (ci >= 0) lines[ci] = setValue(lines[ci]!, String(Buffer.byteLength(newBody, 'latin1')));
    if (!lines.some((l) => /^(Content-Type|c)\s*:/i.test(l))) lines.push('Content-Type: application/sdp');
    return join(lines, newBody);
  },
  compactAndCase(msg, r) {
    const { lines, body } = split(msg);
    const i = 1 + r.int(Math.max(1, lines.length - 1));
    if (lines[i] === undefined) return msg;
    lines[i] = r.chance(0.5) ? lines[i]!.toUpperCase() : lines[i]!.toLowerCase();
    return join(lines, body);
  },
  unicodeValue(msg, r) {
    const { lines, body } = split(msg);
    const i = r.int(lines.length);
    lines[i] = `${lines[i]!}${utf8AsLatin1(r.pick(UNICODE))}`;
    return join(lines, body);
  },
};

const NAMES = Object.keys(SIP_MUTATIONS);

/** 1-4 mutations in a row; the names applied (for the replay line). */
export function mutateSip(seed: Buffer, r: Prng): { data: Buffer; ops: string[] } {
  let data = seed;
  const ops: string[] = [];
  const n = 1 + r.int(4);
  for (let i = 0; i < n; i++) {
    const name = r.pick(NAMES);
    ops.push(name);
    data = SIP_MUTATIONS[name]!(data, r);
  }
  return { data, ops };
}
