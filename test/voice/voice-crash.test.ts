/**
 * kill -9 during a live voice-API call (docs/reliability.md): Ringside runs as its own process; sipp, the
 * carrier, has an answered call to the application's number when the process is killed. The next start on
 * the same data dir sends BYE in the stored dialog, the application gets the call's `hangup` (cause
 * `UNSPECIFIED`: an internal failure, spec bandwidth §2.5) through the durable outbox, and the REST
 * resource says `completed` — nothing stays `active` forever.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { startRingside } from '../support/ringside-process.js';
import { callConfig } from '../support/call-config.js';
import { CARRIER_IP, freePort, ok, sipp } from '../switch/support/harness.js';
import { carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';
import { Receiver } from '../webhooks/support.js';
import { APP_NUMBER, CALLER, USER, VoiceApi, callbacks, waitForCallback } from './support.js';

test('kill -9 with a voice call up: the next start hangs it up, tells the application, and the call reads completed', { skip: missingTool('sipp', 'sip-tester') }, async (t) => {
  const receiver = await Receiver.start(t);
  const dir = mkdtempSync(join(tmpdir(), 'ringside-voice-crash-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const config = join(dir, 'config.yaml');
  writeFileSync(config, callConfig(await freePort(), `
    voiceApi: { userId: ${USER}, apiToken: t-demo, apiSecret: s-demo }
    numbers: [{ number: "+15550100" }, { number: "${APP_NUMBER}", application: a-app }]
    applications: [{ id: a-app, name: App, incomingCallUrl: "${receiver.url('/voice')}", autoAnswer: true }]
`));
  const sipPort = await freePort();
  const args = ['--config', config, '--sip-port', String(sipPort), '--rtp-ports', '42000-42999'];
  const first = await startRingside(t, args, { dataDir: join(dir, 'data') });
  const scenarios = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [], end: 'wait-bye' }) });
  const carrier = sipp(t, 'carrier.xml', `127.0.0.1:${sipPort}`, { dir: scenarios, from: CARRIER_IP, service: APP_NUMBER, keys: { from: CALLER }, extra: ['-mp', String(await freePort())], timeoutSec: 60 });
  const answered = await waitForCallback(receiver, (e) => e.eventType === 'answer', 'answer');
  const callId = String(answered.callId);

  first.proc.kill('SIGKILL');
  await new Promise((r) => first.proc.once('exit', r));
  const second = await startRingside(t, args, { dataDir: join(dir, 'data') });
  ok(await carrier, 'carrier (got the BYE of the call cut by the kill)');
  const hangup = await waitForCallback(receiver, (e) => e.eventType === 'hangup' && e.callId === callId, 'hangup after the restart');
  assert.equal(hangup.cause, 'UNSPECIFIED');
  assert.equal(hangup.callState, 'completed');
  assert.deepEqual(callbacks(receiver, callId).map((e) => e.eventType), ['incomingcall', 'answer', 'hangup'], 'each event once (by event id), in order');
  const api = new VoiceApi(`http://127.0.0.1:${second.httpPort}`);
  const call = (await api.call('GET', `calls/${callId}`)).body as Record<string, unknown>;
  assert.equal(call.state, 'completed');
  assert.ok(call.endTime);
  const refused = await api.call('POST', `calls/${callId}`, { state: 'completed' });
  assert.equal(refused.status, 403, 'the cut call takes no more changes');
  await second.stop();
});
