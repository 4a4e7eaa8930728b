import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createResponse } from './message-factory.js';
import { parseMessage } from './parser.js';
import type { SipRequest } from './sip-message.js';

/** An INVITE that crossed two record-routing proxies (the nearest one's value on top, §16.6 step 4). */
const invite = (): SipRequest =>
  parseMessage(
    Buffer.from(
      'INVITE sip:+15550100@10.0.0.11 SIP/2.0\r\nVia: SIP/2.0/UDP 10.0.0.10;branch=z9hG4bKk1\r\nVia: SIP/2.0/UDP 192.0.2.1;branch=z9hG4bKc1\r\n' +
        'Record-Route: <sip:10.0.0.10;lr>\r\nRecord-Route: <sip:edge.example.net;lr>, <sip:carrier.example.net;lr>\r\n' +
        'From: <sip:+15557654321@192.0.2.1>;tag=a\r\nTo: <sip:+15550100@10.0.0.11>\r\nCall-ID: rr@192.0.2.1\r\nCSeq: 1 INVITE\r\nContact: <sip:c@192.0.2.1>\r\nContent-Length: 0\r\n\r\n',
    ),
  ) as SipRequest;

test('a dialog-creating response (101-299) copies every Record-Route value in order (RFC 3261 §12.1.1)', () => {
  const want = ['<sip:10.0.0.10;lr>', '<sip:edge.example.net;lr>', '<sip:carrier.example.net;lr>'];
  for (const status of [180, 183, 200]) assert.deepEqual(createResponse(invite(), status).headers.getAll('record-route'), want, String(status));
});

test('100 Trying and final failures carry no Record-Route: they establish no dialog', () => {
  for (const status of [100, 404, 486, 503]) assert.deepEqual(createResponse(invite(), status).headers.getAll('record-route'), [], String(status));
});
