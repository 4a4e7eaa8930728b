import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../log/logger.js';
import { TransportLayer } from './transport-layer.js';
import { createResponse } from '../message/message-factory.js';
import type { SipRequest } from '../message/sip-message.js';
import type { WebSocketChannel } from './ws-transport.js';
import type { InboundMessage } from './transport-types.js';

/** A channel recording what the layer sends: the `ws` package is app/'s (sip/ imports no socket library),
 *  and its real use is covered end to end in test/transport/sip-websocket.test.ts. */
function channel(): WebSocketChannel & { sent: string[]; closedWith?: number } {
  const c: WebSocketChannel & { sent: string[]; closedWith?: number } = {
    sent: [],
    send: (text, done) => {
      c.sent.push(text);
      done();
    },
    close: (code) => {
      c.closedWith = code;
    },
  };
  return c;
}

const options = (via: string, extra = '') => `OPTIONS sip:ringside.test SIP/2.0\r\nVia: ${via}\r\nFrom: <sip:x@y>;tag=1\r\nTo: <sip:a@b>\r\nCall-ID: c1\r\nCSeq: 1 OPTIONS\r\n${extra}\r\n`;

test('one WebSocket message is one SIP message; the source names the connection; responses go back on it (RFC 7118 §5)', async (t) => {
  const layer = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'ws'], logger: silentLogger() });
  t.after(() => layer.close());
  const got: InboundMessage[] = [];
  layer.onMessage((m) => got.push(m));
  const ch = channel();
  const conn = layer.acceptWebSocket('ws', ch, '192.0.2.10', 50000)!;
  assert.match(conn.connectionId, /^ws-[0-9a-f]{8}-\d+$/);
  conn.message(Buffer.from(options('SIP/2.0/WS abc.invalid;branch=z9hG4bK1')));
  assert.equal(got.length, 1);
  const { message, source } = got[0]!;
  assert.deepEqual(source, { protocol: 'ws', host: '192.0.2.10', port: 50000, connectionId: conn.connectionId });
  // §18.2.1: the .invalid sent-by gets `received`.
  assert.match(message.headers.get('via') ?? '', /received=192\.0\.2\.10/);
  assert.equal(layer.isOpen(source), true);
  const res = createResponse(message as SipRequest, 200);
  await layer.sendResponse(res, source);
  assert.equal(ch.sent.length, 1);
  assert.match(ch.sent[0]!, /^SIP\/2\.0 200 OK\r\n/);
  // Keep-alive CRLFCRLF is answered with CRLF and not parsed.
  conn.message(Buffer.from('\r\n\r\n'));
  assert.deepEqual(ch.sent.slice(1), ['\r\n']);
  assert.equal(got.length, 1);
});

test('a closed WebSocket cannot be reached again: sends fail, listeners hear of the close, ids are never reused', async (t) => {
  const layer = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'ws', 'wss'], logger: silentLogger() });
  t.after(() => layer.close());
  const closed: string[] = [];
  layer.onConnectionClosed((id) => closed.push(id));
  const a = layer.acceptWebSocket('ws', channel(), '192.0.2.10', 50000)!;
  a.closed();
  a.closed();
  assert.deepEqual(closed, [a.connectionId]);
  const dest = { protocol: 'ws' as const, host: '192.0.2.10', port: 50000, connectionId: a.connectionId };
  assert.equal(layer.isOpen(dest), false);
  await assert.rejects(layer.write({ data: Buffer.from('x'), dest }), /closed/);
  const b = layer.acceptWebSocket('wss', channel(), '192.0.2.10', 50001)!;
  assert.notEqual(b.connectionId, a.connectionId);
  assert.match(b.connectionId, /^wss-/);
  assert.deepEqual(layer.connections, { tcp: 0, tls: 0, ws: 0, wss: 1 });
  assert.equal(layer.counters.wsConnectionsOpened, 2);
  assert.equal(layer.counters.wsConnectionsClosed, 1);
});

test('a transport that is off accepts nothing; a closing one sends 1001 to its clients', async () => {
  const layer = await TransportLayer.listen({ host: '127.0.0.1', port: 0, protocols: ['udp', 'ws'], logger: silentLogger() });
  assert.equal(layer.acceptWebSocket('wss', channel(), '192.0.2.1', 1), undefined);
  const ch = channel();
  layer.acceptWebSocket('ws', ch, '192.0.2.1', 2);
  await layer.close();
  assert.equal(ch.closedWith, 1001);
  assert.equal(layer.acceptWebSocket('ws', channel(), '192.0.2.1', 3), undefined);
});
