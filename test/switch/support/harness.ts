/**
 * Loopback helpers for the switch's end-to-end tests (the same approach as calls.test.ts, whose header
 * explains it): sipp as the carrier on 127.0.0.2 and as phones on 127.0.0.1 registered in two steps on
 * one port, a WebSocket client on the account stream, the session's facts and teltel events from the log,
 * and the REST API. Every child process is killed in `t.after`.
 */
import assert from 'node:assert/strict';
import { startInProcess, login } from '../../support/in-process.js';
import type { RawSettings } from '../../../src/app/settings.js';
import { TestSocket } from '../../support/ws-client.js';
import { freePort } from '../../sip/support/sipp.js';
import { CARRIER_IP, register, sipp, sleep, type Sipp } from '../../support/sipp-calls.js';
import { answeringScenario, scenarioDir, type AnsweringOptions } from './scenario-builder.js';
import { sessionProblems } from '../../support/session-checker.js';
import type { Fact } from '../../../src/events/model/facts.js';
import type { Ringside } from '../../../src/app/ringside.js';

export { freePort };
// The sipp plumbing is shared with the texts and webhook tests.
export { CALL_SCENARIOS as SCENARIOS, CARRIER_IP, sipp, ok, sleep, register, registeredPhone, phoneAnswering, rtpSink, type Sipp } from '../../support/sipp-calls.js';

export type T = Parameters<typeof startInProcess>[0];

export const topic = (e: Record<string, unknown>) => `${String(e.category)}.${String(e.subCategory)}.${String(e.eventName)}`;

/** Ringside with `config`, a WebSocket on the account stream (as `wsUser`), and a bearer token for REST. */
export async function setup(t: T, config: string, wsUser = { username: 'alice@demo.test', password: 'alice-pass' }, flags: RawSettings = {}) {
  const r = await startInProcess(t, config, { flags });
  const ws = await TestSocket.open(r.httpPort);
  t.after(() => ws.close());
  const token = await login(r, wsUser.username, wsUser.password);
  await ws.request({ type: 'authrequest', token }, 'authresponse');
  assert.equal((await ws.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse')).success, true);
  return { r, ws, token, target: `127.0.0.1:${r.sip.port}` };
}

/** The session's facts (checked against the switch's order) and its teltel events from the log. */
export async function logged(r: Ringside, sessionId: string): Promise<{ facts: Fact[]; teltel: Record<string, unknown>[] }> {
  const facts = await r.events.sessionFacts(sessionId);
  assert.deepEqual(sessionProblems(facts), [], JSON.stringify(facts, null, 1));
  const teltel = (await r.events.read(0, { dialects: ['teltel'], sessionId }, 100)).map((e) => e.payload);
  return { facts, teltel };
}

/** The session of the account stream's first event, once its `voice.<kind>.end` arrived (within
 *  `timeoutMs`): its id (`trackingId`), the topics received and the events. */
export async function endedSession(ws: TestSocket, kind: 'incoming' | 'outgoing' | 'internal' = 'incoming', timeoutMs = 15_000): Promise<{ sessionId: string; topics: string[]; events: Record<string, unknown>[] }> {
  await ws.until((f) => f.some((e) => e.type === 'accountevent' && topic(e) === `voice.${kind}.end`), timeoutMs, `voice.${kind}.end`);
  const events = ws.events('accountevent');
  return { sessionId: String(events[0]!.trackingId), topics: events.map(topic), events };
}

export const factTypes = (facts: Fact[]) => facts.map((f) => f.type);
export const teltelNames = (events: Record<string, unknown>[]) => events.map((e) => (e.event === 'RINGRESULT' ? `RINGRESULT:${String(e.state)}` : String(e.event)));

/** A REST call with the bearer token; JSON in, JSON out. */
export async function rest(r: Ringside, token: string | undefined, method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`http://127.0.0.1:${r.httpPort}${path}`, {
    method,
    headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

/** A report entry by its call id, waiting (bounded) for the switch to write it after the session ended. */
export async function reportEntry(r: Ringside, token: string, callId: string): Promise<Record<string, unknown>> {
  const deadline = Date.now() + 5000;
  for (;;) {
    const res = await rest(r, token, 'GET', `/reports/call-data/${encodeURIComponent(callId)}`);
    if (res.status === 200) return (res.body.data as Record<string, unknown>[])[0]!;
    if (Date.now() > deadline) assert.fail(`no report entry ${callId}: ${JSON.stringify(res.body)}`);
    await sleep(100);
  }
}

export const today = () => new Date().toISOString().slice(0, 10);

/** A phone registered as `username` that answers with a scenario built by scenario-builder.ts (DTMF,
 *  re-INVITEs, a REFER, its own BYE), in the background. */
export async function builtPhone(t: T, target: string, username: string, password: string, o: AnsweringOptions): Promise<{ done: Promise<Sipp> }> {
  const port = await freePort();
  await register(t, target, port, username, password);
  const dir = scenarioDir(t, { 'phone.xml': answeringScenario(o) });
  const done = sipp(t, 'phone.xml', '', { dir, port, extra: ['-mp', String(await freePort())], timeoutSec: 25 });
  await sleep(300);
  // Wrapped: an async function returning the promise itself would wait for sipp to exit.
  return { done };
}

/** The carrier answering at the trunk's port with a built scenario (a forwarded call, an originate's
 *  external side), in the background. */
export async function builtCarrier(t: T, carrierPort: number, o: AnsweringOptions): Promise<{ done: Promise<Sipp> }> {
  const dir = scenarioDir(t, { 'carrier-answers.xml': answeringScenario(o) });
  const done = sipp(t, 'carrier-answers.xml', '', { dir, from: CARRIER_IP, port: carrierPort, extra: ['-mp', String(30000 + Math.floor(Math.random() * 5000) * 2)], timeoutSec: 25 });
  await sleep(300);
  return { done };
}
