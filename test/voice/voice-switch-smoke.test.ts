/**
 * The application-driven call in the switch, without the REST layer: sipp as the carrier calls a number
 * linked to an application; the call's facts and voice-API events are read from the log.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { startInProcess } from '../support/in-process.js';
import { callConfig } from '../support/call-config.js';
import { CARRIER_IP, factTypes, freePort, logged, ok, sipp } from '../switch/support/harness.js';

const skip = missingTool('sipp', 'sip-tester');

test('smoke: an auto-answered application call speaks and the caller hangs up', { skip }, async (t) => {
  const carrierPort = await freePort();
  const r = await startInProcess(t, callConfig(carrierPort, `
    voiceApi: { userId: u-demo, apiToken: t-demo, apiSecret: s-demo }
    numbers: [{ number: "+15550100" }, { number: "+15550104", application: a-1 }]
    applications: [{ id: a-1, name: App, incomingCallUrl: "http://127.0.0.1:9/cb" }]
`));
  const target = `127.0.0.1:${r.sip.port}`;
  const carrier = sipp(t, 'carrier-call-hangs-up.xml', target, { from: CARRIER_IP, service: '+15550104', keys: { from: '+15557654321' } });
  let callId: string | undefined;
  for (let i = 0; i < 50 && !callId; i++) {
    await new Promise((res) => setTimeout(res, 50));
    const calls = await r.store.listVoiceResources('demo', 'call', { page: 0, size: 1 });
    if (calls[0]?.state === 'active') callId = calls[0].id;
  }
  assert.ok(callId, 'the call became active');
  const spoke = await r.calls.voice.playAudio('demo', callId, { sentence: 'Hello there', tag: 'greet' });
  assert.deepEqual(spoke, { ok: true, value: undefined });
  ok(await carrier, 'carrier');
  let record = await r.store.getVoiceResource('demo', 'call', callId);
  for (let i = 0; i < 40 && record?.state !== 'completed'; i++) {
    await new Promise((res) => setTimeout(res, 50));
    record = await r.store.getVoiceResource('demo', 'call', callId);
  }
  assert.equal(record?.state, 'completed');
  const { facts } = await logged(r, record.sessionId);
  assert.deepEqual(factTypes(facts).filter((f) => !f.startsWith('playback')), ['session.started', 'leg.created', 'leg.answered', 'leg.media-ready', 'leg.ended', 'session.ended']);
  let events = await r.events.read(0, { sessionId: record.sessionId, dialects: ['bandwidth'] }, 100);
  for (let i = 0; i < 40 && events.length < 5; i++) {
    await new Promise((res) => setTimeout(res, 50));
    events = await r.events.read(0, { sessionId: record.sessionId, dialects: ['bandwidth'] }, 100);
  }
  assert.deepEqual(events.map((e) => e.name), ['incomingcall', 'answer', 'speak', 'speak', 'hangup']);
});
