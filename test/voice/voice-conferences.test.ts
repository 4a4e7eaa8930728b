/**
 * Voice-API conferences end to end (spec bandwidth §2.13–§2.15, §3.8, §4.6) with real peers: sipp is the
 * carrier calling the application's number (autoAnswer); each caller's RTP port is a socket the test holds
 * that answers every packet with its own tone (carrierMedia), so what each member hears is exactly what the
 * mixer sent it. The test acts as the application over REST; a real HTTP receiver takes the callbacks.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, ok, sipp, sleep, type Sipp } from '../switch/support/harness.js';
import { carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';
import { carrierMedia, type CarrierMedia } from '../switch/support/baresip-phone.js';
import { rms, tonePower } from '../media/support/audio-analysis.js';
import { APP_NUMBER, CALLER, USER, callbacks, voiceSetup, waitForCallback, type VoiceSetup } from './support.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
type T = Parameters<typeof voiceSetup>[0];

/** A carrier call to the application's number whose media is `rtpPort` (or sipp's own), up until Ringside's BYE. */
function caller(t: T, s: VoiceSetup, rtpPort: number | undefined, extra: string[] = []): Promise<Sipp> {
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [], end: 'wait-bye', rtpPortKey: rtpPort !== undefined }) });
  return sipp(t, 'carrier.xml', s.sipTarget, {
    dir,
    from: CARRIER_IP,
    service: APP_NUMBER,
    keys: { from: CALLER, ...(rtpPort !== undefined ? { rtp_port: String(rtpPort) } : {}) },
    extra: rtpPort === undefined ? ['-mp', '9', ...extra] : extra,
    timeoutSec: 60,
  });
}

/** The next call answered that is not one of `known`. */
async function nextAnswered(s: VoiceSetup, known: Set<string>): Promise<string> {
  const e = await waitForCallback(s.receiver, (x) => x.eventType === 'answer' && !known.has(String(x.callId)), 'a caller answered', 20_000);
  const id = String(e.callId);
  known.add(id);
  return id;
}

/** What a member heard from `mark` (a heard() length) on. */
const since = (m: CarrierMedia, mark: number): Int16Array => m.heard().subarray(mark);

/** `samples` carry each tone of `want` and none of `not` (power ratio 100), for at least `minMs` of audio. */
function assertTones(samples: Int16Array, want: number[], not: number[], minMs: number, what: string): void {
  const loud = Array.from({ length: Math.floor(samples.length / 160) }, (_, i) => samples.subarray(i * 160, i * 160 + 160)).filter((f) => rms(f) > 1000).length;
  assert.ok(loud * 20 >= minMs, `${what}: ${loud * 20} ms of audio (of ${samples.length / 8} ms), want ≥ ${minMs} ms`);
  const weakest = Math.min(...want.map((f) => tonePower(samples, f)));
  for (const f of not) assert.ok(weakest > 100 * tonePower(samples, f), `${what}: hears ${f} Hz (${tonePower(samples, f).toFixed(0)}) against ${weakest.toFixed(0)}`);
}

test('conference: three callers hear the other two and not themselves; mute, hold, audio, leave, completion; every callback field by field', { skip }, async (t) => {
  const s = await voiceSetup(t, { autoAnswer: true });
  const { r, receiver, api } = s;
  const [A, B, C] = [440, 1000, 1700];
  const media = await Promise.all([carrierMedia(t, CARRIER_IP, A), carrierMedia(t, CARRIER_IP, B), carrierMedia(t, CARRIER_IP, C)]);
  const [ma, mb, mc] = media;

  const cid = await api.create('conferences', { from: APP_NUMBER, callbackUrl: receiver.url('/conf'), tag: 'standup', profile: 'passthru_digits' });
  assert.match(cid, /^conf-/);
  const fresh = (await api.call('GET', `conferences/${cid}`)).body as Record<string, unknown>;
  const confUri = `${r.publicUrl}/v1/users/${USER}/conferences/${cid}`;
  assert.deepEqual(fresh, {
    id: cid, state: 'created', from: APP_NUMBER, createdTime: fresh.createdTime, activeMembers: 0, hold: false, mute: false, profile: 'passthru_digits', tag: 'standup',
    callbackUrl: receiver.url('/conf'), callbackHttpMethod: 'POST', callbackTimeout: 10000, members: `${api.baseUrl}/v1/users/${USER}/conferences/${cid}/members`,
  });
  assert.match(String(fresh.createdTime), ISO);

  const known = new Set<string>();
  const callers = [];
  const calls: string[] = [];
  for (const m of media) {
    callers.push(caller(t, s, m.port));
    calls.push(await nextAnswered(s, known));
  }
  const [ca, cb, cc] = calls as [string, string, string];
  const members: string[] = [];
  for (const [i, callId] of calls.entries()) members.push(await api.create(`conferences/${cid}/members`, { callId, joinTone: i === 2 }));
  const [pa, pb, pc] = members as [string, string, string];
  assert.equal(((await api.call('GET', `conferences/${cid}`)).body as Record<string, unknown>).state, 'active');
  // The same call twice is refused; the member list has the three.
  const twice = await api.call('POST', `conferences/${cid}/members`, { callId: ca });
  assert.equal(twice.status, 403);
  assert.equal((twice.body as { code: string }).code, 'conference-error');

  // Audio into the conference (a spoken sentence) starts the sockets talking; they keep each other going.
  await api.update(`conferences/${cid}/audio`, { sentence: 'Welcome to the stand-up', tag: 'hello' });
  await waitForCallback(receiver, (e) => e.eventType === 'conference-speak' && e.status === 'done', 'conference-speak done', 20_000);
  await sleep(500);
  // Sum minus self: each hears the other two, never itself.
  let marks = media.map((m) => m.heard().length);
  await sleep(2000);
  assertTones(since(ma, marks[0]!), [B, C], [A], 1500, 'A');
  assertTones(since(mb, marks[1]!), [A, C], [B], 1500, 'B');
  assertTones(since(mc, marks[2]!), [A, B], [C], 1500, 'C');

  // A muted: the others stop hearing it; A still hears them.
  await api.update(`conferences/${cid}/members/${pa}`, { mute: true });
  await sleep(300);
  marks = media.map((m) => m.heard().length);
  await sleep(1500);
  assertTones(since(ma, marks[0]!), [B, C], [A], 1000, 'A muted');
  assertTones(since(mb, marks[1]!), [C], [A, B], 1000, 'B, A muted');
  assertTones(since(mc, marks[2]!), [B], [A, C], 1000, 'C, A muted');
  await api.update(`conferences/${cid}/members/${pa}`, { mute: false });

  // B held: it is sent nothing (hears nothing), and is not heard.
  await api.update(`conferences/${cid}/members/${pb}`, { hold: true });
  await sleep(300);
  marks = media.map((m) => m.heard().length);
  await sleep(1500);
  assert.ok(since(mb, marks[1]!).length <= 160 * 2, `B held heard ${since(mb, marks[1]!).length} samples`);
  assertTones(since(ma, marks[0]!), [C], [A, B], 1000, 'A, B held');
  assertTones(since(mc, marks[2]!), [A], [B, C], 1000, 'C, B held');
  await api.update(`conferences/${cid}/members/${pb}`, { hold: false });

  // Member audio is that call's own audio (its speak events go to the call's URL, spec §4.6 step 4).
  await api.update(`conferences/${cid}/members/${pa}/audio`, { sentence: 'Just for you', tag: 'aside' });
  await waitForCallback(receiver, (e) => e.eventType === 'speak' && e.callId === ca && e.status === 'done', 'member speak done', 20_000);

  // A removed over REST: its call stays up. C's call hung up: it leaves. Then the conference is completed
  // with B still in: B is taken out, its call stays up (spec §5 q9, docs/voice-api.md).
  await api.update(`conferences/${cid}/members/${pa}`, { state: 'completed' });
  await waitForCallback(receiver, (e) => e.eventType === 'conference-member' && e.memberId === pa && e.state === 'completed', 'A left');
  assert.equal(((await api.call('GET', `calls/${ca}`)).body as Record<string, unknown>).state, 'active');
  await api.update(`calls/${cc}`, { state: 'completed' });
  await waitForCallback(receiver, (e) => e.eventType === 'conference-member' && e.memberId === pc && e.state === 'completed', 'C left');
  await api.update(`conferences/${cid}`, { state: 'completed' });
  await waitForCallback(receiver, (e) => e.eventType === 'conference' && e.status === 'completed', 'conference completed');
  assert.equal(((await api.call('GET', `calls/${cb}`)).body as Record<string, unknown>).state, 'active');
  const again = await api.call('POST', `conferences/${cid}/members`, { callId: cb });
  assert.equal(again.status, 403, 'a completed conference takes no members');
  assert.equal((again.body as { code: string }).code, 'conference-error');
  await api.update(`calls/${ca}`, { state: 'completed' });
  await api.update(`calls/${cb}`, { state: 'completed' });
  for (const [i, c] of callers.entries()) ok(await c, `caller ${i}`);

  const done = (await api.call('GET', `conferences/${cid}`)).body as Record<string, unknown>;
  assert.equal(done.state, 'completed');
  assert.equal(done.activeMembers, 0);
  assert.match(String(done.completedTime), ISO);
  const listed = (await api.call('GET', `conferences/${cid}/members`)).body as Record<string, unknown>[];
  assert.deepEqual(listed.map((m) => [m.id, m.state, m.call]), members.map((m, i) => [m, 'completed', `${api.baseUrl}/v1/users/${USER}/calls/${calls[i]}`]));
  assert.equal(listed[2]!.joinTone, true);

  // Every conference callback, in order, field by field, at the conference's own URL.
  const confEvents = callbacks(receiver).filter((e) => String(e.eventType).startsWith('conference'));
  const memberUri = (m: string) => `${confUri}/members/${m}`;
  const member = (m: string, callId: string, activeMembers: number, state: string, mute = false, hold = false) =>
    ({ eventType: 'conference-member', activeMembers, conferenceId: cid, callId, memberId: m, memberUri: memberUri(m), state, hold, mute, tag: 'standup' });
  const created = confEvents[0]!;
  const expected = [
    { eventType: 'conference', conferenceId: cid, conferenceUri: confUri, status: 'created', createdTime: fresh.createdTime, tag: 'standup' },
    member(pa, ca, 1, 'active'),
    member(pb, cb, 2, 'active'),
    member(pc, cc, 3, 'active'),
    { eventType: 'conference-speak', conferenceId: cid, conferenceUri: confUri, status: 'started', tag: 'hello' },
    { eventType: 'conference-speak', conferenceId: cid, conferenceUri: confUri, status: 'done', tag: 'hello' },
    member(pa, ca, 3, 'active', true),
    member(pa, ca, 3, 'active'),
    member(pb, cb, 3, 'active', false, true),
    member(pb, cb, 3, 'active'),
    member(pa, ca, 2, 'completed'),
    member(pc, cc, 1, 'completed'),
    member(pb, cb, 0, 'completed'),
    { eventType: 'conference', conferenceId: cid, conferenceUri: confUri, status: 'completed', createdTime: fresh.createdTime, completedTime: done.completedTime, tag: 'standup' },
  ];
  assert.deepEqual(created.createdTime, fresh.createdTime);
  // `time` is checked for shape, the rest exactly.
  const withoutTime = confEvents.map((e) => {
    const { time, ...rest } = e;
    if (e.eventType !== 'conference') assert.match(String(time), ISO, String(e.eventType));
    else assert.equal(time, undefined);
    return rest;
  });
  assert.deepEqual(withoutTime, expected);
  const confRequests = receiver.requests.filter((q) => q.seen === 0 && String((JSON.parse(q.body) as { eventType: string }).eventType).startsWith('conference'));
  assert.ok(confRequests.every((q) => q.url === '/conf'), 'conference events go to the conference callbackUrl');
  const atCallUrl = receiver.requests.filter((q) => q.seen === 0 && q.url === '/voice').map((q) => String((JSON.parse(q.body) as { eventType: string }).eventType));
  assert.ok(atCallUrl.length > 0 && atCallUrl.every((name) => !name.startsWith('conference')), `the calls' URL gets only call events: ${atCallUrl.join(' ')}`);
  assert.deepEqual(callbacks(receiver, ca).filter((e) => e.eventType === 'speak').map((e) => [e.status, e.tag]), [['started', 'aside'], ['done', 'aside']]);

  // The conference is a fact session of its own, named by its id, in the order facts.ts gives.
  const { sessionProblems } = await import('../support/session-checker.js');
  const facts = await r.events.sessionFacts(cid);
  assert.deepEqual(sessionProblems(facts), [], JSON.stringify(facts, null, 1));
});

test('conference bad input: unknown ids 404, a 21st member 403 conference-max-members; the last call gone completes it', { skip }, async (t) => {
  const s = await voiceSetup(t, { autoAnswer: true });
  const { api, receiver } = s;
  const cid = await api.create('conferences', { from: APP_NUMBER, callbackUrl: receiver.url('/conf') });
  const code = async (method: 'GET' | 'POST', path: string, body?: unknown) => {
    const a = await api.call(method, path, body);
    return [a.status, (a.body as { code?: string } | undefined)?.code];
  };
  assert.deepEqual(await code('GET', 'conferences/conf-nope'), [404, 'conference-not-found']);
  assert.deepEqual(await code('POST', 'conferences/conf-nope', { mute: true }), [404, 'conference-not-found']);
  assert.deepEqual(await code('POST', 'conferences/conf-nope/members', { callId: 'c-x' }), [404, 'conference-not-found']);
  assert.deepEqual(await code('GET', `conferences/${cid}/members/member-nope`), [404, 'conference-member-not-found']);
  assert.deepEqual(await code('POST', `conferences/${cid}/members`, { callId: 'c-nope' }), [404, 'call-not-found']);
  assert.deepEqual(await code('POST', 'conferences', { from: '+15557770000' }), [400, 'invalid-from-number']);

  // 21 calls from one sipp (its own media port); 20 join, the 21st is refused.
  const many = caller(t, s, undefined, ['-m', '21', '-l', '21', '-r', '21']);
  const known = new Set<string>();
  const calls: string[] = [];
  for (let i = 0; i < 21; i++) calls.push(await nextAnswered(s, known));
  for (const callId of calls.slice(0, 20)) await api.create(`conferences/${cid}/members`, { callId });
  assert.deepEqual(await code('POST', `conferences/${cid}/members`, { callId: calls[20] }), [403, 'conference-max-members']);
  assert.equal(((await api.call('GET', `conferences/${cid}`)).body as Record<string, unknown>).activeMembers, 20);
  // One leaves: the 21st gets its place.
  const first = ((await api.call('GET', `conferences/${cid}/members?size=1`)).body as { id: string }[])[0]!.id;
  await api.update(`conferences/${cid}/members/${first}`, { state: 'completed' });
  await api.create(`conferences/${cid}/members`, { callId: calls[20] });
  // The last member's call gone, the conference completes by itself.
  for (const id of calls) await api.update(`calls/${id}`, { state: 'completed' });
  ok(await many, 'the 21 callers');
  await waitForCallback(receiver, (e) => e.eventType === 'conference' && e.status === 'completed', 'the full conference completed with its last member');
});
