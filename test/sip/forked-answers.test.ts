import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type RemoteInfo } from 'node:dgram';
import { SipStack } from '../../src/sip/sip-stack.js';
import { parseMessage } from '../../src/sip/message/parser.js';
import type { SipRequest } from '../../src/sip/message/sip-message.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

/** A 200 to `inv` from the fork that tags itself `tag`, with its own Contact (this socket). */
function answer(inv: SipRequest, tag: string, port: number): Buffer {
  const vias = inv.headers.rows('via').map((v) => `Via: ${v}\r\n`).join('');
  return Buffer.from(
    `SIP/2.0 200 OK\r\n${vias}From: ${inv.headers.get('from')}\r\nTo: ${inv.headers.get('to')};tag=${tag}\r\nCall-ID: ${inv.callId}\r\nCSeq: ${inv.headers.get('cseq')}\r\nContact: <sip:${tag}@127.0.0.1:${port}>\r\nContent-Type: application/sdp\r\nContent-Length: ${SDP.length}\r\n\r\n${SDP}`,
  );
}

// A forking proxy played by a raw socket: the INVITE is answered by two forks, then the first answer is
// retransmitted. RFC 3261 §13.2.2.4 and RFC 6026 §7.2: every 2xx is ACKed; the first makes the session;
// the other fork's dialog is ACKed and hung up with BYE; a retransmission gets the same ACK again.
test('2xx from a second fork is ACKed and hung up, a retransmitted 2xx is ACKed again', async (t) => {
  const stack = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  const sock = createSocket('udp4');
  await new Promise<void>((res) => sock.bind(0, '127.0.0.1', () => res()));
  t.after(async () => {
    await new Promise<void>((res) => sock.close(() => res()));
    await stack.close();
  });
  const port = sock.address().port;
  const seen: Array<{ method: string; tag: string | undefined; cseq: string }> = [];
  let invite: SipRequest | undefined;
  let inviteFrom: RemoteInfo | undefined;
  sock.on('message', (data, rinfo) => {
    const m = parseMessage(data);
    if (m.kind !== 'request') return;
    if (m.method === 'INVITE') {
      if (invite) return; // a retransmission
      invite = m;
      inviteFrom = rinfo;
      sock.send(answer(m, 'fork1', port), rinfo.port, rinfo.address);
      sock.send(answer(m, 'fork2', port), rinfo.port, rinfo.address);
      return;
    }
    seen.push({ method: m.method, tag: m.toTag, cseq: m.headers.get('cseq') ?? '' });
    if (m.method === 'BYE') {
      const vias = m.headers.rows('via').map((v) => `Via: ${v}\r\n`).join('');
      const ok = `SIP/2.0 200 OK\r\n${vias}From: ${m.headers.get('from')}\r\nTo: ${m.headers.get('to')}\r\nCall-ID: ${m.callId}\r\nCSeq: ${m.headers.get('cseq')}\r\nContent-Length: 0\r\n\r\n`;
      sock.send(ok, rinfo.port, rinfo.address);
    }
  });
  const call = await stack.invite({ to: `sip:bob@127.0.0.1:${port}`, body: SDP });
  const result = await call.result;
  assert.ok(result.ok);
  assert.equal(result.session.dialog.id.remoteTag, 'fork1');
  const until = async (n: number): Promise<void> => {
    for (let i = 0; i < 100 && seen.length < n; i++) await new Promise((r) => setTimeout(r, 10));
  };
  await until(3);
  // The result is in: what comes now reaches the stack while the INVITE transaction lingers (Timer M).
  sock.send(answer(invite!, 'fork1', port), inviteFrom!.port, inviteFrom!.address);
  await until(4);
  const summary = seen.map((s) => `${s.method} ${s.tag} ${s.cseq}`).sort();
  assert.deepEqual(summary, ['ACK fork1 1 ACK', 'ACK fork1 1 ACK', 'ACK fork2 1 ACK', 'BYE fork2 2 BYE']);
  assert.equal(result.session.state, 'confirmed', 'the session of the first fork goes on');
});
