/**
 * The SIP seeds: RFC 4475's torture messages (test/sip/fixtures), the messages of a real call as sipp
 * traced them (`-trace_msg`: the carrier's INVITE with SDP, ACK, BYE, the phone's REGISTER and answers,
 * Ringside's own requests and responses), and a few requests aimed at what this Ringside serves (its
 * numbers, its users). `address` points a seed at the server under test and at the fuzzer's socket, so
 * each input is a fresh transaction whose answer comes back to be counted.
 */
import { TORTURE } from '../../sip/fixtures/rfc4475-messages.js';

/** Messages of a sipp `_messages.log` (sent and received), with CRLF line ends. */
export function messagesOfSippTrace(log: string): Buffer[] {
  const out: Buffer[] = [];
  for (const block of log.split(/^-{10,}.*$/m)) {
    const m = /message (?:sent|received)[^\n]*\n\s*\n([\s\S]*)$/i.exec(block);
    if (!m) continue;
    const text = m[1]!.replace(/\r?\n/g, '\r\n').replace(/(\r\n)+$/, '');
    if (!/^(SIP\/2\.0 \d{3}|[A-Z]+ \S+ SIP\/2\.0)/.test(text)) continue;
    const sep = text.indexOf('\r\n\r\n');
    out.push(Buffer.from(sep < 0 ? `${text}\r\n\r\n` : text, 'latin1'));
  }
  return out;
}

const SDP = 'v=0\r\no=fuzz 1 1 IN IP4 127.0.0.2\r\ns=-\r\nc=IN IP4 127.0.0.2\r\nt=0 0\r\nm=audio 4000 RTP/AVP 8 0 101\r\na=rtpmap:8 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=rtpmap:101 telephone-event/8000\r\na=fmtp:101 0-15\r\na=ptime:20\r\n';

/** Requests for what the campaign's Ringside serves (its number +15550101 and user 102: never the real calls' line and phone). */
export function servedRequests(): Buffer[] {
  const head = (method: string, uri: string, extra: string[] = [], body = '') =>
    Buffer.from(
      [
        `${method} ${uri} SIP/2.0`,
        'Via: SIP/2.0/UDP 127.0.0.2:5090;branch=z9hG4bKseed;rport',
        'From: "Fuzz" <sip:+15557654321@127.0.0.2>;tag=seed',
        `To: <${uri}>`,
        'Call-ID: seed@fuzz',
        `CSeq: 1 ${method}`,
        'Contact: <sip:+15557654321@127.0.0.2:5090>',
        'Max-Forwards: 70',
        ...extra,
        `Content-Length: ${Buffer.byteLength(body)}`,
        '',
        body,
      ].join('\r\n'),
      'latin1',
    );
  return [
    head('INVITE', 'sip:+15550101@ringside', ['Content-Type: application/sdp', 'Allow: INVITE, ACK, BYE, CANCEL, OPTIONS', 'Supported: timer, replaces'], SDP),
    head('INVITE', 'sip:+15550101@ringside', []),
    head('INVITE', 'sip:102@ringside', ['Content-Type: application/sdp'], SDP),
    head('OPTIONS', 'sip:ringside', ['Accept: application/sdp']),
    head('REGISTER', 'sip:ringside', ['Expires: 60']),
    head('REGISTER', 'sip:ringside', ['Expires: 60', 'Authorization: Digest username="102", realm="ringside", nonce="abc", uri="sip:ringside", response="00000000000000000000000000000000", algorithm=MD5, qop=auth, nc=00000001, cnonce="x"']),
    head('MESSAGE', 'sip:+15550101@ringside', ['Content-Type: text/plain'], 'STOP'),
    head('BYE', 'sip:+15550101@ringside', []),
    head('CANCEL', 'sip:+15550101@ringside', []),
    head('ACK', 'sip:+15550101@ringside', []),
    head('INFO', 'sip:+15550101@ringside', ['Content-Type: application/dtmf-relay'], 'Signal=5\r\nDuration=160\r\n'),
    head('REFER', 'sip:+15550101@ringside', ['Refer-To: <sip:102@ringside>']),
    head('SUBSCRIBE', 'sip:102@ringside', ['Event: message-summary', 'Expires: 60']),
    head('NOTIFY', 'sip:102@ringside', ['Event: refer', 'Subscription-State: active'], 'SIP/2.0 200 OK\r\n'),
  ];
}

export function rfc4475Seeds(): Buffer[] {
  return TORTURE.map((m) => m.data);
}

/**
 * Points a seed at the server and the fuzzer: the first Via's sent-by becomes `via` (where answers go;
 * with rport), the Request-URI's host becomes `server`, and the branch and Call-ID get the input's index
 * so each input is its own transaction (RFC 3261 17.2.3) and its own dialog.
 */
export function address(seed: Buffer, o: { via: string; transport: 'UDP' | 'TCP'; server: string; index: number }): Buffer {
  const text = seed.toString('latin1');
  const out = text
    .replace(/^([A-Za-z]+ +)([a-z]+:)(?:([^@\s]*)@)?([^;\s>?]+)/, (_a, method: string, scheme: string, user: string | undefined) => `${method}${scheme}${user !== undefined ? `${user}@` : ''}${o.server}`)
    .replace(/\r\n(Via|v)( *: *SIP *\/ *2\.0 *\/ *)([A-Za-z]+) +[^;\r\n,]+/i, (_a, name: string, proto: string) => `\r\n${name}${proto}${o.transport} ${o.via};rport`)
    // Only the first Via: answers must come back to the fuzzer, never to a traced peer's old address.
    .replace(/(\r\n(?:Via|v) *:[^\r\n]*)((?:\r\n(?:Via|v) *:[^\r\n]*)+)/i, '$1')
    .replace(/branch=(z9hG4bK[^;\r\n,]*)/i, `branch=$1-f${o.index}`)
    .replace(/\r\n(Call-ID|i)( *: *)([^\r\n]*)/i, (_a, name: string, sep: string, v: string) => `\r\n${name}${sep}f${o.index}-${v}`);
  return Buffer.from(out, 'latin1');
}
