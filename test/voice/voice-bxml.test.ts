/**
 * BXML mode end to end (spec bandwidth §1.2, §2.16): an application with `autoAnswer: true` and
 * `callbackHttpMethod: GET` served by a real HTTP server of this test answers `answer` with a BXML
 * document; sipp is the carrier calling the application's number (keying digits as RFC 4733) and the
 * phone answering the transfer at the trunk's port.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, ok, phoneAnswering, sipp, freePort } from '../switch/support/harness.js';
import { carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';
import { APP_NUMBER, CALLER, voiceSetup } from './support.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng');
type T = Parameters<typeof voiceSetup>[0];

interface AppRequest {
  method: string;
  path: string;
  query: Record<string, string>;
}

/** The BXML application: answers each path with a document (or an empty 200), and keeps what it got. */
async function bxmlApp(t: T, documents: Record<string, (q: AppRequest) => string>): Promise<{ url: (path: string) => string; requests: AppRequest[]; waitFor: (p: (r: AppRequest[]) => boolean, what: string, ms?: number) => Promise<void> }> {
  const requests: AppRequest[] = [];
  const server = createServer((req, res) => {
    const u = new URL(req.url!, 'http://x');
    const q: AppRequest = { method: req.method!, path: u.pathname, query: Object.fromEntries(u.searchParams) };
    requests.push(q);
    const doc = documents[u.pathname]?.(q) ?? '';
    res.writeHead(200, doc ? { 'content-type': 'application/xml; charset=utf-8' } : {}).end(doc);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  return {
    url: (path) => base + path,
    requests,
    waitFor: async (p, what, ms = 20_000) => {
      const deadline = Date.now() + ms;
      while (!p(requests)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${JSON.stringify(requests.map((r) => `${r.path} ${r.query.eventType}`))}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
  };
}

test('BXML: speak, gather (RFC 4733 digits) to requestUrl, redirect, transfer with a whisper, transferComplete, hangup', { skip }, async (t) => {
  const app = await bxmlApp(t, {
    '/voice': (q) =>
      q.query.eventType === 'answer'
        ? `<?xml version="1.0" encoding="UTF-8"?>
<Response>
  <SpeakSentence voice="susan">Welcome</SpeakSentence>
  <Gather requestUrl="/gathered" maxDigits="3" interDigitTimeout="8" tag="pin"><SpeakSentence>Enter three digits</SpeakSentence></Gather>
  <Hangup/>
</Response>`
        : '',
    '/gathered': () => '<Response><Redirect requestUrl="/redirected" requestUrlTimeout="5000"/></Response>',
    '/redirected': () => `<Response><Transfer transferTo="+15557770005" transferCallerId="${APP_NUMBER}" requestUrl="/transferred"><SpeakSentence>Call from Ringside</SpeakSentence></Transfer></Response>`,
    '/transferred': () => '<Response><Hangup/></Response>',
  });
  const { carrierPort, sipTarget, api } = await voiceSetup(t, { autoAnswer: true, callbackHttpMethod: 'GET', incomingCallUrl: app.url('/voice') });
  const target = await phoneAnswering(t, 'uas-answers-hangs-up.xml', carrierPort, 9, CARRIER_IP, 40);
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [{ pauseMs: 4500 }, { digits: '123', gapMs: 400 }], end: 'wait-bye' }) });
  const carrier = sipp(t, 'carrier.xml', sipTarget, { dir, from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER }, extra: ['-mp', String(await freePort())], timeoutSec: 45 });
  // While the document drives the call, REST call control is refused (spec bandwidth §1.2).
  await app.waitFor((rs) => rs.some((r) => r.path === '/gathered'), 'the gather result');
  const driven = await api.call('POST', `calls/${app.requests[0]!.query.callId!}/audio`, { sentence: 'REST wants in' });
  assert.equal(driven.status, 403);
  assert.equal((driven.body as { code: string }).code, 'call-invalid-state');

  ok(await carrier, 'the carrier: Ringside hung up after the transfer ended');
  await target.done;
  await app.waitFor((rs) => rs.some((r) => r.query.eventType === 'hangup' && r.query.callId === rs[0]!.query.callId), 'the hangup of the call');
  const a = app.requests[0]!.query.callId!;
  const ofA = app.requests.filter((r) => r.query.callId === a);
  assert.ok(app.requests.every((r) => r.method === 'GET'));
  // The call's own requests in order: incomingcall and answer to the application's URL, gather to its
  // requestUrl, redirect to the Redirect's, transferComplete to the Transfer's; the hangup through the engine.
  assert.deepEqual(
    ofA.map((r) => `${r.path} ${r.query.eventType}`),
    ['/voice incomingcall', '/voice answer', '/gathered gather', '/redirected redirect', '/transferred transferComplete', '/voice hangup'],
  );
  const gather = ofA[2]!.query;
  assert.equal(gather.digits, '123');
  assert.equal(gather.reason, 'max-digits');
  assert.equal(gather.tag, 'pin');
  assert.equal(ofA[3]!.query.callState, 'active');
  assert.equal(ofA[4]!.query.callState, 'active');
  assert.equal(ofA[5]!.query.cause, 'NORMAL_CLEARING');
  assert.equal(ofA[1]!.query.from, CALLER);

  const call = (await api.call('GET', `calls/${a}`)).body as Record<string, unknown>;
  assert.equal(call.state, 'completed');
  const log = ((await api.call('GET', `calls/${a}/events`)).body as { name: string }[]).map((e) => e.name);
  for (const name of ['answer', 'speak', 'gather', 'redirect', 'transferComplete', 'hangup']) assert.ok(log.includes(name), `${name} in the call's event log: ${log.join(',')}`);
  const b = ((await api.call('GET', 'calls')).body as Record<string, unknown>[]).find((c) => c.direction === 'out');
  assert.ok(b, 'the transfer made an outbound call');
  assert.equal(b.to, '+15557770005');
  assert.equal(b.state, 'completed');
});

test('BXML: a document that is not well-formed ends the call with an error event; the carrier gets BYE', { skip }, async (t) => {
  const app = await bxmlApp(t, { '/voice': (q) => (q.query.eventType === 'answer' ? '<Response><SpeakSentence>Hi</Response>' : '') });
  const { sipTarget, api } = await voiceSetup(t, { autoAnswer: true, callbackHttpMethod: 'GET', incomingCallUrl: app.url('/voice') });
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [], end: 'wait-bye' }) });
  ok(await sipp(t, 'carrier.xml', sipTarget, { dir, from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER }, extra: ['-mp', String(await freePort())], timeoutSec: 20 }), 'the carrier got BYE');
  await app.waitFor((rs) => rs.some((r) => r.query.eventType === 'hangup'), 'the hangup');
  const a = app.requests[0]!.query.callId!;
  assert.deepEqual(
    app.requests.map((r) => r.query.eventType),
    ['incomingcall', 'answer', 'error', 'hangup'],
  );
  assert.equal(app.requests[2]!.query.callState, 'error');
  const call = (await api.call('GET', `calls/${a}`)).body as Record<string, unknown>;
  assert.equal(call.state, 'completed');
  const log = ((await api.call('GET', `calls/${a}/events`)).body as { name: string; data?: unknown }[]).map((e) => e.name);
  assert.ok(log.includes('error'), log.join(','));
});

test('GET + autoAnswer whose answer is not BXML stays a REST-mode call: later events come through the engine', { skip }, async (t) => {
  const app = await bxmlApp(t, {});
  const { sipTarget, api } = await voiceSetup(t, { autoAnswer: true, callbackHttpMethod: 'GET', incomingCallUrl: app.url('/voice') });
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [], end: 'wait-bye' }) });
  const carrier = sipp(t, 'carrier.xml', sipTarget, { dir, from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER }, extra: ['-mp', String(await freePort())], timeoutSec: 20 });
  await app.waitFor((rs) => rs.some((r) => r.query.eventType === 'answer'), 'answer');
  const a = app.requests[0]!.query.callId!;
  await api.update(`calls/${a}/audio`, { sentence: 'Hello from REST', tag: 'rest' });
  await app.waitFor((rs) => rs.some((r) => r.query.eventType === 'speak' && r.query.status === 'done'), 'speak done');
  await api.update(`calls/${a}`, { state: 'completed' });
  ok(await carrier, 'the carrier got BYE');
  await app.waitFor((rs) => rs.some((r) => r.query.eventType === 'hangup'), 'the hangup');
  assert.deepEqual(
    app.requests.map((r) => `${r.query.eventType}${r.query.status ? ':' + r.query.status : ''}`),
    ['incomingcall', 'answer', 'speak:started', 'speak:done', 'hangup'],
  );
});
