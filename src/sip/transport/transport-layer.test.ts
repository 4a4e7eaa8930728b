import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { connect } from 'node:net';
import { silentLogger } from '../../log/logger.js';
import { TransportLayer, responseDestination, stampVia } from './transport-layer.js';
import { parseMessage } from '../message/parser.js';
import { serializeMessage } from '../message/serializer.js';
import { parseVia } from '../message/via.js';
import type { SipRequest } from '../message/sip-message.js';

const req = (via: string) =>
  parseMessage(
    Buffer.from(`OPTIONS sip:a@b SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`),
  ) as SipRequest;

/** A UDP socket that collects what the layer sends it; both are closed after the test. */
async function udpPeer(t: TestContext, layer: TransportLayer): Promise<{ sock: Socket; got: string[] }> {
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.after(async () => {
    await new Promise<void>((r) => sock.close(() => r()));
    await layer.close();
  });
  const got: string[] = [];
  sock.on('message', (d) => got.push(d.toString()));
  return { sock, got };
}

test('received and rport are stamped on requests (§18.2.1, RFC 3581 §4)', () => {
  const r = req('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1;rport');
  stampVia(r, { protocol: 'udp', host: '203.0.113.9', port: 40000 });
  const v = r.topVia;
  assert.equal(v.params.get('received'), '203.0.113.9');
  assert.equal(v.params.get('rport'), '40000');
  const same = req('SIP/2.0/UDP 10.0.0.5:5060;branch=z9hG4bK1');
  stampVia(same, { protocol: 'udp', host: '10.0.0.5', port: 5060 });
  assert.equal(same.topVia.params.has('received'), false);
});

test('response routing (§18.2.2 with RFC 3581)', () => {
  assert.deepEqual(responseDestination(parseVia('SIP/2.0/UDP h.example.com:5070;received=192.0.2.1;rport=9999;branch=z9hG4bK1')), { protocol: 'udp', host: '192.0.2.1', port: 9999 });
  assert.deepEqual(responseDestination(parseVia('SIP/2.0/UDP h.example.com;received=192.0.2.1;branch=z9hG4bK1')), { protocol: 'udp', host: '192.0.2.1', port: 5060 });
  assert.deepEqual(responseDestination(parseVia('SIP/2.0/UDP 192.0.2.7:5080;branch=z9hG4bK1')), { protocol: 'udp', host: '192.0.2.7', port: 5080 });
  const tcp = responseDestination(parseVia('SIP/2.0/TCP 192.0.2.7:5080;branch=z9hG4bK1;received=192.0.2.8'), { protocol: 'tcp', host: '192.0.2.8', port: 33333, connectionId: 'tcp-4' });
  assert.equal(tcp.connectionId, 'tcp-4');
});

test('malformed requests get 400 when answerable, else are dropped and counted (UDP and TCP)', async (t) => {
  const layer = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tcp'], logger: silentLogger() });
  const { sock, got } = await udpPeer(t, layer);
  const badCseq = 'OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n';
  sock.send(badCseq, layer.port, '127.0.0.1');
  sock.send('garbage\r\n\r\n', layer.port, '127.0.0.1');
  sock.send('SIP/2.0 200 OK\r\nVia: nonsense\r\n\r\n', layer.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 200));
  assert.equal(got.length, 1);
  assert.match(got[0]!, /^SIP\/2.0 400 Bad Request/);
  assert.match(got[0]!, /\r\nTo: <sip:a@b>;tag=/);
  assert.equal(layer.counters.malformed, 3);
  assert.equal(layer.counters.badRequestAnswered, 1);
  assert.equal(layer.counters.dropped, 2);
  // TCP: an unframeable stream is counted and the connection closed.
  const c = connect(layer.port, '127.0.0.1');
  c.on('error', () => {});
  const closed = new Promise<void>((r) => c.on('close', () => r()));
  c.write('OPTIONS sip:a@b SIP/2.0\r\nVia: x\r\n\r\n');
  await closed;
  assert.equal(layer.counters.tcpFramingErrors, 1);
});

test('an over-limit request (SipLimitError) is counted as malformed and dropped, not answered', async (t) => {
  const layer = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp'], logger: silentLogger(), limits: { maxMessageBytes: 65_536, maxHeaders: 4 } });
  const { sock, got } = await udpPeer(t, layer);
  // Six header fields against a limit of four: refused before the headers are read, so nothing to echo.
  sock.send(serializeMessage(req('SIP/2.0/UDP 127.0.0.1;branch=z9hG4bK1')), layer.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 200));
  assert.deepEqual(got, []);
  assert.equal(layer.counters.malformed, 1);
  assert.equal(layer.counters.dropped, 1);
  assert.equal(layer.counters.badRequestAnswered, 0);
});

test('TCP: pipelined requests on one connection all arrive; idle connections are closed', async (t) => {
  const layer = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['tcp'], logger: silentLogger(), tcpIdleTimeoutMs: 300 });
  t.after(() => layer.close());
  const seen: string[] = [];
  layer.onMessage(({ message, source }) => {
    seen.push(message.callId);
    assert.equal(source.protocol, 'tcp');
    assert.ok(source.connectionId);
  });
  const one = (id: string) => `OPTIONS sip:a@b SIP/2.0\r\nVia: SIP/2.0/TCP 127.0.0.1;branch=z9hG4bK${id}\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: ${id}\r\nCSeq: 1 OPTIONS\r\nContent-Length: 0\r\n\r\n`;
  const c = connect(layer.port, '127.0.0.1');
  c.on('error', () => {});
  const closed = new Promise<number>((r) => c.on('close', () => r(Date.now())));
  await new Promise<void>((r) => c.once('connect', () => r()));
  const opened = Date.now();
  c.write(one('p1') + one('p2') + one('p3'));
  const when = await closed;
  assert.deepEqual(seen, ['p1', 'p2', 'p3']);
  assert.ok(when - opened >= 250, 'closed by the idle timer');
  for (let i = 0; i < 50 && layer.tcpConnections > 0; i++) await new Promise((r) => setTimeout(r, 10));
  assert.equal(layer.tcpConnections, 0);
});
