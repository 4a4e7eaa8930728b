import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipHeaders } from './headers.js';
import { createResponse } from './message-factory.js';
import { parseMessage } from './parser.js';
import { SipRequest } from './sip-message.js';

const invite = (): SipRequest =>
  parseMessage(
    Buffer.from(
      'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1:5060;branch=z9hG4bK1, SIP/2.0/TCP 10.0.0.2\r\nFrom: <sip:alice@example.com>;tag=a\r\nTo: Bob <sip:bob@example.com>\r\nCall-ID: abc@10.0.0.1\r\nCSeq: 7 INVITE\r\nContact: <sip:alice@10.0.0.1>\r\nContent-Length: 0\r\n\r\n',
    ),
  ) as SipRequest;

test('parsed header values are read once and kept: the same object until the field changes', () => {
  const m = invite();
  assert.equal(m.from, m.from);
  assert.equal(m.topVia, m.topVia);
  assert.equal(m.topVia, m.vias[0]);
  assert.equal(m.cseq, m.cseq);
  assert.equal(m.contacts, m.contacts);
  assert.equal(m.requestUri, m.requestUri);
});

test('every way of changing a field drops its parsed value, and only its own', () => {
  const m = invite();
  const from = m.from;
  m.headers.replaceFirstValue('via', 'SIP/2.0/UDP 192.0.2.9:5070;branch=z9hG4bKnew;received=192.0.2.9');
  assert.equal(m.topVia.host, '192.0.2.9');
  assert.equal(m.vias.length, 2);
  assert.equal(m.from, from, 'From untouched');
  m.headers.prepend('via', 'SIP/2.0/TCP [::1]:5;branch=z9hG4bKtop');
  assert.equal(m.topVia.host, '[::1]');
  m.headers.removeFirstValue('via');
  assert.equal(m.topVia.host, '192.0.2.9');
  m.headers.set('to', '<sip:carol@example.com>;tag=t');
  assert.equal(m.toTag, 't');
  m.headers.delete('from');
  m.headers.append('f', '<sip:dave@example.com>;tag=d');
  assert.equal(m.fromTag, 'd');
  m.headers.set('cseq', '8 INVITE');
  assert.equal(m.cseq.seq, 8);
  m.headers.append('contact', '<sip:alice@10.0.0.2>');
  assert.equal(m.contacts.length, 2);
  m.headers.set('call-id', 'other');
  assert.equal(m.callId, 'other');
  m.uri = 'sip:carol@example.com';
  assert.equal(m.requestUri.user, 'carol');
  m.headers = new SipHeaders().append('via', 'SIP/2.0/UDP 198.51.100.1').append('from', '<sip:e@example.com>;tag=e');
  assert.equal(m.topVia.host, '198.51.100.1');
  assert.equal(m.fromTag, 'e');
});

test('a value that does not parse is not kept: it throws on every read', () => {
  const h = new SipHeaders().append('via', 'nonsense').append('from', '<sip:a@example.com>;tag=1');
  const req = new SipRequest('OPTIONS', 'sip:b@example.com', h);
  assert.throws(() => req.topVia);
  assert.throws(() => req.topVia);
  req.headers.set('via', 'SIP/2.0/UDP 192.0.2.1');
  assert.equal(req.topVia.host, '192.0.2.1');
});

test('a response shares the parsed Via, From, Call-ID and CSeq of its request; To gets its tag', () => {
  const req = invite();
  const res = createResponse(req, 200, { toTag: 'xyz' });
  assert.equal(res.topVia, req.topVia);
  assert.equal(res.from, req.from);
  assert.equal(res.cseq, req.cseq);
  assert.equal(res.toTag, 'xyz');
  assert.equal(req.toTag, undefined);
  const trying = createResponse(req, 100);
  assert.equal(trying.to, req.to, 'no tag added to 100 Trying (§8.2.6.1)');
  const withVia = createResponse(req, 200, { headers: { via: 'SIP/2.0/UDP 203.0.113.5' } });
  assert.equal(withVia.vias.length, 3, 'an extra Via given by the caller is seen');
});
