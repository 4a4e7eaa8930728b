import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isWebSocketRequest } from './webrtc-target.js';

test('a contact with ;transport=ws or wss is a browser; udp/tcp and plain URIs are not', () => {
  assert.equal(isWebSocketRequest({ to: 'sip:alice@example.com', requestUri: 'sip:k3fo@df7jal23ls0d.invalid;transport=ws' }), true);
  assert.equal(isWebSocketRequest({ to: 'sip:alice@example.com', requestUri: 'sip:k3fo@df7jal23ls0d.invalid;transport=WSS;ob' }), true);
  assert.equal(isWebSocketRequest({ to: 'sip:alice@example.com', requestUri: 'sip:alice@192.0.2.1:5060;transport=tcp' }), false);
  assert.equal(isWebSocketRequest({ to: 'sip:alice@example.com', requestUri: 'sip:alice@192.0.2.1;transport=wsx' }), false);
  assert.equal(isWebSocketRequest({ to: 'sip:alice@192.0.2.1' }), false);
});
