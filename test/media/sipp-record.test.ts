/**
 * sipp, as the carrier, calls Ringside's straight-to-voicemail line and after the greeting streams
 * g711a.pcap (A-law speech, 30 ms packets); the media engine (in its worker, as `serve` runs it) records
 * the message. The message must contain that audio: cross-correlation against the pcap's own decoded
 * payload, the length of the non-silent part matching the stream, and the same level.
 */
import { test } from 'node:test';
import { measureWithRetries } from '../support/retry.js';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { missingTool } from '../support/tools.js';
import { parseRtpPacket } from '../../src/media/rtp-packet.js';
import { decodeG711 } from '../../src/media/g711.js';
import { parseWav, wavSamples } from '../../src/media/wav.js';
import type { Fact } from '../../src/events/model/facts.js';
import { readPcapUdp } from './support/pcap.js';
import { bestCorrelation, rms } from './support/audio-analysis.js';
import { callConfig, ALICE } from '../support/call-config.js';
import { CARRIER_IP, endedSession, freePort, logged, ok, setup, sipp } from '../switch/support/harness.js';
import { carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';

const PCAP = '/usr/share/sip-tester/g711a.pcap';

test('audio streamed by sipp from g711a.pcap is in the recording (a voicemail message)', { skip: missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng') || (!existsSync(PCAP) && 'no g711a.pcap') }, async (t) => {
  const packets = readPcapUdp(PCAP).map((d) => parseRtpPacket(d.payload)!).filter((p) => p && p.payloadType === 8);
  const source = decodeG711('PCMA', Buffer.concat(packets.map((p) => p.payload)));
  const sourceMs = source.length / 8;

  await measureWithRetries(t, 3, async () => {
    const carrierPort = await freePort();
    const { r, ws, target } = await setup(t, callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550103" }]
    users:
      - ${ALICE}
    lines:
      - { id: after-hours, name: After Hours, number: "+15550103", ring: { strategy: voicemail }, voicemail: { mailboxUser: 501, maxSeconds: 30 } }
`));
    // The greeting and beep last ~5 s (rendered by espeak-ng at the first call): speak after 8 s.
    const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [{ pauseMs: 8000 }, { audio: 'g711a' }, { pauseMs: Math.ceil(sourceMs) + 700 }] }) });
    ok(await sipp(t, 'carrier.xml', target, { dir, from: CARRIER_IP, service: '+15550103', keys: { from: '+15557654321' }, timeoutSec: 30 }), 'carrier');
    const { sessionId } = await endedSession(ws, 'incoming', 10_000);
    const { facts } = await logged(r, sessionId);
    const ready = facts.find((f): f is Extract<Fact, { type: 'leg.media-ready' }> => f.type === 'leg.media-ready')!;
    assert.equal(ready.codec, 'PCMA');
    const rec = facts.find((f): f is Extract<Fact, { type: 'recording.finished' }> => f.type === 'recording.finished')!;
    assert.equal(rec.status, 'complete');
    const res = await fetch(rec.url);
    assert.equal(res.status, 200);

    const w = parseWav(Buffer.from(await res.arrayBuffer()));
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
