/**
 * The autodialer end to end over loopback (issue 14; docs/call-centre.md "Autodialer"): campaigns made
 * over REST, contacts reached through a sipp carrier on 127.0.0.2, agents as registered sipp phones. Each
 * attempt's session is read from the log and checked: the facts against the switch's order, the teltel
 * events against spec teltel §5.7 line by line and the §6 invariants (type autodialer, subtype, leg,
 * integer campaign_id/contact_id on every event). Every sipp is killed and Ringside stopped in `t.after`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, freePort, logged, register, setup, sipp, sleep, type T } from './support/harness.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';
import { teltelProblems } from '../../src/dialects/teltel/invariants.js';
import type { Fact } from '../../src/events/model/facts.js';
import type { Ringside } from '../../src/app/ringside.js';

const skip = missingTool('sipp', 'sip-tester');

type Json = Record<string, unknown>;

const config = (carrierPort: number) =>
  callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
      - ${BOB}
    flows:
      - id: survey
        name: Survey
        start: thanks
        nodes:
          thanks: { type: playaudio, prompt: { text: "Thank you for being our customer." }, next: bye }
          bye: { type: hangup }
`);

/** A calling window open now (two hours around the current UTC time; spans midnight when it must). */
function openWindow(): Json {
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: hhmm(Date.now() - 3_600_000), to: hhmm(Date.now() + 3_600_000) };
}

async function api(r: Ringside, token: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(`http://127.0.0.1:${r.httpPort}${path}`, { method, headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
}

/** A campaign with these contacts, then running; returns its id and the contacts' ids by number. */
async function campaign(s: { r: Ringside; token: string }, fields: Json, numbers: string[]): Promise<{ id: string; contacts: Map<string, string> }> {
  const made = await api(s.r, s.token, 'POST', '/campaigns', {
    name: 'Renewals', callerId: '+15550100', window: openWindow(),
    retry: { busy: { afterMinutes: 60 }, noAnswer: { afterMinutes: 60 }, failed: { afterMinutes: 60 }, maxAttempts: 1 },
    ...fields,
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const id = String(made.body.id);
  assert.match(id, /^[1-9][0-9]*$/, 'campaign ids are integers (teltel campaign_id)');
  const added = await api(s.r, s.token, 'POST', `/campaigns/${id}/contacts`, { contacts: numbers.map((phoneNumber) => ({ phoneNumber })) });
  assert.equal(added.status, 201, JSON.stringify(added.body));
  const contacts = new Map((added.body.contacts as Json[]).map((c) => [String(c.phoneNumber), String(c.id)]));
  const running = await api(s.r, s.token, 'PUT', `/campaigns/${id}`, { ...(made.body as Json), state: 'running', id: undefined, accountId: undefined, createdAt: undefined, updatedAt: undefined });
  assert.equal(running.status, 200, JSON.stringify(running.body));
  return { id, contacts };
}

/** Waits (bounded) until every contact of the campaign is in a final state; returns them. */
async function finalContacts(s: { r: Ringside; token: string }, id: string, timeoutMs = 30_000): Promise<Json[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const page = await api(s.r, s.token, 'GET', `/campaigns/${id}/contacts?pageSize=100`);
    const contacts = page.body.contacts as Json[];
    if (contacts.every((c) => ['done', 'failed', 'exhausted'].includes(String(c.state)))) return contacts;
    if (Date.now() > deadline) assert.fail(`contacts not final: ${JSON.stringify(contacts.map((c) => [c.phoneNumber, c.state]))}`);
    await sleep(200);
  }
}

/** Every dialer session of the account in the log: its facts and teltel events, checked. */
async function dialerSessions(r: Ringside): Promise<{ sessionId: string; facts: Fact[]; teltel: Json[] }[]> {
  const started = (await r.events.read(0, { dialects: ['teltel'] }, 10_000)).map((e) => e.payload as Json).filter((p) => p.event === 'START' && p.type === 'autodialer');
  const out = [];
  for (const s of started) {
    const sessionId = String(s.session_id);
    // Wait (bounded) for the session's COMPLETED: the facts of the last attempt may still be on their way.
    for (let i = 0; i < 50 && !(await r.events.read(0, { dialects: ['teltel'], sessionId }, 100)).some((e) => (e.payload as Json).event === 'COMPLETED'); i++) await sleep(100);
    const { facts, teltel } = await logged(r, sessionId);
    assert.deepEqual(teltelProblems(teltel.map((p) => ({ name: String(p.event), id: String(p.id), payload: p }))), [], `spec teltel §6 invariants, session ${sessionId}`);
    out.push({ sessionId, facts, teltel });
  }
  return out;
}

/** `EVENT phase/leg P=n [state]`: the lines of spec teltel §5.7. */
const lines = (events: Json[]) => events.map((e) => `${String(e.event)}${e.state ? `:${String(e.state)}` : ''} ${String(e.phase)}/${String(e.leg)} P=${String(e.participants)}`);

/** The intervals each agent's legs were up (answered → ended), to check none overlap. */
function agentIntervals(sessions: { facts: Fact[] }[]): Map<string, [number, number][]> {
  const byUser = new Map<string, [number, number][]>();
  for (const { facts } of sessions) {
    for (const created of facts.filter((f): f is Extract<Fact, { type: 'leg.created' }> => f.type === 'leg.created' && f.role === 'operator')) {
      const from = facts.find((f) => f.type === 'leg.created' && f.legId === created.legId)!.at;
      const end = facts.find((f) => (f.type === 'leg.ended' || f.type === 'leg.failed') && f.legId === created.legId);
      const list = byUser.get(created.party.userId!) ?? [];
      list.push([from, end?.at ?? Infinity]);
      byUser.set(created.party.userId!, list);
    }
  }
  return byUser;
}

async function carrier(t: T, carrierPort: number, scenario: string, calls: number) {
  const done = sipp(t, scenario, '', { from: CARRIER_IP, port: carrierPort, keys: { rtp_port: '9' }, extra: ['-m', String(calls), '-mp', String(await freePort())], timeoutSec: 40 });
  await sleep(300);
  return done;
}

test('predictive: six contacts, two agents — every contact done, no agent with two calls at once, spec teltel §5.7 line by line', { skip }, async (t) => {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  // The contacts answer and hang up 1.5 s later; the agents answer and wait for the BYE.
  void carrier(t, carrierPort, 'uas-answers-hangs-up.xml', 6);
  for (const [user, password] of [['101', 'alice-sip-101'], ['102', 'bob-sip-102']] as const) {
    const port = await freePort();
    await register(t, s.target, port, user, password);
    // Up to 12 INVITEs each: an agent rung with the other may be cancelled (sipp counts that call as failed).
    void sipp(t, 'uas-answers.xml', '', { port, keys: { rtp_port: '9' }, extra: ['-m', '12', '-mp', String(await freePort())], timeoutSec: 40 });
  }
  await sleep(300);
  const numbers = Array.from({ length: 6 }, (_, k) => `+1555777000${k}`);
  const c = await campaign(s, { mode: 'predictive', agents: [501, 502], pacing: { ratio: 1, maxAbandonPercent: 3 } }, numbers);
  const contacts = await finalContacts(s, c.id);
  assert.deepEqual(contacts.map((x) => [x.phoneNumber, x.state, (x.attempts as Json[]).map((a) => a.result)]), numbers.map((n) => [n, 'done', ['answered']]));
  const sessions = await dialerSessions(s.r);
  assert.equal(sessions.length, 6, 'one session per attempt');
  for (const [user, spans] of agentIntervals(sessions)) {
    const sorted = [...spans].sort((a, b) => a[0] - b[0]);
    for (let i = 1; i < sorted.length; i++) assert.ok(sorted[i]![0] >= sorted[i - 1]![1], `agent ${user} offered two calls at once`);
  }
  const one = sessions[0]!.teltel;
  const contactId = Number(c.contacts.get(String((sessions[0]!.facts[0] as Extract<Fact, { type: 'session.started' }>).to.number)));
  for (const e of one) {
    assert.equal(e.type, 'autodialer');
    assert.equal(e.subtype, 'predictive');
    assert.equal(e.direction, 'outbound');
    // RING/RINGRESULT also carry the dial's id and target (docs/compatibility.md, Q8).
    const { dial_id: _dialId, target: _target, ...data } = e.data as Json;
    assert.deepEqual(data, { campaign_id: Number(c.id), contact_id: contactId }, 'integer ids on every event (spec teltel §2.3, §6 rule 2)');
  }
  assert.deepEqual(lines(one).slice(0, 5), ['START localtodid/contact P=0', 'RING localtodid/contact P=0', 'RINGRESULT:ANSWER localtodid/contact P=0', 'READY localtodid/contact P=0', 'JOIN localtodid/contact P=1']);
  // The free agents ring together; the first to answer takes the contact, the others are cancelled (§5.7).
  const agentLines = lines(one).slice(5, -3);
  const rings = agentLines.filter((l) => l.startsWith('RING ')).length;
  assert.ok(rings >= 1 && rings <= 2, agentLines.join('\n'));
  assert.deepEqual(agentLines.slice(0, rings), Array(rings).fill('RING localtosip/operator P=1'));
  assert.deepEqual(agentLines.slice(rings).sort(), ['JOIN localtosip/operator P=2', 'READY localtosip/operator P=1', 'RINGRESULT:ANSWER localtosip/operator P=1', ...Array(rings - 1).fill('RINGRESULT:CANCEL localtosip/operator P=1')].sort());
  assert.equal(agentLines.at(-1), 'JOIN localtosip/operator P=2');
  const dialIds = one.filter((e) => e.event === 'RING' && e.leg === 'operator').map((e) => (e.data as Json).dial_id);
  assert.equal(new Set(dialIds).size, rings, 'parallel RINGs are told apart by data.dial_id');
  assert.deepEqual(lines(one).slice(-3), ['LEAVE localtodid/contact P=1', 'LEAVE localtosip/operator P=0', 'COMPLETED localtodid/contact P=0']);
  const completed = one.at(-1)!;
  assert.equal(completed.hanged_by, 'phone');
  assert.equal(completed.is_answered, true);
  // The next tick after the last result finishes the campaign.
  let state: unknown;
  for (let i = 0; i < 30 && state !== 'finished'; i++, await sleep(100)) state = (await api(s.r, s.token, 'GET', `/campaigns/${c.id}`)).body.state;
  assert.equal(state, 'finished', 'every contact final: the campaign is finished');
});

test('operator-contact: the agent is rung first and joins alone, then the contact — spec teltel §5.7 "Other subtypes"', { skip }, async (t) => {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  void carrier(t, carrierPort, 'uas-answers-hangs-up.xml', 2);
  const port = await freePort();
  await register(t, s.target, port, '101', 'alice-sip-101');
  void sipp(t, 'uas-answers.xml', '', { port, keys: { rtp_port: '9' }, extra: ['-m', '2', '-mp', String(await freePort())], timeoutSec: 40 });
  await sleep(300);
  const c = await campaign(s, { mode: 'operator-contact', agents: [501] }, ['+15557770010', '+15557770011']);
  const contacts = await finalContacts(s, c.id);
  assert.deepEqual(contacts.map((x) => x.state), ['done', 'done']);
  const sessions = await dialerSessions(s.r);
  assert.equal(sessions.length, 2);
  const spans = agentIntervals(sessions).get('501')!.sort((a, b) => a[0] - b[0]);
  assert.ok(spans[1]![0] >= spans[0]![1], 'one agent: one call after the other');
  const one = sessions[0]!.teltel;
  assert.ok(one.every((e) => e.subtype === 'operator-contact'));
  assert.deepEqual(lines(one), [
    'START localtosip/operator P=0', 'RING localtosip/operator P=0', 'RINGRESULT:ANSWER localtosip/operator P=0', 'READY localtosip/operator P=0', 'JOIN localtosip/operator P=1',
    'RING localtodid/contact P=1', 'RINGRESULT:ANSWER localtodid/contact P=1', 'READY localtodid/contact P=1', 'JOIN localtodid/contact P=2',
    'LEAVE localtodid/contact P=1', 'LEAVE localtosip/operator P=0', 'COMPLETED localtodid/contact P=0',
  ]);
});

test('predictive: an answered contact no agent takes within the bound is abandoned — an apology, Ringside hangs up, the attempt counts as abandoned', { skip }, async (t) => {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  // The contact answers and stays; the only agent's phone refuses every call (486).
  const contactDone = carrier(t, carrierPort, 'uas-answers.xml', 1);
  const port = await freePort();
  await register(t, s.target, port, '101', 'alice-sip-101');
  void sipp(t, 'uas-busy.xml', '', { port, extra: ['-m', '50'], timeoutSec: 40 });
  await sleep(300);
  const c = await campaign(s, { mode: 'predictive', agents: [501] }, ['+15557770020']);
  const [contact] = await finalContacts(s, c.id);
  assert.deepEqual([contact!.state, (contact!.attempts as Json[]).map((a) => a.result)], ['exhausted', ['abandoned']]);
  const contactSipp = await contactDone;
  assert.match(contactSipp.messages, /BYE sip:/, 'Ringside hung up the abandoned contact');
  const [session] = await dialerSessions(s.r);
  const names = lines(session!.teltel);
  assert.deepEqual(names.slice(0, 5), ['START localtodid/contact P=0', 'RING localtodid/contact P=0', 'RINGRESULT:ANSWER localtodid/contact P=0', 'READY localtodid/contact P=0', 'JOIN localtodid/contact P=1']);
  assert.ok(names.includes('RINGRESULT:BUSY localtosip/operator P=1'), 'the agent was rung and refused');
  assert.equal(names.at(-2), 'LEAVE localtodid/contact P=0');
  assert.match(names.at(-1)!, /^COMPLETED .* P=0$/);
  assert.equal(session!.teltel.at(-1)!.hanged_by, 'local');
});

test("contact-callflow: the answered contact is handed to the campaign's flow in the same session — a play-only flow: READY, no JOIN, Ringside hangs up", { skip: skip || missingTool('espeak-ng', 'espeak-ng') }, async (t) => {
  const carrierPort = await freePort();
  const s = await setup(t, config(carrierPort));
  const contactDone = carrier(t, carrierPort, 'uas-answers.xml', 1);
  const c = await campaign(s, { mode: 'contact-callflow', callFlowId: 'survey' }, ['+15557770030']);
  const [contact] = await finalContacts(s, c.id);
  assert.deepEqual([contact!.state, (contact!.attempts as Json[]).map((a) => a.result)], ['done', ['answered']]);
  assert.match((await contactDone).messages, /BYE sip:/, 'the flow hung up on the contact');
  const [session] = await dialerSessions(s.r);
  assert.ok(session!.teltel.every((e) => e.subtype === 'contact-callflow'));
  assert.deepEqual(lines(session!.teltel), ['START localtodid/contact P=0', 'RING localtodid/contact P=0', 'RINGRESULT:ANSWER localtodid/contact P=0', 'READY localtodid/contact P=0', 'COMPLETED localtodid/contact P=0']);
  assert.equal(session!.teltel.at(-1)!.hanged_by, 'local');
  // The spoken prompt (text to speech, about two seconds) came between the answer and the hangup.
  const at = (name: string) => Date.parse(String(session!.teltel.find((e) => e.event === name)!.timestamp));
  assert.ok(at('COMPLETED') - at('READY') >= 1000, `the flow played its prompt before hanging up (${at('COMPLETED') - at('READY')} ms)`);
});
