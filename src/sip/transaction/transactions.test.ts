import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipTransportError } from '../errors.js';
import { SipHeaders } from '../message/headers.js';
import { SipRequest, SipResponse, type SipMessage } from '../message/sip-message.js';
import { parseMessage } from '../message/parser.js';
import { serializeMessage } from '../message/serializer.js';
import type { Destination, Outbound } from '../transport/transport-types.js';
import { DEFAULT_TIMERS } from './clock.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { TransactionLayer } from './transaction-layer.js';
import type { ClientTransactionUser } from './transaction-user.js';

const UDP: Destination = { protocol: 'udp', host: '127.0.0.1', port: 5060 };
const TCP: Destination = { protocol: 'tcp', host: '127.0.0.1', port: 5060 };

function request(method: string, branch = 'z9hG4bKtest1'): SipRequest {
  const h = new SipHeaders()
    .append('via', `SIP/2.0/UDP 127.0.0.1:5070;branch=${branch}`)
    .append('from', '<sip:a@example.com>;tag=1')
    .append('to', '<sip:b@example.com>')
    .append('call-id', 'c1')
    .append('cseq', `1 ${method}`)
    .append('max-forwards', '70');
  return new SipRequest(method, 'sip:b@example.com', h);
}

function responseTo(req: SipRequest, status: number): SipResponse {
  const h = new SipHeaders();
  for (const v of req.headers.rows('via')) h.append('via', v);
  h.append('from', req.headers.get('from')!).append('to', `${req.headers.get('to')!};tag=x`).append('call-id', req.callId).append('cseq', req.headers.get('cseq')!);
  return new SipResponse(status, 'R', h);
}

function setup(fail = false) {
  const clock = new ManualClock();
  const sent: Array<{ at: number; msg: SipMessage }> = [];
  // Transactions hand the transport serialized messages; what went out is read back from the bytes.
  const prepare = (msg: SipMessage, dest: Destination): Outbound => ({ data: serializeMessage(msg), dest });
  const write = async (out: Outbound): Promise<void> => {
    if (fail) throw new SipTransportError('boom');
    sent.push({ at: clock.now(), msg: parseMessage(out.data) });
  };
  const layer = new TransactionLayer({ clock, timers: DEFAULT_TIMERS, prepareRequest: prepare, prepareResponse: prepare, write });
  const events: string[] = [];
  const responses: SipResponse[] = [];
  const tu: ClientTransactionUser = {
    receiveResponse: (r) => {
      responses.push(r);
      events.push(`response ${r.status}`);
    },
    onRequestTimeout: () => events.push('timeout'),
    onTransportError: () => events.push('transport-error'),
    onTerminated: () => events.push('terminated'),
  };
  return { clock, sent, layer, events, responses, tu };
}

const times = (sent: Array<{ at: number }>) => sent.map((s) => s.at);

test('INVITE client: Timer A doubles from T1 (no cap, §17.1.1.2) and Timer B = 64*T1 reports a timeout (408)', async () => {
  const { clock, sent, layer, events, tu } = setup();
  const tx = layer.sendRequest(request('INVITE'), UDP, tu);
  clock.advance(64 * 500 + 1);
  await Promise.resolve();
  // 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s
  assert.deepEqual(times(sent), [0, 500, 1500, 3500, 7500, 15500, 31500]);
  assert.deepEqual(events, ['timeout']);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.size.clients, 0);
});

test('INVITE client: provisional stops retransmissions; non-2xx is ACKed by the transaction; Timer D absorbs', () => {
  const { clock, sent, layer, events, tu } = setup();
  const inv = request('INVITE');
  const tx = layer.sendRequest(inv, UDP, tu);
  layer.receiveResponse(responseTo(inv, 180));
  clock.advance(10_000);
  assert.equal(sent.length, 1, 'no retransmission in Proceeding');
  layer.receiveResponse(responseTo(inv, 486));
  assert.equal(tx.state, 'completed');
  const ack = sent[1]!.msg as SipRequest;
  assert.equal(ack.method, 'ACK');
  assert.equal(ack.cseq.seq, 1);
  assert.equal(ack.toTag, 'x');
  assert.equal(ack.topVia.params.get('branch'), 'z9hG4bKtest1');
  layer.receiveResponse(responseTo(inv, 486));
  assert.equal(sent.length, 3, 'retransmitted final is ACKed again');
  assert.deepEqual(events, ['response 180', 'response 486'], 'retransmission not passed up');
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE client: 2xx → Accepted (RFC 6026), retransmitted 2xx passed up, Timer M ends it', () => {
  const { clock, layer, events, tu } = setup();
  const inv = request('INVITE');
  const tx = layer.sendRequest(inv, UDP, tu);
  layer.receiveResponse(responseTo(inv, 200));
  assert.equal(tx.state, 'accepted');
  layer.receiveResponse(responseTo(inv, 200));
  assert.deepEqual(events, ['response 200', 'response 200']);
  clock.advance(64 * 500);
  assert.equal(tx.state, 'terminated');
});

test('INVITE client over TCP: no retransmissions, Timer D = 0', () => {
  const { clock, sent, layer, tu } = setup();
  const inv = request('INVITE');
  const tx = layer.sendRequest(inv, TCP, tu);
  clock.advance(20_000);
  assert.equal(sent.length, 1);
  layer.receiveResponse(responseTo(inv, 404));
  assert.equal(tx.state, 'terminated');
});

test('INVITE client: transport error is reported (503) and terminates', async () => {
  const { layer, events, tu } = setup(true);
  const tx = layer.sendRequest(request('INVITE'), UDP, tu);
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(events, ['transport-error']);
  assert.equal(tx.state, 'terminated');
});

test('non-INVITE client: Timer E doubles to the T2 cap, then T2 in Proceeding; Timer F = 64*T1 → timeout', () => {
  const { clock, sent, layer, events, tu } = setup();
  layer.sendRequest(request('OPTIONS'), UDP, tu);
  clock.advance(64 * 500);
  // 0, .5, 1.5, 3.5, 7.5, 11.5, 15.5, ... every 4 s until 31.5
  assert.deepEqual(times(sent), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.deepEqual(events, ['timeout']);
});

test('non-INVITE client: Proceeding retransmits every T2; Timer K = T4 absorbs retransmitted finals', () => {
  const { clock, sent, layer, events, tu } = setup();
  const req = request('OPTIONS');
  const tx = layer.sendRequest(req, UDP, tu);
  layer.receiveResponse(responseTo(req, 100));
  clock.advance(500); // E fires: now in Proceeding → next interval T2
  clock.advance(4000);
  assert.deepEqual(times(sent), [0, 500, 4500]);
  layer.receiveResponse(responseTo(req, 200));
  assert.equal(tx.state, 'completed');
  layer.receiveResponse(responseTo(req, 200));
  assert.deepEqual(events, ['response 100', 'response 200']);
  clock.advance(4999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.deepEqual(events.at(-1), 'terminated');
});

test('INVITE server: 100 Trying, Timer G retransmits non-2xx to the T2 cap, Timer H without ACK', () => {
  const { clock, sent, layer } = setup();
  const inv = request('INVITE');
  let ackTimeout = false;
  const tx = layer.createServer(inv, UDP, { onAckTimeout: () => (ackTimeout = true) });
  assert.ok(tx.state === 'proceeding');
  tx.respond(responseTo(inv, 100));
  tx.receiveRequest(inv); // retransmitted INVITE → last provisional again
  assert.equal(sent.length, 2);
  tx.respond(responseTo(inv, 480));
  clock.advance(64 * 500);
  const finals = sent.filter((s) => (s.msg as SipResponse).status === 480);
  // 0, .5, 1.5, 3.5, 7.5, 11.5, ... (G doubles, capped at T2 = 4 s), H at 32 s
  assert.deepEqual(times(finals), [0, 500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]);
  assert.equal(tx.state, 'terminated');
  assert.ok(ackTimeout);
});

test('INVITE server: ACK → Confirmed; Timer I = T4 absorbs ACKs; no more retransmissions', () => {
  const { clock, sent, layer } = setup();
  const inv = request('INVITE');
  const tx = layer.createServer(inv, UDP, {});
  tx.respond(responseTo(inv, 486));
  const ack = request('ACK');
  assert.equal(layer.findServer(ack), tx, 'ACK matches the INVITE transaction (§17.2.3)');
  tx.receiveRequest(ack);
  assert.equal(tx.state, 'confirmed');
  clock.advance(4999);
  assert.equal(sent.length, 1);
  assert.equal(tx.state, 'confirmed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
});

test('INVITE server: 2xx → Accepted (RFC 6026 §7.1), INVITE retransmissions absorbed, Timer L', () => {
  const { clock, sent, layer } = setup();
  const inv = request('INVITE');
  const tx = layer.createServer(inv, UDP, {});
  tx.respond(responseTo(inv, 200));
  assert.equal(tx.state, 'accepted');
  tx.receiveRequest(inv);
  assert.equal(sent.length, 1);
  clock.advance(32_000);
  assert.equal(tx.state, 'terminated');
});

test('non-INVITE server: Trying absorbs retransmissions, Completed resends the final, Timer J = 64*T1', () => {
  const { clock, sent, layer } = setup();
  const req = request('MESSAGE');
  const tx = layer.createServer(req, UDP, {});
  tx.receiveRequest(req);
  assert.equal(sent.length, 0);
  tx.respond(responseTo(req, 200));
  tx.receiveRequest(req);
  assert.equal(sent.length, 2);
  clock.advance(31_999);
  assert.equal(tx.state, 'completed');
  clock.advance(1);
  assert.equal(tx.state, 'terminated');
  assert.equal(layer.size.servers, 0);
});

test('CANCEL matches its INVITE server transaction (§9.2)', () => {
  const { layer } = setup();
  const inv = request('INVITE', 'z9hG4bKcancelme');
  const tx = layer.createServer(inv, UDP, {});
  const cancel = request('CANCEL', 'z9hG4bKcancelme');
  assert.equal(layer.findCancelTarget(cancel), tx);
  assert.equal(layer.findCancelTarget(request('CANCEL', 'z9hG4bKother')), undefined);
});

test('RFC 2543 requests without a magic-cookie branch still match their retransmissions', () => {
  const { layer } = setup();
  const inv = request('INVITE', 'oldstyle');
  const tx = layer.createServer(inv, UDP, {});
  assert.equal(layer.findServer(request('INVITE', 'oldstyle')), tx);
});
