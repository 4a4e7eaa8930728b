/**
 * sipp, as the carrier, calls Ringside and once connected to a registered phone plays the RFC 4733 pcaps
 * shipped with sipp; the switch must report exactly the digits those pcaps hold (as decoded here by our own
 * pcap reader and RFC 4733 parser) as `dtmf` facts on the caller's leg, each once, with its duration.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { parseRtpPacket } from '../../src/media/rtp-packet.js';
import { DtmfDetector } from '../../src/media/dtmf-rfc4733.js';
import type { Fact } from '../../src/events/model/facts.js';
import { readPcapUdp } from './support/pcap.js';
import { callConfig, ALICE } from '../support/call-config.js';
import { CARRIER_IP, endedSession, freePort, logged, ok, register, setup, sipp, sleep } from '../switch/support/harness.js';
import { answeringScenario, carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';

const PCAP_DIR = '/usr/share/sip-tester';
const NAMES = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '0', 'star', 'pound'];

/** The digits a pcap holds, decoded independently of the engine (same detector, fed from the file). */
function digitsInPcap(path: string): string[] {
  const out: string[] = [];
  const det = new DtmfDetector((d) => out.push(d.digit));
  for (const d of readPcapUdp(path)) {
    const p = parseRtpPacket(d.payload);
    if (p && p.payloadType === 101) det.feed(p);
  }
  det.close();
  return out;
}

test('digits played by sipp from dtmf_2833_*.pcap into a call are reported exactly', { skip: missingTool('sipp', 'sip-tester') || (!existsSync(PCAP_DIR) && 'no sipp pcaps') }, async (t) => {
  const expected = NAMES.flatMap((n) => digitsInPcap(join(PCAP_DIR, `dtmf_2833_${n}.pcap`)));
  assert.equal(expected.join(''), '1234567890*#', 'the pcaps hold one digit each');

  const carrierPort = await freePort();
  const { r, ws, target } = await setup(t, callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 10, fallback: hangup } }
`));
  const phonePort = await freePort();
  await register(t, target, phonePort, '101', 'alice-sip-101');
  const dir = scenarioDir(t, {
    'phone.xml': answeringScenario({}),
    'carrier.xml': carrierScenario({ steps: [{ pauseMs: 500 }, { digits: expected.join(''), gapMs: 450 }, { pauseMs: 800 }] }),
  });
  const phone = sipp(t, 'phone.xml', '', { dir, port: phonePort, extra: ['-mp', String(await freePort())], timeoutSec: 25 });
  await sleep(300);
  ok(await sipp(t, 'carrier.xml', target, { dir, from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' }, timeoutSec: 25 }), 'carrier');
  ok(await phone, 'phone');
  const { sessionId } = await endedSession(ws, 'incoming', 10_000);
  const { facts } = await logged(r, sessionId);
  const callerLeg = (facts.find((f) => f.type === 'leg.created') as Extract<Fact, { type: 'leg.created' }>).legId;
  const digits = facts.filter((f): f is Extract<Fact, { type: 'dtmf' }> => f.type === 'dtmf');
  assert.deepEqual(digits.map((d) => d.digit), expected);
  for (const d of digits) {
    assert.equal(d.legId, callerLeg);
    assert.equal(d.via, 'rfc4733');
    assert.equal(d.durationMs, 280); // 2240 timestamp units in the pcaps' end packets
  }
});
