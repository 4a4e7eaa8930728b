import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipStack } from '../../src/sip/sip-stack.js';
import type { TransportProtocol } from '../../src/sip/transport/transport-types.js';
import type { InviteSession } from '../../src/sip/dialog/invite-session.js';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

async function pair(t: { after: (fn: () => Promise<void>) => void }) {
  const a = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  t.after(async () => {
    await a.close();
    await b.close();
  });
  return { a, b };
}

for (const transport of ['udp', 'tcp'] as TransportProtocol[]) {
  test(`two stacks over ${transport}: OPTIONS, MESSAGE, INVITE → INFO → re-INVITE → BYE`, async (t) => {
    const { a, b } = await pair(t);
    const opts = await a.request('OPTIONS', { to: `sip:b@127.0.0.1:${b.port}`, transport });
    assert.equal(opts.status, 200);
    assert.match(opts.headers.get('allow') ?? '', /INVITE/);

    const texts: string[] = [];
    b.onRequest('MESSAGE', (req) => {
      texts.push(req.request.body.toString());
      req.respond(200);
    });
    const msg = await a.request('MESSAGE', { to: `sip:b@127.0.0.1:${b.port}`, body: 'hello', contentType: 'text/plain', transport });
    assert.equal(msg.status, 200);
    assert.deepEqual(texts, ['hello']);

    let bSession: InviteSession | undefined;
    const infos: string[] = [];
    b.onInvite((inv) => {
      inv.progress(180);
      bSession = inv.accept({ body: SDP });
      bSession.onRequest((r) => {
        if (r.method === 'INFO') {
          infos.push(r.request.body.toString());
          r.respond(200);
        }
      });
    });
    const call = await a.invite({ to: `sip:b@127.0.0.1:${b.port}`, body: SDP, transport });
    const progress: number[] = [];
    call.onProgress((r) => progress.push(r.status));
    const result = await call.result;
    assert.ok(result.ok, 'call answered');
    assert.deepEqual(progress, [180]);
    assert.match(result.response.headers.get('allow') ?? '', /\bREFER\b/, 'the 2xx carries Allow (RFC 3261 §13.3.1.4)');
    assert.equal(result.response.headers.get('supported'), 'norefersub');
    assert.equal(result.session.remoteBody.toString(), SDP);
    assert.equal(await bSession!.confirmed, true, 'ACK reached the UAS');
    const info = await result.session.info('Signal=5\r\nDuration=160\r\n', 'application/dtmf-relay');
    assert.equal(info.status, 200);
    assert.equal(infos.length, 1);
    const re = await result.session.reinvite({ body: SDP });
    assert.equal(re.status, 200);
    const bye = await result.session.bye();
    assert.equal(bye.status, 200);
    assert.equal(await bSession!.ended, 'remote-bye');
    assert.equal(await result.session.ended, 'local-bye');
  });
}

test('a re-INVITE answered before its handler finishes: the ACK that arrives meanwhile stops the 2xx (RFC 3261 §13.3.1.4)', async (t) => {
  const { a, b } = await pair(t);
  let bSession: InviteSession | undefined;
  let handlerDone!: () => void;
  const handlerFinished = new Promise<void>((r) => (handlerDone = r));
  b.onInvite((inv) => {
    bSession = inv.accept({ body: SDP });
    bSession.onRequest(async (r) => {
      r.respond(200, { body: SDP, contentType: 'application/sdp' });
      // Other work after the answer (the switch asks the media engine for the new direction): the ACK is
      // read before this handler returns.
      await new Promise((resolve) => setTimeout(resolve, 150));
      handlerDone();
    });
  });
  const r = await (await a.invite({ to: `sip:b@127.0.0.1:${b.port}`, body: SDP })).result;
  assert.ok(r.ok);
  let ackResent = 0;
  const resendAck = r.session.resendAck.bind(r.session);
  r.session.resendAck = (seq: number) => {
    ackResent += 1;
    resendAck(seq);
  };
  assert.equal((await r.session.reinvite({ body: SDP })).status, 200);
  await handlerFinished;
  // T1 is 100 ms here: an unacknowledged 2xx would be sent again at 100, 300 and 700 ms.
  await new Promise((resolve) => setTimeout(resolve, 800));
  assert.equal(ackResent, 0, 'the re-INVITE\'s 2xx was retransmitted although its ACK had arrived');
  assert.equal(bSession!.state, 'confirmed');
  assert.equal((await r.session.bye()).status, 200);
});

test('rejected and cancelled calls', async (t) => {
  const { a, b } = await pair(t);
  let cancelled = false;
  b.onInvite((inv) => {
    if (inv.request.uri.includes('busy')) inv.reject(486);
    else {
      inv.progress(180);
      inv.onCancel(() => (cancelled = true));
    }
  });
  const busy = await (await a.invite({ to: `sip:busy@127.0.0.1:${b.port}`, body: SDP })).result;
  assert.equal(busy.ok, false);
  assert.equal(busy.response.status, 486);
  const ringing = await a.invite({ to: `sip:ring@127.0.0.1:${b.port}`, body: SDP });
  ringing.onProgress(() => ringing.cancel());
  const r = await ringing.result;
  assert.equal(r.ok, false);
  assert.equal(r.response.status, 487);
  assert.equal(!r.ok && r.reason, 'cancelled');
  assert.ok(cancelled);
});

test('no answer: the INVITE times out with a synthetic 408 (Timer B)', async (t) => {
  const { a } = await pair(t);
  const dead = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const port = dead.port;
  await dead.close();
  const r = await (await a.invite({ to: `sip:x@127.0.0.1:${port}`, body: SDP })).result;
  assert.equal(r.ok, false);
  assert.equal(r.response.status, 408);
  assert.equal(!r.ok && r.reason, 'timeout');
});

test('TCP connect failure is a synthetic 503', async (t) => {
  const { a } = await pair(t);
  const dead = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const port = dead.port;
  await dead.close();
  const res = await a.request('OPTIONS', { to: `sip:x@127.0.0.1:${port};transport=tcp` });
  assert.equal(res.status, 503);
});

test('in-dialog UPDATE, MESSAGE, REFER with NOTIFY (RFC 3515), BYE from the callee', async (t) => {
  const { a, b } = await pair(t);
  let bSession: InviteSession | undefined;
  const seenByB: string[] = [];
  b.onInvite((inv) => {
    bSession = inv.accept({ body: SDP });
    bSession.onRequest((r) => {
      seenByB.push(r.method);
      if (r.method === 'REFER') {
        assert.equal(r.request.headers.get('refer-to'), '<sip:carol@example.com>');
        r.respond(202);
        void bSession!.notifyReferStatus('SIP/2.0 100 Trying', false).then(() => bSession!.notifyReferStatus('SIP/2.0 200 OK', true));
      }
    });
  });
  const r = await (await a.invite({ to: `sip:b@127.0.0.1:${b.port}`, body: SDP })).result;
  assert.ok(r.ok);
  const notifies: string[] = [];
  const done = new Promise<void>((resolve) => {
    r.session.onRequest((req) => {
      if (req.method === 'NOTIFY') {
        notifies.push(req.request.body.toString().trim());
        req.respond(200);
        if (req.request.headers.get('subscription-state')?.startsWith('terminated')) resolve();
      }
    });
  });
  assert.equal((await r.session.request('UPDATE', { body: SDP, contentType: 'application/sdp' })).status, 200);
  assert.equal((await r.session.message('hi in dialog')).status, 200);
  assert.equal((await r.session.refer('sip:carol@example.com')).status, 202);
  await done;
  assert.deepEqual(notifies, ['SIP/2.0 100 Trying', 'SIP/2.0 200 OK']);
  assert.deepEqual(seenByB, ['UPDATE', 'MESSAGE', 'REFER']);
  assert.equal((await bSession!.bye()).status, 200);
  assert.equal(await r.session.ended, 'remote-bye');
  // A request in the ended dialog is answered 481 (§12.2.2).
  const stale = await a.request('OPTIONS', { to: `sip:b@127.0.0.1:${b.port}`, headers: { to: `<sip:b@127.0.0.1:${b.port}>;tag=nonexistent` } });
  assert.equal(stale.status, 481);
});

test('close() settles pending requests with a synthetic 503 (nothing left hanging)', async () => {
  const a = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const silent = await SipStack.start({ host: '127.0.0.1', port: 0 });
  silent.onRequest('MESSAGE', () => new Promise(() => {})); // never answers
  silent.onInvite(() => {});
  try {
    const pending = a.request('MESSAGE', { to: `sip:x@127.0.0.1:${silent.port}`, body: 'x' });
    const call = await a.invite({ to: `sip:x@127.0.0.1:${silent.port}`, body: SDP });
    await new Promise((r) => setTimeout(r, 50));
    await a.close();
    assert.equal((await pending).status, 503);
    const r = await call.result;
    assert.equal(r.ok, false);
    assert.equal(r.response.status, 503);
  } finally {
    await a.close();
    await silent.close();
  }
});

test('IPv6 loopback: OPTIONS and a call over UDP and TCP on ::1', async (t) => {
  let a: SipStack;
  let b: SipStack;
  try {
    a = await SipStack.start({ host: '::1', port: 0 });
    b = await SipStack.start({ host: '::1', port: 0 });
  } catch (err) {
    t.skip(`no IPv6 loopback here: ${(err as Error).message}`);
    return;
  }
  t.after(async () => {
    await a.close();
    await b.close();
  });
  b.onInvite((inv) => {
    inv.accept({ body: SDP });
  });
  for (const transport of ['udp', 'tcp'] as const) {
    assert.equal((await a.request('OPTIONS', { to: `sip:b@[::1]:${b.port}`, transport })).status, 200);
    const r = await (await a.invite({ to: `sip:b@[::1]:${b.port}`, body: SDP, transport })).result;
    assert.ok(r.ok);
    assert.equal((await r.session.bye()).status, 200);
  }
});

test('§9.1: a CANCEL whose INVITE never gets a final response gives up after 64*T1', async (t) => {
  const { createSocket } = await import('node:dgram');
  const a = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 10, T4: 10 } });
  const peer = createSocket('udp4');
  await new Promise<void>((r) => peer.bind(0, '127.0.0.1', () => r()));
  t.after(async () => {
    await a.close();
    await new Promise<void>((r) => peer.close(() => r()));
  });
  // A broken peer: rings, accepts the CANCEL, never sends 487.
  peer.on('message', (d, rinfo) => {
    const text = d.toString();
    const method = text.slice(0, text.indexOf(' '));
    if (method !== 'INVITE' && method !== 'CANCEL') return;
    const head = text.split('\r\n\r\n')[0]!.split('\r\n');
    const keep = head.filter((l) => /^(Via|From|To|Call-ID|CSeq):/i.test(l)).map((l) => (/^To:/i.test(l) ? `${l};tag=peer` : l));
    const status = method === 'INVITE' ? '180 Ringing' : '200 OK';
    peer.send(`SIP/2.0 ${status}\r\n${keep.join('\r\n')}\r\nContent-Length: 0\r\n\r\n`, rinfo.port, rinfo.address);
  });
  const call = await a.invite({ to: `sip:x@127.0.0.1:${peer.address().port}`, body: SDP });
  call.onProgress(() => call.cancel());
  const started = Date.now();
  const r = await call.result;
  assert.equal(r.ok, false);
  assert.equal(!r.ok && r.reason, 'cancelled');
  assert.ok(Date.now() - started >= 600);
  await new Promise((r) => setTimeout(r, 50)); // Timer K of the CANCEL (T4)
  assert.equal(a.counters.transactions.clients, 0, 'the INVITE transaction was ended');
});

/** A stack and a raw UDP socket talking to it; the statuses of the responses the socket got. */
async function rawPeer(t: { after: (fn: () => Promise<void>) => void }) {
  const { createSocket } = await import('node:dgram');
  const b = await SipStack.start({ host: '127.0.0.1', port: 0 });
  const sock = createSocket('udp4');
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  t.after(async () => {
    await b.close();
    await new Promise<void>((r) => sock.close(() => r()));
  });
  const statuses: number[] = [];
  sock.on('message', (d) => statuses.push(Number(d.toString().slice(8, 11))));
  return { b, sock, statuses, port: sock.address().port };
}

test('§8.2.2.2: the same request arriving by another path (new branch) is answered 482', async (t) => {
  const { b, sock, statuses, port } = await rawPeer(t);
  const msg = (branch: string) =>
    `MESSAGE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=${branch};rport\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: merged-1\r\nCSeq: 5 MESSAGE\r\nContent-Length: 0\r\n\r\n`;
  b.onRequest('MESSAGE', (r) => {
    r.respond(200);
  });
  sock.send(msg('z9hG4bKpath1'), b.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  sock.send(msg('z9hG4bKpath2'), b.port, '127.0.0.1');
  await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(statuses, [200, 482]);
});

test('§13.3.1: an INVITE whose Expires lapses while the application decides: refuse() then is a no-op, not a throw', async (t) => {
  const { b, sock, statuses, port } = await rawPeer(t);
  const decided = new Promise<{ state: string; refused: boolean }>((resolve) => {
    b.onInvite(async (inv) => {
      // The application looks things up (the switch's routing awaits the store) past the INVITE's expiry.
      await new Promise((r) => setTimeout(r, 1300));
      const state = inv.state;
      resolve({ state, refused: inv.refuse(404) });
    });
  });
  const invite = (expires: string) =>
    `INVITE sip:b@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${port};branch=z9hG4bKlapse${expires.length};rport\r\nMax-Forwards: 70\r\nFrom: <sip:a@x>;tag=1\r\nTo: <sip:b@x>\r\nCall-ID: lapse-${expires.length}\r\nCSeq: 1 INVITE\r\nContact: <sip:a@127.0.0.1:${port}>\r\nExpires: ${expires}\r\nContent-Length: 0\r\n\r\n`;
  sock.send(invite('1'), b.port, '127.0.0.1');
  const { state, refused } = await decided;
  assert.equal(state, 'rejected');
  assert.equal(refused, false);
  assert.deepEqual(statuses.filter((s) => s >= 200), [487], "one final answer: the expiry's 487");
});
