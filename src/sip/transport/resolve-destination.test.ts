import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveDestination } from './resolve-destination.js';

test('transport parameter and scheme pick the protocol and its default port (RFC 3261 §19.1.2, §26.2.2)', async () => {
  assert.deepEqual(await resolveDestination('sip:a@192.0.2.1', 'udp'), { protocol: 'udp', host: '192.0.2.1', port: 5060 });
  assert.deepEqual(await resolveDestination('sip:a@192.0.2.1;transport=tcp', 'udp'), { protocol: 'tcp', host: '192.0.2.1', port: 5060 });
  assert.deepEqual(await resolveDestination('sip:a@192.0.2.1;transport=TLS', 'udp'), { protocol: 'tls', host: '192.0.2.1', port: 5061 });
  assert.deepEqual(await resolveDestination('sips:a@192.0.2.1', 'udp'), { protocol: 'tls', host: '192.0.2.1', port: 5061 });
  assert.deepEqual(await resolveDestination('sips:a@192.0.2.1:5071;transport=tcp', 'udp'), { protocol: 'tls', host: '192.0.2.1', port: 5071 });
  assert.deepEqual(await resolveDestination('sip:a@192.0.2.1;transport=ws', 'udp'), { protocol: 'ws', host: '192.0.2.1', port: 80 });
  assert.deepEqual(await resolveDestination('sips:a@192.0.2.1;transport=wss', 'udp'), { protocol: 'wss', host: '192.0.2.1', port: 443 });
  assert.deepEqual(await resolveDestination('sip:a@[2001:db8::1]:5070', 'tcp'), { protocol: 'tcp', host: '2001:db8::1', port: 5070 });
});

test('a WebSocket client\'s .invalid host cannot be resolved (it is reached over its connection only)', async () => {
  await assert.rejects(resolveDestination('sip:x@df7jal23ls0d.invalid;transport=ws', 'udp'), /cannot resolve/);
});
