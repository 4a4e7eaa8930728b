/**
 * A prompt played by Ringside to baresip, a real SIP phone registered as Alice: the carrier calls a line
 * with call confirmation, baresip auto-answers and hears the `call-confirm` prompt (played by the media
 * engine in its worker), recorded on baresip's side by its sndfile module. The WAV it wrote must hold
 * non-silent audio as long as the prompt, shaped like the prompt. Nobody presses a key, so Ringside
 * declines the leg after the wait and the caller gets 480.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { loadAudioFile } from '../../src/media/audio-file.js';
import { PromptLibrary } from '../../src/media/prompts.js';
import { TextToSpeech } from '../../src/media/tts.js';
import { bestCorrelation, rms } from './support/audio-analysis.js';
import { callConfig, ALICE } from '../support/call-config.js';
import { CARRIER_IP, freePort, ok, setup, sipp } from '../switch/support/harness.js';
import { carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';
import { BaresipPhone, waitFor } from '../switch/support/baresip-phone.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('baresip', 'baresip') || missingTool('espeak-ng', 'espeak-ng');

test('a TTS prompt played to baresip is heard there, non-silent, with the prompt\'s duration', { skip, timeout: 90_000 }, async (t) => {
  // The prompt as Ringside renders it (espeak-ng is deterministic for the same text and voice).
  const cache = await mkdtemp(join(tmpdir(), 'rs-prompt-'));
  t.after(() => rm(cache, { recursive: true, force: true }));
  const prompt = await loadAudioFile(await new PromptLibrary({ cacheDir: cache, tts: new TextToSpeech({ cacheDir: cache }) }).resolve('call-confirm'));

  const carrierPort = await freePort();
  const { r, target } = await setup(t, callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550101" }]
    users:
      - ${ALICE}
    lines:
      - { id: sales, name: Sales, number: "+15550101", ring: { strategy: ring-all, users: [501], timeoutSeconds: 30, fallback: hangup }, confirmCalls: true }
`));
  const phone = await BaresipPhone.start(t, { registrar: target, username: '101', password: 'alice-sip-101', toneHz: 440 });
  await waitFor(async () => (await r.store.loadSipBindings('501')).length === 1, 15_000, 'baresip registered as Alice', () => phone.output.slice(-3000));
  const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ refused: 480 }) });
  ok(await sipp(t, 'carrier.xml', target, { dir, from: CARRIER_IP, service: '+15550101', keys: { from: '+15557654321' }, timeoutSec: 40 }), 'carrier (declined after the confirmation wait)');
  await phone.waitEvent('CALL_CLOSED', 10_000);
  const heard = phone.heard();

  const frameLoud = (s: Int16Array): number[] =>
    Array.from({ length: Math.floor(s.length / 160) }, (_, i) => i).filter((i) => rms(s.subarray(i * 160, i * 160 + 160)) > 100);
  const hl = frameLoud(heard);
  const pl = frameLoud(prompt);
  assert.ok(hl.length > 0, `baresip heard only silence (${heard.length} samples); its log: ${phone.output.slice(-1500)}`);
  const span = (xs: number[]): number => (xs.at(-1)! - xs[0]! + 1) * 20;
  t.diagnostic(`prompt ${prompt.length / 8} ms (speech span ${span(pl)} ms), heard speech span ${span(hl)} ms, file ${heard.length / 8} ms`);
  assert.ok(Math.abs(span(hl) - span(pl)) <= 200, `heard ${span(hl)} ms of speech, prompt has ${span(pl)} ms`);
  const offset = hl[0]! * 160 - pl[0]! * 160;
  const best = bestCorrelation(prompt.subarray(pl[0]! * 160), heard.subarray(Math.max(0, offset + pl[0]! * 160 - 800)), 1600, 8000);
  t.diagnostic(`correlation with the prompt ${best.r.toFixed(3)}`);
  assert.ok(best.r > 0.8, `correlation ${best.r.toFixed(3)}`);
});
