/**
 * A prompt played by the media engine to baresip (a real SIP phone, auto-answering, through the test-only
 * fake switch), recorded on baresip's side with its aufile player: the WAV it wrote must hold non-silent
 * audio as long as the prompt, shaped like the prompt.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { MediaEngine } from '../../src/media/media-engine.js';
import { parseWav, wavSamples, mixToMono } from '../../src/media/wav.js';
import { loadAudioFile } from '../../src/media/audio-file.js';
import { FakeSwitchSip } from './support/fake-switch-sip.js';
import { Baresip } from './support/baresip.js';
import { bestCorrelation, rms } from './support/audio-analysis.js';
import { waitFor } from './support/udp-phone.js';

const skip = missingTool('baresip', 'baresip') || missingTool('espeak-ng', 'espeak-ng');

test('a TTS prompt played to baresip is heard there, non-silent, with the prompt\'s duration', { skip, timeout: 60_000 }, async (t) => {
  const dataDir = await mkdtemp(join(tmpdir(), 'rs-baresip-prompt-'));
  const engine = new MediaEngine({ rtpPorts: '50000-54999', bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir });
  const sip = await FakeSwitchSip.open();
  const phone = await Baresip.start();
  t.after(async () => {
    sip.close();
    await phone.stop();
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const promptFile = await engine.prompts.resolve('agent-pin');
  const prompt = await loadAudioFile(promptFile);
  const promptMs = prompt.length / 8;

  const ep = await engine.allocateEndpoint('baresip-leg');
  const call = await sip.invite('test', phone.sipPort, engine.createOffer(ep.endpointId));
  engine.applyAnswer(ep.endpointId, call.answerSdp);
  const codec = engine.endpointStats(ep.endpointId).codec;
  assert.ok(codec === 'PCMU' || codec === 'PCMA');
  // Let baresip's audio path start before speaking.
  await waitFor(() => engine.endpointStats(ep.endpointId).packetsReceived > 10, 5000, 'RTP from baresip');
  const pb = engine.play(ep.endpointId, [{ silenceMs: 300 }, { prompt: 'agent-pin' }, { silenceMs: 500 }]);
  assert.equal(await pb.done, 'done');
  await call.bye();
  await new Promise((r) => setTimeout(r, 300));
  await phone.stop(true);

  const w = parseWav(await readFile(phone.heardPath));
  const heard = mixToMono(wavSamples(w), w.channels);
  assert.equal(w.sampleRate, 8000, 'baresip plays G.711 at 8 kHz');
  const frameLoud = (s: Int16Array): number[] =>
    Array.from({ length: Math.floor(s.length / 160) }, (_, i) => i).filter((i) => rms(s.subarray(i * 160, i * 160 + 160)) > 100);
  const hl = frameLoud(heard);
  const pl = frameLoud(prompt);
  assert.ok(hl.length > 0, `baresip heard only silence (${heard.length} samples); its log: ${phone.output.slice(-1500)}`);
  const span = (xs: number[]): number => (xs.at(-1)! - xs[0]! + 1) * 20;
  t.diagnostic(`prompt ${promptMs} ms (speech span ${span(pl)} ms), heard speech span ${span(hl)} ms, file ${heard.length / 8} ms`);
  assert.ok(Math.abs(span(hl) - span(pl)) <= 200, `heard ${span(hl)} ms of speech, prompt has ${span(pl)} ms`);
  const offset = hl[0]! * 160 - pl[0]! * 160;
  const best = bestCorrelation(prompt.subarray(pl[0]! * 160), heard.subarray(Math.max(0, offset + pl[0]! * 160 - 800)), 1600, 8000);
  t.diagnostic(`correlation with the prompt ${best.r.toFixed(3)}`);
  assert.ok(best.r > 0.8, `correlation ${best.r.toFixed(3)}`);
  await rm(phone.dir, { recursive: true, force: true });
});
