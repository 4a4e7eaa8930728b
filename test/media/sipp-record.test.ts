/**
 * sipp streams g711a.pcap (A-law speech, 30 ms packets) into a call; the media engine records the leg.
 * The recording must contain that audio: cross-correlation against the pcap's own decoded payload, and
 * the length of the non-silent part matching the stream.
 */
import { test } from 'node:test';
import { measureWithRetries } from '../support/retry.js';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { MediaEngine } from '../../src/media/media-engine.js';
import { parseRtpPacket } from '../../src/media/rtp-packet.js';
import { decodeG711 } from '../../src/media/g711.js';
import { parseWav, wavSamples } from '../../src/media/wav.js';
import { FakeSwitchSip } from './support/fake-switch-sip.js';
import { readPcapUdp } from './support/pcap.js';
import { runSipp, uacScenario } from './support/sipp.js';
import { bestCorrelation, rms } from './support/audio-analysis.js';

const PCAP = '/usr/share/sip-tester/g711a.pcap';

test('audio streamed by sipp from g711a.pcap is in the recording', { skip: missingTool('sipp', 'sip-tester') || (!existsSync(PCAP) && 'no g711a.pcap') }, async (t) => {
  const packets = readPcapUdp(PCAP).map((d) => parseRtpPacket(d.payload)!).filter((p) => p && p.payloadType === 8);
  const source = decodeG711('PCMA', Buffer.concat(packets.map((p) => p.payload)));
  const sourceMs = source.length / 8;

  await measureWithRetries(t, 3, async (attempt) => {
    const dataDir = await mkdtemp(join(tmpdir(), 'rs-sipp-rec-'));
    const engine = new MediaEngine({ rtpPorts: '40000-49999', bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir });
    const sip = await FakeSwitchSip.open();
    t.after(async () => {
      sip.close();
      await engine.close();
      await rm(dataDir, { recursive: true, force: true });
    });
    const ep = await engine.allocateEndpoint('sipp-leg');
    sip.onInvite = (offer) => engine.createAnswer(ep.endpointId, offer);
    const rec = await engine.startRecording({ endpointId: ep.endpointId }, { recordingId: `sipp-g711a-${attempt}` });

    const xml = uacScenario({ payloads: '8', rtpmaps: ['rtpmap:8 PCMA/8000'], pcaps: [{ path: PCAP, pauseMs: Math.ceil(sourceMs) + 500 }] });
    const r = await runSipp(xml, sip.port);
    assert.equal(r.code, 0, `sipp failed: ${r.output.slice(-1500)}`);
    assert.equal(engine.endpointStats(ep.endpointId).codec, 'PCMA');
    const info = await engine.stopRecording(rec.recordingId);
    assert.equal(info.status, 'complete');

    const w = parseWav(await readFile(rec.path));
    assert.equal(w.channels, 1);
    const recorded = wavSamples(w);
    // Non-silent span of the recording ≈ the stream's length.
    const frameRms = (s: Int16Array, i: number): number => rms(s.subarray(i * 160, i * 160 + 160));
    const loud = (s: Int16Array): number[] => Array.from({ length: Math.floor(s.length / 160) }, (_, i) => i).filter((i) => frameRms(s, i) > 50);
    const srcLoud = loud(source);
    const recLoud = loud(recorded);
    const span = (xs: number[]): number => (xs.at(-1)! - xs[0]! + 1) * 20;
    assert.ok(Math.abs(span(recLoud) - span(srcLoud)) <= 200, `recorded span ${span(recLoud)} ms vs source ${span(srcLoud)} ms`);
    // Where the source starts in the recording, then how well 3 s of it line up.
    const offset = recLoud[0]! * 160 - srcLoud[0]! * 160;
    const from = 8000; // one second into the source
    const best = bestCorrelation(source.subarray(from), recorded.subarray(Math.max(0, offset + from - 800)), 1600, 24000);
    t.diagnostic(`recorded speech span ${span(recLoud)} ms vs source ${span(srcLoud)} ms; correlation ${best.r.toFixed(4)} at lag ${best.lag}`);
    assert.ok(best.r > 0.95, `correlation ${best.r.toFixed(3)} at lag ${best.lag}`);
    // Levels agree (same decoded samples, so within a dB).
    const level = (s: Int16Array): number => 20 * Math.log10(rms(s));
    const rs = level(source.subarray(srcLoud[0]! * 160, (srcLoud.at(-1)! + 1) * 160));
    const rr = level(recorded.subarray(recLoud[0]! * 160, (recLoud.at(-1)! + 1) * 160));
    t.diagnostic(`RMS ${rr.toFixed(2)} dB re 1 LSB recorded vs ${rs.toFixed(2)} dB source`);
    assert.ok(Math.abs(rs - rr) < 1, `RMS ${rr.toFixed(1)} dB vs source ${rs.toFixed(1)} dB`);
  });
});
