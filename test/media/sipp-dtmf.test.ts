/**
 * sipp calls Ringside (through the test-only fake switch) and plays the RFC 4733 pcaps shipped with sipp;
 * the media engine must report exactly the digits those pcaps hold, as decoded here by our own pcap reader
 * and RFC 4733 parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { MediaEngine } from '../../src/media/media-engine.js';
import { parseRtpPacket } from '../../src/media/rtp-packet.js';
import { DtmfDetector } from '../../src/media/dtmf-rfc4733.js';
import { FakeSwitchSip } from './support/fake-switch-sip.js';
import { readPcapUdp } from './support/pcap.js';
import { runSipp, uacScenario } from './support/sipp.js';
import { waitFor } from './support/udp-phone.js';

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

test('digits played by sipp from dtmf_2833_*.pcap are reported exactly', { skip: missingTool('sipp', 'sip-tester') || (!existsSync(PCAP_DIR) && 'no sipp pcaps') }, async (t) => {
  const pcaps = NAMES.map((n) => join(PCAP_DIR, `dtmf_2833_${n}.pcap`));
  const expected = pcaps.flatMap(digitsInPcap);
  assert.equal(expected.join(''), '1234567890*#', 'the pcaps hold one digit each');

  const dataDir = await mkdtemp(join(tmpdir(), 'rs-sipp-dtmf-'));
  const engine = new MediaEngine({ rtpPorts: '30000-39999', bindAddress: '127.0.0.1', advertisedAddress: '127.0.0.1', dataDir });
  const sip = await FakeSwitchSip.open();
  t.after(async () => {
    sip.close();
    await engine.close();
    await rm(dataDir, { recursive: true, force: true });
  });
  const ep = await engine.allocateEndpoint('sipp-leg');
  sip.onInvite = (offer) => engine.createAnswer(ep.endpointId, offer);
  const digits: string[] = [];
  engine.on('dtmf', (e) => {
    assert.equal(e.via, 'rfc4733');
    assert.equal(e.durationMs, 280); // 2240 timestamp units in the pcaps' end packets
    digits.push(e.digit);
  });

  const xml = uacScenario({
    payloads: '0 101',
    rtpmaps: ['rtpmap:0 PCMU/8000', 'rtpmap:101 telephone-event/8000', 'fmtp:101 0-15'],
    pcaps: pcaps.map((path) => ({ path, pauseMs: 450 })),
  });
  const r = await runSipp(xml, sip.port);
  assert.equal(r.code, 0, `sipp failed: ${r.output.slice(-1500)}\nSIP: ${sip.log.join(' | ')}`);
  await waitFor(() => digits.length >= expected.length, 2000, 'all digits');
  assert.deepEqual(digits, expected);
  assert.equal(sip.byes.size, 1);
});
