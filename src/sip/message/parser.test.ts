import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './parser.js';
import { serializeMessage } from './serializer.js';
import { SipLimitError, SipParseError } from '../errors.js';
import { parseUri, formatUri, uriEquals, unescape } from './uri.js';
import { parseNameAddr, formatNameAddr } from './name-addr.js';
import { parseVia } from './via.js';

const base = (extra = '', body = '') =>
  Buffer.from(
    `MESSAGE sip:bob@example.com SIP/2.0\r\nv: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/TCP 10.0.0.2\r\nf: <sip:alice@example.com>;tag=a\r\nt: Bob <sip:bob@example.com>\r\ni: abc@10.0.0.1\r\nCSeq: 7 MESSAGE\r\n${extra}l: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
  );

test('compact forms and case-insensitive names map to full names', () => {
  const m = parseMessage(base('c: text/plain\r\nK: 100rel\r\n', 'hi'));
  assert.equal(m.headers.get('Content-Type'), 'text/plain');
  assert.equal(m.headers.get('SUPPORTED'), '100rel');
  assert.equal(m.callId, 'abc@10.0.0.1');
  assert.equal(m.vias.length, 2);
  assert.equal(m.to.displayName, 'Bob');
  assert.equal(m.body.toString(), 'hi');
});

test('repeated and comma-separated list headers are both read as lists', () => {
  const m = parseMessage(base('Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nRoute: <sip:p3.example.com;lr>\r\n'));
  assert.deepEqual(m.headers.getAll('route'), ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>', '<sip:p3.example.com;lr>']);
});

test('serializer writes full names and a matching Content-Length; round trip is stable', () => {
  const m = parseMessage(base('', 'hello'));
  const out = serializeMessage(m).toString();
  assert.match(out, /\r\nVia: SIP\/2.0\/UDP/);
  assert.match(out, /\r\nCall-ID: abc@10.0.0.1\r\n/);
  assert.match(out, /\r\nContent-Length: 5\r\n\r\nhello$/);
  assert.equal(serializeMessage(parseMessage(Buffer.from(out))).toString(), out);
});

test('limits: over 64 KiB and over the header count cap are refused', () => {
  assert.throws(() => parseMessage(base('', 'x'.repeat(70_000))), SipLimitError);
  const many = Array.from({ length: 300 }, (_, i) => `X-H${i}: v\r\n`).join('');
  assert.throws(() => parseMessage(base(many)), SipLimitError);
  assert.doesNotThrow(() => parseMessage(base(many), { maxMessageBytes: 65536, maxHeaders: 400 }));
});

test('SipLimitError names itself and is still a SipParseError (the transport treats it as malformed)', () => {
  const err = new SipLimitError('more than 256 header fields');
  assert.equal(err.name, 'SipLimitError');
  assert.ok(err instanceof SipParseError);
  assert.equal(new SipParseError('x').name, 'SipParseError');
  assert.throws(() => parseMessage(base('', 'x'.repeat(70_000))), { name: 'SipLimitError' });
});

test('bad Content-Length and missing header end are parse errors carrying the partial message', () => {
  try {
    parseMessage(Buffer.from(base().toString().replace('l: 0', 'l: 12')));
    assert.fail('should throw');
  } catch (err) {
    assert.ok(err instanceof SipParseError);
    assert.ok(err.partial?.headers.some(([k]) => k === 'via'));
  }
  assert.throws(() => parseMessage(Buffer.from('OPTIONS sip:a@b SIP/2.0\r\nVia: x')), SipParseError);
});

test('sip/sips/tel URIs with params, headers, IPv6 and escapes', () => {
  const u = parseUri('sips:al%69ce:pw@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent');
  assert.equal(u.scheme, 'sips');
  assert.equal(unescape(u.user!), 'alice');
  assert.equal(u.password, 'pw');
  assert.equal(u.host, '[2001:db8::1]');
  assert.equal(u.port, 5061);
  assert.equal(u.params.get('transport'), 'tcp');
  assert.equal(u.params.get('lr'), null);
  assert.equal(u.headers.get('priority'), 'urgent');
  assert.equal(formatUri(u), 'sips:al%69ce:pw@[2001:db8::1]:5061;transport=tcp;lr?subject=hi&priority=urgent');
  const tel = parseUri('tel:+1-201-555-0123;phone-context=example.com');
  assert.equal(tel.user, '+1-201-555-0123');
  assert.equal(tel.params.get('phone-context'), 'example.com');
  assert.ok(uriEquals(parseUri('sip:%61lice@EXAMPLE.com'), parseUri('sip:alice@example.com')));
  assert.ok(!uriEquals(parseUri('sip:alice@example.com;transport=tcp'), parseUri('sip:alice@example.com')));
  assert.throws(() => parseUri('sip:alice@exa mple.com'), SipParseError);
  assert.throws(() => parseUri('sip:alice@host:99999'), SipParseError);
  assert.throws(() => parseUri('sip:%zz@host'), SipParseError);
});

test('name-addr: quoted display names with escapes, addr-spec params, formatting', () => {
  const na = parseNameAddr('"Alice \\"Al\\" Smith" <sip:alice@example.com;transport=udp>;tag=xyz;expires=60');
  assert.equal(na.displayName, 'Alice "Al" Smith');
  assert.equal(na.params.get('tag'), 'xyz');
  assert.equal(na.uri.params.get('transport'), 'udp');
  assert.equal(formatNameAddr(na), '"Alice \\"Al\\" Smith" <sip:alice@example.com;transport=udp>;tag=xyz;expires=60');
  const spec = parseNameAddr('sip:bob@example.com;tag=1');
  assert.equal(spec.params.get('tag'), '1');
  assert.equal(spec.uri.params.size, 0, 'addr-spec params belong to the header');
});

test('Via: sent-protocol with LWS, IPv6 sent-by, rport without value', () => {
  const v = parseVia('SIP / 2.0 / tcp [::1]:5070 ;branch=z9hG4bKx;rport');
  assert.equal(v.transport, 'TCP');
  assert.equal(v.host, '[::1]');
  assert.equal(v.port, 5070);
  assert.equal(v.params.get('rport'), null);
});

test('a field named like an Object.prototype member is an ordinary extension header', () => {
  const m = parseMessage(base('Constructor: 1\r\n__proto__: 2\r\n'));
  assert.deepEqual(m.headers.getAll('constructor'), ['1']);
  assert.match(serializeMessage(m).toString(), /\r\nConstructor: 1\r\n__proto__: 2\r\n/);
});
