/**
 * RFC 3261 §13.2.2.4: a UAC answers each retransmission of a 2xx with the same ACK. A raw UDP peer plays
 * the UAS: it answers an INVITE from the stack with 200, reads the ACK, sends the 200 again, and reads the
 * ACK again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import { once } from 'node:events';
import { SipStack } from '../../src/sip/sip-stack.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

test('a retransmitted 2xx gets the same ACK again: one Via, the same branch', async (t) => {
  const a = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  const peer = createSocket('udp4');
  peer.bind(0, '127.0.0.1');
  await once(peer, 'listening');
  t.after(async () => {
    peer.close();
    await a.close();
  });
  const received: string[] = [];
  const waiters: (() => void)[] = [];
  peer.on('message', (m) => {
    received.push(m.toString());
    waiters.splice(0).forEach((w) => w());
  });
  const next = async (method: string): Promise<string> => {
    for (;;) {
      const found = received.findIndex((m) => m.startsWith(`${method} `));
      if (found >= 0) return received.splice(found, 1)[0]!;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  const peerPort = peer.address().port;
  const call = await a.invite({ to: `sip:b@127.0.0.1:${peerPort}`, body: SDP });
  const invite = await next('INVITE');
  const header = (msg: string, name: string) => msg.split('\r\n').filter((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`));
  const ok = [
    'SIP/2.0 200 OK',
    ...header(invite, 'Via'),
    ...header(invite, 'From'),
    `${header(invite, 'To')[0]};tag=peer1`,
    ...header(invite, 'Call-ID'),
    ...header(invite, 'CSeq'),
    `Contact: <sip:b@127.0.0.1:${peerPort}>`,
    'Content-Type: application/sdp',
    `Content-Length: ${SDP.length}`,
    '',
    SDP,
  ].join('\r\n');
  peer.send(ok, a.port, '127.0.0.1');
  assert.ok((await call.result).ok);
  const first = await next('ACK');
  peer.send(ok, a.port, '127.0.0.1'); // the 2xx again, as a UAS does until its ACK arrives
  const second = await next('ACK');
  assert.equal(header(second, 'Via').length, 1, second);
  assert.deepEqual(header(second, 'Via'), header(first, 'Via'), 'the same Via and branch');
  assert.equal(second, first, 'the same ACK');
});
