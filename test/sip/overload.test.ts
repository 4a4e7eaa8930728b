/**
 * Overload shedding over real UDP: while the guard's queue is past its bound, a new INVITE gets 503 with
 * Retry-After at once (RFC 3261 §21.5.4) and never reaches the application; once the queue drains, the
 * next INVITE is answered. In-dialog requests of a call already up are never shed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipStack } from '../../src/sip/sip-stack.js';
import { OverloadGuard } from '../../src/sip/overload-guard.js';
import { spawn } from 'node:child_process';
import { once } from 'node:events';

const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

test('a new INVITE is refused 503 + Retry-After while overloaded, taken again after; calls up are untouched', async (t) => {
  let depth = 0;
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, retryAfterSeconds: 7, queue: { depth: () => depth, max: 100 } });
  const a = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 } });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0, timers: { T1: 100 }, overload: guard });
  t.after(async () => {
    guard.close();
    await a.close();
    await b.close();
  });
  let offered = 0;
  b.onInvite((inv) => {
    offered++;
    const s = inv.accept({ body: SDP });
    s.onRequest((r) => void r.respond(200));
  });
  const to = `sip:b@127.0.0.1:${b.port}`;

  const up = await (await a.invite({ to, body: SDP })).result;
  assert.ok(up.ok, 'first call answered');

  depth = 101;
  const shed = await (await a.invite({ to, body: SDP })).result;
  assert.equal(shed.ok, false);
  assert.equal(shed.response.status, 503);
  assert.equal(shed.response.headers.get('retry-after'), '7');
  assert.equal(offered, 1, 'the shed INVITE never reached the application');
  assert.equal(guard.status.shed, 1);
  assert.equal(guard.status.shedding, true);
  // The call already up still takes in-dialog requests.
  assert.equal((await up.session.info('Signal=1\r\nDuration=100\r\n', 'application/dtmf-relay')).status, 200);

  depth = 0;
  const again = await (await a.invite({ to, body: SDP })).result;
  assert.ok(again.ok, 'taken again once the queue drained');
  assert.equal(offered, 2);
});

/** An INVITE as a UAC's retransmissions carry it: the same branch every time (RFC 3261 §17.1.1.2). */
function rawInvite(port: number, local: number, n: number): Buffer {
  return Buffer.from(
    [
      `INVITE sip:b@127.0.0.1:${port} SIP/2.0`,
      `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-late-${n}`,
      'Max-Forwards: 70',
      `From: <sip:a@127.0.0.1>;tag=a${n}`,
      `To: <sip:b@127.0.0.1:${port}>`,
      `Call-ID: late-${n}@127.0.0.1`,
      'CSeq: 1 INVITE',
      `Contact: <sip:a@127.0.0.1:${local}>`,
      'Content-Type: application/sdp',
      `Content-Length: ${Buffer.byteLength(SDP)}`,
      '',
      SDP,
    ].join('\r\n'),
  );
}

test('INVITEs read a third time before any final response (a backlog of ≥ 1.5 s) shed the next new call', async (t) => {
  const { createSocket } = await import('node:dgram');
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, maxLateInvitesPerSecond: 2, retryAfterSeconds: 3, minTransactions: Infinity });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0, overload: guard });
  const uac = createSocket('udp4');
  await new Promise<void>((r) => uac.bind(0, '127.0.0.1', () => r()));
  t.after(async () => {
    guard.close();
    uac.close();
    await b.close();
  });
  const held: unknown[] = [];
  b.onInvite((inv) => void held.push(inv)); // ringing, never answered: the copies find the transaction proceeding
  const responses: string[] = [];
  uac.on('message', (m) => responses.push(m.toString()));
  const local = uac.address().port;
  const send = (buf: Buffer) => new Promise<void>((r) => uac.send(buf, b.port, '127.0.0.1', () => r()));
  const waitFor = async (pred: () => boolean) => {
    for (let i = 0; i < 100 && !pred(); i++) await new Promise((r) => setTimeout(r, 20));
  };
  // Two copies of each of three INVITEs: not late yet.
  for (let n = 1; n <= 3; n++) for (let copy = 0; copy < 2; copy++) await send(rawInvite(b.port, local, n));
  await waitFor(() => held.length === 3);
  assert.equal(guard.status.lateInvites, 0);
  // The third copy of each: three late INVITEs, more than the bound of 2.
  for (let n = 1; n <= 3; n++) await send(rawInvite(b.port, local, n));
  await waitFor(() => guard.status.lateInvites === 3);
  assert.equal(guard.status.lateInvites, 3);
  await send(rawInvite(b.port, local, 4));
  await waitFor(() => responses.some((r) => r.startsWith('SIP/2.0 503') && r.includes('late-4@')));
  const refused = responses.find((r) => r.startsWith('SIP/2.0 503') && r.includes('late-4@'));
  assert.ok(refused, `the fourth INVITE was refused 503: ${responses.map((r) => r.split('\r\n')[0]).join(', ')}`);
  assert.match(refused, /\r\nRetry-After: 3\r\n/i);
  assert.equal(held.length, 3, 'the refused INVITE never reached the application');
});

/** A UAC in another process (so it keeps sending while the stack's loop is busy): `count` INVITEs at
 *  `perSecond`, then it waits for final responses and prints, as JSON, each INVITE's status and latency. */
function uacProcess(port: number, count: number, perSecond: number) {
  const code = `
    const dgram = require('dgram'); const s = dgram.createSocket('udp4');
    const SDP = ${JSON.stringify(SDP)}; const sent = new Map(); const done = new Map();
    s.on('message', (m) => { const t = m.toString(); const st = Number(t.slice(8, 11)); if (st < 200) return;
      const id = /Call-ID: (q-\\d+)@/i.exec(t)[1]; if (!done.has(id)) done.set(id, { status: st, ms: performance.now() - sent.get(id), retryAfter: /\\r\\nRetry-After: (\\d+)/i.exec(t)?.[1] }); });
    s.bind(0, '127.0.0.1', () => { const local = s.address().port; let n = 0;
      const tick = setInterval(() => { for (let i = 0; i < ${perSecond / 100} && n < ${count}; i++, n++) { const id = 'q-' + n;
        const msg = ['INVITE sip:b@127.0.0.1:${port} SIP/2.0', 'Via: SIP/2.0/UDP 127.0.0.1:' + local + ';branch=z9hG4bK-' + id, 'Max-Forwards: 70',
          'From: <sip:a@127.0.0.1>;tag=' + id, 'To: <sip:b@127.0.0.1:${port}>', 'Call-ID: ' + id + '@127.0.0.1', 'CSeq: 1 INVITE', 'Contact: <sip:a@127.0.0.1:' + local + '>',
          'Content-Type: application/sdp', 'Content-Length: ' + Buffer.byteLength(SDP), '', SDP].join('\\r\\n');
        sent.set(id, performance.now()); s.send(Buffer.from(msg), ${port}, '127.0.0.1'); }
        if (n >= ${count}) { clearInterval(tick); const end = Date.now() + 8000;
          const w = setInterval(() => { if (done.size >= ${count} || Date.now() > end) { clearInterval(w); console.log(JSON.stringify([...done.values()])); process.exit(0); } }, 20); } }, 10); });`;
  return spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
}

test('INVITEs arriving faster than the application takes them: the receive-buffer wait sheds a share with 503 at once, every INVITE is answered', async (t) => {
  const guard = new OverloadGuard({ maxLoopDelayMs: 10_000, maxSocketDelayMs: 100, retryAfterSeconds: 4, minTransactions: Infinity });
  const b = await SipStack.start({ host: '127.0.0.1', port: 0, overload: guard });
  t.after(async () => {
    guard.close();
    await b.close();
  });
  let taken = 0;
  b.onInvite((inv) => {
    taken++;
    // 8 ms of work per call: 125 calls a second at most, against 400 a second offered.
    const until = performance.now() + 8;
    while (performance.now() < until);
    inv.reject(486);
  });
  const uac = uacProcess(b.port, 400, 400);
  let out = '';
  uac.stdout.on('data', (d: Buffer) => (out += d.toString()));
  await once(uac, 'exit');
  const results = JSON.parse(out) as { status: number; ms: number; retryAfter?: string }[];
  assert.equal(results.length, 400, 'every INVITE got a final response');
  const shed = results.filter((r) => r.status === 503);
  const answered = results.filter((r) => r.status === 486);
  assert.equal(shed.length + answered.length, 400);
  assert.ok(shed.length > 50, `${shed.length} refused 503`);
  assert.ok(answered.length > 50, `${answered.length} taken (the switch keeps working under the overload)`);
  assert.equal(answered.length, taken);
  assert.ok(shed.every((r) => r.retryAfter === '4'), 'each 503 carries Retry-After');
  const worst = Math.max(...results.map((r) => r.ms));
  // Without the bound the last INVITE waits the whole backlog: 400 × 8 ms − 1 s ≈ 2.2 s.
  assert.ok(worst < 1000, `the slowest final response took ${worst.toFixed(0)} ms`);
  assert.equal(guard.status.shed, shed.length);
  await new Promise((r) => setTimeout(r, 100));
  assert.ok(guard.status.socketDelayMs < 50, `drained afterwards: ${guard.status.socketDelayMs} ms`);
});
