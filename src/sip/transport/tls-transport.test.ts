import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect as netConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../log/logger.js';
import { createResponse } from '../message/message-factory.js';
import type { SipRequest } from '../message/sip-message.js';
import { TransportLayer } from './transport-layer.js';
import type { InboundMessage } from './transport-types.js';

/** A self-signed pair for 127.0.0.1, made with openssl (what the test peers trust as their CA). */
function pair(): { cert: Buffer; key: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-tls-unit-'));
  try {
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem')], { stdio: 'ignore' });
    return { cert: readFileSync(join(dir, 'c.pem')), key: readFileSync(join(dir, 'k.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const { cert, key } = pair();
const options = (branch: string) => Buffer.from(`OPTIONS sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=${branch}\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@y>\r\nCall-ID: ${branch}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`);

test('TLS: a request crosses a verified connection, the response comes back on it; one connection each way', async (t) => {
  const tls = { cert, key, ca: cert, port: 0 };
  const a = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tls'], tls, logger: silentLogger() });
  const b = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tls'], tls, logger: silentLogger() });
  t.after(() => Promise.all([a.close(), b.close()]));
  const atB: InboundMessage[] = [];
  b.onMessage((m) => {
    atB.push(m);
    void b.sendResponse(createResponse(m.message as SipRequest, 200), m.source);
  });
  const atA: InboundMessage[] = [];
  const answered = new Promise<void>((resolve) => a.onMessage((m) => (atA.push(m), resolve())));
  await a.write({ data: options('z9hG4bKt1'), dest: { protocol: 'tls', host: '127.0.0.1', port: b.tlsPort } });
  await answered;
  assert.equal(atB[0]!.source.protocol, 'tls');
  assert.match(atB[0]!.source.connectionId ?? '', /^tls-[0-9a-f]{8}-\d+$/);
  assert.equal(atA[0]!.message.kind, 'response');
  assert.equal(atA[0]!.source.protocol, 'tls');
  assert.deepEqual([a.connections.tls, b.connections.tls], [1, 1]);
  assert.equal(a.counters.tlsConnectionsOpened, 1);
  assert.equal(b.isOpen(atB[0]!.source), true);
});

test('TLS: an untrusted server certificate fails the send; plain TCP on the TLS port is a counted handshake error', async (t) => {
  const server = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tls'], tls: { cert, key, port: 0 }, logger: silentLogger() });
  // No `ca`: Node's roots do not include the self-signed certificate.
  const client = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tls'], tls: { cert, key, port: 0 }, logger: silentLogger() });
  t.after(() => Promise.all([server.close(), client.close()]));
  await assert.rejects(client.write({ data: options('z9hG4bKt2'), dest: { protocol: 'tls', host: '127.0.0.1', port: server.tlsPort } }), /TLS connect to 127\.0\.0\.1:\d+ failed: self.signed certificate/);
  const plain = netConnect({ host: '127.0.0.1', port: server.tlsPort });
  await new Promise<void>((r) => plain.once('connect', () => r()));
  plain.write(options('z9hG4bKt3'));
  await new Promise<void>((r) => plain.once('close', () => r()));
  assert.ok(server.counters.tlsHandshakeErrors >= 2, `handshake errors: ${server.counters.tlsHandshakeErrors}`);
  assert.equal(server.counters.received, 0);
});

test('TLS needs a certificate: listening without one is refused, and a port in use is not retried on another', async (t) => {
  await assert.rejects(TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tls'], logger: silentLogger() }), /TLS needs a certificate/);
  const first = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tls'], tls: { cert, key, port: 0 }, logger: silentLogger() });
  t.after(() => first.close());
  await assert.rejects(TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tls'], tls: { cert, key, port: first.tlsPort }, logger: silentLogger() }), /EADDRINUSE/);
});
