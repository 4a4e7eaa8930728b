import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { SipStack } from '../../src/sip/sip-stack.js';
import type { Destination } from '../../src/sip/transport/transport-types.js';
import type { InviteSession } from '../../src/sip/dialog/invite-session.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';
const T1 = 100;

/** Kind of a SIP datagram for the loss rules: "INVITE", "ACK", "BYE", "200 INVITE", "200 BYE", … */
function kind(data: Buffer): string {
  const text = data.toString('latin1', 0, Math.min(data.length, 2000));
  const first = text.slice(0, text.indexOf('\r\n'));
  const cseq = /\r\nCSeq: *[0-9]+ +(\S+)/i.exec(text)?.[1] ?? '';
  const m = /^SIP\/2\.0 ([0-9]{3})/.exec(first);
  return m ? `${m[1]} ${cseq}` : first.split(' ')[0]!;
}

/** Drops the first `n` outgoing datagrams of each listed kind; counts drops. */
function lossy(rules: Record<string, number>, dropped: Record<string, number>) {
  return (data: Buffer, dest: Destination): boolean => {
    if (dest.protocol !== 'udp') return true;
    const k = kind(data);
    const left = rules[k] ?? 0;
    if (left > 0) {
      rules[k] = left - 1;
      dropped[k] = (dropped[k] ?? 0) + 1;
      return false;
    }
    return true;
  };
}

test('a call survives loss of INVITEs, the 2xx, the ACK, the BYE and its 200 (UDP retransmissions)', async (t) => {
  const droppedA: Record<string, number> = {};
  const droppedB: Record<string, number> = {};
  const a = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1 }, outboundFilter: lossy({ INVITE: 2, ACK: 1, BYE: 2 }, droppedA) });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1 }, outboundFilter: lossy({ '200 INVITE': 1, '200 BYE': 1, '180 INVITE': 1 }, droppedB) });
  t.after(async () => {
    await a.close();
    await b.close();
  });
  let bSession: InviteSession | undefined;
  b.onInvite((inv) => {
    inv.progress(180);
    bSession = inv.accept({ body: SDP });
  });
  const started = Date.now();
  const result = await (await a.invite({ to: `sip:b@127.0.0.1:${b.port}`, body: SDP })).result;
  assert.ok(result.ok, `call failed with ${result.response.status}`);
  assert.equal(await bSession!.confirmed, true, 'the 2xx was retransmitted until an ACK got through');
  const bye = await result.session.bye();
  assert.equal(bye.status, 200);
  assert.equal(await bSession!.ended, 'remote-bye');
  assert.deepEqual(droppedA, { INVITE: 2, ACK: 1, BYE: 2 });
  assert.deepEqual(droppedB, { '180 INVITE': 1, '200 INVITE': 1, '200 BYE': 1 });
  assert.ok(Date.now() - started < 64 * T1, 'well within Timer B/F');
});

/** A UDP relay between two address families of sockets, dropping the first `drop` datagrams each way. */
async function lossyRelay(target: number, drop: number): Promise<{ port: number; dropped: () => number; close: () => Promise<void> }> {
  const bind = (s: Socket): Promise<number> => new Promise((r) => s.bind(0, '127.0.0.1', () => r(s.address().port)));
  const front = createSocket('udp4');
  const back = createSocket('udp4');
  const port = await bind(front);
  await bind(back);
  let client: { address: string; port: number } | undefined;
  let toB = drop;
  let toA = drop;
  let dropped = 0;
  front.on('message', (d, r) => {
    client = { address: r.address, port: r.port };
    if (toB-- > 0) dropped++;
    else back.send(d, target, '127.0.0.1');
  });
  back.on('message', (d) => {
    if (!client) return;
    if (toA-- > 0) dropped++;
    else front.send(d, client.port, client.address);
  });
  return {
    port,
    dropped: () => dropped,
    close: async () => {
      await new Promise<void>((r) => front.close(() => r()));
      await new Promise<void>((r) => back.close(() => r()));
    },
  };
}

// Two losses each way: the request goes through on its 3rd send (at 3*T1) and its response on the 3rd
// retransmission it answers (at 15*T1), far inside Timer F/B (64*T1) even when a loaded machine delays
// timers. Three losses each way would need the 7th send at 63*T1, one T1 from the timeout.
test('through a lossy UDP relay (first 2 datagrams lost each way) MESSAGE and INVITE still complete', async (t) => {
  const a = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1 } });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1 } });
  const relay = await lossyRelay(b.port, 2);
  t.after(async () => {
    await a.close();
    await b.close();
    await relay.close();
  });
  b.onRequest('MESSAGE', (r) => {
    r.respond(200);
  });
  const res = await a.request('MESSAGE', { to: `sip:b@127.0.0.1:${relay.port}`, body: 'through the storm' });
  assert.equal(res.status, 200);
  b.onInvite((inv) => {
    inv.reject(486);
  });
  const r = await (await a.invite({ to: `sip:b@127.0.0.1:${relay.port}`, body: SDP })).result;
  assert.equal(r.response.status, 486, 'final response relayed (rport sends it back through the relay)');
  assert.equal(relay.dropped(), 4);
});
