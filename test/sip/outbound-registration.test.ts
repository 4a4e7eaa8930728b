import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipStack } from '../../src/sip/sip-stack.js';
import { ManualClock } from '../support/manual-clock.js';
import { OutboundRegistration } from '../../src/sip/registration/outbound-registration.js';
import { DigestAuthenticator } from '../../src/sip/auth/digest-authenticator.js';

test('outbound registration refreshes before expiry with the same Call-ID and a higher CSeq (§10.2.4)', async (t) => {
  const clock = new ManualClock();
  const client = await SipStack.start({ host: '127.0.0.1', port: 0, clock });
  const carrier = await SipStack.start({ host: '127.0.0.1', port: 0 });
  t.after(async () => {
    await client.close();
    await carrier.close();
  });
  // A stand-in carrier registrar: challenges, then grants 120 s.
  const auth = new DigestAuthenticator({ realm: 'carrier.test' });
  const seen: Array<{ callId: string; cseq: number; authorized: boolean }> = [];
  carrier.onRequest('REGISTER', async (req) => {
    const v = await auth.verify(req.request, (u) => (u === 'trunk1' ? { userId: 'trunk1', password: 'pw' } : undefined), req.source.host);
    seen.push({ callId: req.request.callId, cseq: req.request.cseq.seq, authorized: v.ok });
    if (!v.ok) req.respond(401, { headers: { 'www-authenticate': auth.challenge() } });
    else req.respond(200, { headers: { contact: `${req.request.headers.get('contact')};expires=120` } });
  });
  const reg = new OutboundRegistration(client, { registrar: `sip:127.0.0.1:${carrier.port}`, aor: 'sip:trunk1@carrier.test', username: 'trunk1', password: 'pw', expires: 120 });
  assert.equal((await reg.start()).status, 200);
  assert.equal(reg.grantedExpires, 120);
  assert.equal(seen.length, 2);
  // Refresh is due 30 s before expiry (90 s).
  clock.advance(89_000);
  assert.equal(seen.length, 2);
  const refreshed = new Promise<void>((resolve) => reg.onStateChange((s) => s === 'registered' && resolve()));
  clock.advance(1_000);
  await refreshed;
  assert.ok(seen.length >= 3);
  const callIds = new Set(seen.map((s) => s.callId));
  assert.equal(callIds.size, 1, 'one Call-ID for all REGISTERs of this registration');
  const cseqs = seen.map((s) => s.cseq);
  assert.deepEqual(cseqs, [...cseqs].sort((x, y) => x - y));
  assert.equal(new Set(cseqs).size, cseqs.length, 'CSeq strictly increases');
  await reg.stop();
  assert.equal(reg.state, 'unregistered');
});
