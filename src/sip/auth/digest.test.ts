import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SipHeaders } from '../message/headers.js';
import { createResponse } from '../message/message-factory.js';
import { SipRequest } from '../message/sip-message.js';
import { ManualClock } from '../../../test/support/manual-clock.js';
import { DigestAuthenticator } from './digest-authenticator.js';
import { DigestClient } from './digest-client.js';
import { DigestGuard } from './digest-guard.js';
import { digestResponse, parseAuthHeader } from './digest.js';

const lookup = (u: string) => (u === 'alice' ? { userId: 'u-alice', password: 'secret' } : undefined);

function register(cseq = 1): SipRequest {
  const h = new SipHeaders()
    .append('via', 'SIP/2.0/UDP 127.0.0.1:5070;branch=z9hG4bKa' + cseq)
    .append('from', '<sip:alice@example.com>;tag=1')
    .append('to', '<sip:alice@example.com>')
    .append('call-id', 'reg1')
    .append('cseq', `${cseq} REGISTER`);
  return new SipRequest('REGISTER', 'sip:example.com', h);
}

function challenged(auth: DigestAuthenticator, stale = false) {
  const res = createResponse(register(), 401, { headers: { 'www-authenticate': auth.challenge(stale) } });
  return res;
}

test('RFC 2617 / RFC 7616 digest vectors: MD5 with qop=auth (RFC 2617 §3.5 example)', () => {
  const r = digestResponse({
    algorithm: 'MD5',
    username: 'Mufasa',
    realm: 'testrealm@host.com',
    password: 'Circle Of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: 'dcd98b7102dd2f0e8b11d0f600bfb0c093',
    qop: 'auth',
    nc: '00000001',
    cnonce: '0a4f113b',
  });
  assert.equal(r, '6629fae49393a05397450978507c4ef1');
});

test('RFC 7616 §3.9.1 SHA-256 example', () => {
  const r = digestResponse({
    algorithm: 'SHA-256',
    username: 'Mufasa',
    realm: 'http-auth@example.org',
    password: 'Circle of Life',
    method: 'GET',
    uri: '/dir/index.html',
    nonce: '7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v',
    qop: 'auth',
    nc: '00000001',
    cnonce: 'f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ',
  });
  assert.equal(r, '753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1');
});

test('challenge offers SHA-256 then MD5; the client answers SHA-256 and is accepted', async () => {
  const auth = new DigestAuthenticator({ realm: 'example.com' });
  const values = auth.challenge();
  assert.equal(values.length, 2);
  assert.match(values[0]!, /algorithm=SHA-256/);
  assert.match(values[1]!, /algorithm=MD5/);
  const req = register();
  assert.ok(new DigestClient({ username: 'alice', password: 'secret' }).authorize(req, challenged(auth)));
  assert.match(req.headers.get('authorization')!, /algorithm=SHA-256/);
  assert.deepEqual(await auth.verify(req, lookup, '10.0.0.1'), { ok: true, userId: 'u-alice', username: 'alice' });
});

test('MD5-only challenges are answered with MD5', async () => {
  const auth = new DigestAuthenticator({ realm: 'example.com', algorithms: ['MD5'] });
  const req = register();
  new DigestClient({ username: 'alice', password: 'secret' }).authorize(req, challenged(auth));
  assert.equal(parseAuthHeader(req.headers.get('authorization')!)!.params.get('algorithm'), 'MD5');
  assert.equal((await auth.verify(req, lookup, '10.0.0.1')).ok, true);
});

test('wrong password, unknown user, missing credentials are refused', async () => {
  const auth = new DigestAuthenticator({ realm: 'example.com' });
  const bad = register();
  new DigestClient({ username: 'alice', password: 'nope' }).authorize(bad, challenged(auth));
  assert.deepEqual(await auth.verify(bad, lookup, '10.0.0.1'), { ok: false, reason: 'invalid' });
  const nobody = register();
  new DigestClient({ username: 'bob', password: 'x' }).authorize(nobody, challenged(auth));
  assert.deepEqual(await auth.verify(nobody, lookup, '10.0.0.1'), { ok: false, reason: 'unknown-user' });
  assert.deepEqual(await auth.verify(register(), lookup, '10.0.0.1'), { ok: false, reason: 'missing' });
});

test('nonce expiry gives stale=true; the client answers a stale challenge again', async () => {
  const clock = new ManualClock();
  const auth = new DigestAuthenticator({ realm: 'example.com', clock, nonceTtlMs: 60_000 });
  const client = new DigestClient({ username: 'alice', password: 'secret' });
  const ch = challenged(auth);
  const req = register();
  client.authorize(req, ch);
  clock.advance(60_001);
  assert.deepEqual(await auth.verify(req, lookup, '10.0.0.1'), { ok: false, reason: 'stale' });
  assert.match(auth.challenge(true)[0]!, /stale=true/);
  const again = register(2);
  assert.ok(client.authorize(again, challenged(auth, true)));
  assert.equal((await auth.verify(again, lookup, '10.0.0.1')).ok, true);
});

test('nonce-count replay is refused; a higher nc on the same nonce is accepted', async () => {
  const auth = new DigestAuthenticator({ realm: 'example.com' });
  const client = new DigestClient({ username: 'alice', password: 'secret' });
  const ch = challenged(auth);
  const first = register();
  client.authorize(first, ch);
  assert.equal((await auth.verify(first, lookup, '10.0.0.1')).ok, true);
  assert.deepEqual(await auth.verify(first, lookup, '10.0.0.1'), { ok: false, reason: 'replay' });
  client.succeeded();
  const second = register(2);
  client.authorize(second, ch);
  assert.match(second.headers.get('authorization')!, /nc=00000002/);
  assert.equal((await auth.verify(second, lookup, '10.0.0.1')).ok, true);
});

test('the client will not answer the same nonce twice unless stale (no loop on a wrong password)', () => {
  const auth = new DigestAuthenticator({ realm: 'example.com' });
  const client = new DigestClient({ username: 'alice', password: 'nope' });
  const ch = challenged(auth);
  assert.ok(client.authorize(register(), ch));
  assert.equal(client.authorize(register(2), ch), false);
});

test('failed attempts are rate-limited per source', async () => {
  const clock = new ManualClock();
  const auth = new DigestAuthenticator({ realm: 'example.com', clock, maxFailures: 3, failureWindowMs: 10_000 });
  for (let i = 0; i < 3; i++) {
    const bad = register(i + 1);
    new DigestClient({ username: 'alice', password: 'nope' }).authorize(bad, challenged(auth));
    assert.equal((await auth.verify(bad, lookup, '10.0.0.9')).ok, false);
  }
  const good = register(9);
  new DigestClient({ username: 'alice', password: 'secret' }).authorize(good, challenged(auth));
  assert.deepEqual(await auth.verify(good, lookup, '10.0.0.9'), { ok: false, reason: 'rate-limited' });
  assert.equal((await auth.verify(good, lookup, '10.0.0.10')).ok, true, 'other sources are unaffected');
  clock.advance(10_000);
  const later = register(10);
  new DigestClient({ username: 'alice', password: 'secret' }).authorize(later, challenged(auth));
  assert.equal((await auth.verify(later, lookup, '10.0.0.9')).ok, true, 'the window passes');
});

test('failed attempts are limited per username across sources; the owner’s proven source is exempt', async () => {
  const clock = new ManualClock();
  const guard = new DigestGuard({ maxFailuresPerSource: 100, maxFailuresPerUser: 4, windowMs: 10_000 }, clock);
  const auth = new DigestAuthenticator({ realm: 'example.com', clock, guard });
  const attempt = async (password: string, source: string, cseq: number, user = 'alice') => {
    const req = register(cseq);
    new DigestClient({ username: user, password }).authorize(req, challenged(auth));
    return auth.verify(req, lookup, source);
  };
  assert.equal((await attempt('secret', '10.0.0.1', 1)).ok, true, "alice's phone authenticates first");
  for (let i = 0; i < 4; i++) assert.deepEqual(await attempt('nope', `10.1.0.${i}`, 10 + i), { ok: false, reason: 'invalid' });
  assert.deepEqual(await attempt('secret', '10.1.0.99', 20), { ok: false, reason: 'rate-limited' }, 'a new source is refused unchecked');
  assert.equal((await attempt('secret', '10.0.0.1', 21)).ok, true, 'the proven source is not locked out');
  // Unknown usernames count like known ones, so a lock says nothing about who exists.
  for (let i = 0; i < 4; i++) assert.deepEqual(await attempt('x', `10.2.0.${i}`, 30 + i, 'mallory'), { ok: false, reason: 'unknown-user' });
  assert.deepEqual(await attempt('x', '10.2.0.9', 40, 'mallory'), { ok: false, reason: 'rate-limited' });
  clock.advance(10_000);
  assert.equal((await attempt('secret', '10.1.0.99', 41)).ok, true, 'the window passes');
});

test('one guard shared through the credential lookup serves every authenticator (REGISTER, INVITE, MESSAGE)', async () => {
  const clock = new ManualClock();
  const shared = (u: string) => lookup(u);
  DigestGuard.share(shared, new DigestGuard({ maxFailuresPerSource: 3 }, clock));
  const register1 = new DigestAuthenticator({ realm: 'example.com', clock });
  const invite = new DigestAuthenticator({ realm: 'example.com', clock });
  for (const [i, auth] of [register1, invite, register1].entries()) {
    const bad = register(i + 1);
    new DigestClient({ username: 'alice', password: 'nope' }).authorize(bad, challenged(auth));
    assert.equal((await auth.verify(bad, shared, '10.0.0.5')).ok, false);
  }
  const good = register(9);
  new DigestClient({ username: 'alice', password: 'secret' }).authorize(good, challenged(invite));
  assert.deepEqual(await invite.verify(good, shared, '10.0.0.5'), { ok: false, reason: 'rate-limited' }, 'failures through REGISTER lock INVITE too');
});

test('the failure tables are bounded: the oldest entries go first', () => {
  const clock = new ManualClock();
  const guard = new DigestGuard({ maxFailuresPerSource: 1, maxFailuresPerUser: 1, maxEntries: 100 }, clock);
  for (let i = 0; i < 1000; i++) guard.failed(`10.9.${i >> 8}.${i & 255}`, `user${i}`);
  assert.equal(guard.sourceBlocked('10.9.3.231'), true, 'the newest source is still counted');
  assert.equal(guard.userBlocked('user999', '10.0.0.1'), true);
  assert.equal(guard.sourceBlocked('10.9.0.0'), false, 'the oldest was evicted');
  assert.equal(guard.userBlocked('user0', '10.0.0.1'), false);
});
