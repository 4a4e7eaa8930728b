import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMessage } from './message/parser.js';
import type { SipRequest } from './message/sip-message.js';
import { requestOrigin } from './request-origin.js';

const req = (vias: string[]) =>
  parseMessage(Buffer.from([`OPTIONS sip:x@example.net SIP/2.0`, ...vias.map((v) => `Via: ${v}`), 'From: <sip:a@b>;tag=1', 'To: <sip:x@example.net>', 'Call-ID: c1', 'CSeq: 1 OPTIONS', 'Max-Forwards: 70', 'Content-Length: 0', '', ''].join('\r\n'))) as SipRequest;

test('the previous hop behind a trusted proxy: its received stamp, else its sent-by host; else the source', () => {
  const trusted = new Set(['10.0.0.5', '2001:db8::5']);
  const two = req(['SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1', 'SIP/2.0/UDP 192.168.1.20:5060;branch=z9hG4bK2;received=198.51.100.7;rport=41000']);
  assert.equal(requestOrigin(two, '10.0.0.5', trusted), '198.51.100.7');
  assert.equal(requestOrigin(two, '10.0.0.6', trusted), '10.0.0.6', 'an untrusted source: its own address');
  assert.equal(requestOrigin(two, '10.0.0.5', new Set()), '10.0.0.5');
  const unstamped = req(['SIP/2.0/UDP [2001:db8::5]:5070;branch=z9hG4bK1', 'SIP/2.0/UDP [2001:db8::9]:5060;branch=z9hG4bK2']);
  assert.equal(requestOrigin(unstamped, '2001:db8::5', trusted), '2001:db8::9');
  assert.equal(requestOrigin(req(['SIP/2.0/UDP 10.0.0.5:5070;branch=z9hG4bK1']), '10.0.0.5', trusted), '10.0.0.5', "the proxy's own request");
});
