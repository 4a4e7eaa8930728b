import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from '../message/parser.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';
import { Dialog } from './dialog.js';

const invite = parseMessage(
  Buffer.from(
    'INVITE sip:bob@example.com SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nFrom: "A" <sip:alice@example.com>;tag=at\r\nTo: <sip:bob@example.com>\r\nCall-ID: d1\r\nCSeq: 10 INVITE\r\nContact: <sip:alice@10.0.0.1>\r\nRecord-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nContent-Length: 0\r\n\r\n',
  ),
) as SipRequest;
const ok = parseMessage(
  Buffer.from(
    'SIP/2.0 200 OK\r\nVia: SIP/2.0/UDP 10.0.0.1;branch=z9hG4bK1\r\nFrom: "A" <sip:alice@example.com>;tag=at\r\nTo: <sip:bob@example.com>;tag=bt\r\nCall-ID: d1\r\nCSeq: 10 INVITE\r\nContact: <sip:bob@10.0.0.2:5070>\r\nRecord-Route: <sip:p1.example.com;lr>, <sip:p2.example.com;lr>\r\nContent-Length: 0\r\n\r\n',
  ),
) as SipResponse;

test('UAC dialog (§12.1.2): reversed route set, remote target from Contact, CSeq increments', () => {
  const d = Dialog.fromUac(invite, ok);
  assert.deepEqual(d.id, { callId: 'd1', localTag: 'at', remoteTag: 'bt' });
  assert.deepEqual(d.routeSet, ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);
  const bye = d.createRequest('BYE');
  assert.equal(bye.uri, 'sip:bob@10.0.0.2:5070');
  assert.equal(bye.cseq.seq, 11);
  assert.deepEqual(bye.headers.getAll('route'), ['<sip:p2.example.com;lr>', '<sip:p1.example.com;lr>']);
  assert.equal(bye.toTag, 'bt');
  assert.equal(bye.fromTag, 'at');
  assert.equal(d.createRequest('ACK', { cseq: 10 }).cseq.seq, 10);
  assert.equal(d.nextHopUri, 'sip:p2.example.com;lr');
});

test('UAS dialog (§12.1.1): route set in order, remote CSeq checks (§12.2.2)', () => {
  const d = Dialog.fromUas(invite, ok);
  assert.deepEqual(d.id, { callId: 'd1', localTag: 'bt', remoteTag: 'at' });
  assert.deepEqual(d.routeSet, ['<sip:p1.example.com;lr>', '<sip:p2.example.com;lr>']);
  assert.equal(d.remoteTarget, 'sip:alice@10.0.0.1');
  const later = invite.clone();
  later.method = 'BYE';
  later.headers.set('cseq', '11 BYE');
  assert.equal(d.acceptsRemoteCSeq(later), true);
  assert.equal(d.acceptsRemoteCSeq(later), false, 'same CSeq again is out of order');
});

test('strict routing: first route without lr becomes the Request-URI (§12.2.1.1)', () => {
  const strict = ok.clone();
  strict.headers.set('record-route', '<sip:strict.example.com>');
  const d = Dialog.fromUac(invite, strict);
  const bye = d.createRequest('BYE');
  assert.equal(bye.uri, 'sip:strict.example.com');
  assert.deepEqual(bye.headers.getAll('route'), ['<sip:bob@10.0.0.2:5070>']);
});
