/**
 * Off loopback (issue 15, docs/phones.md "Addresses"): Ringside bound to every interface (0.0.0.0) tells its
 * peers one address, `--sip-address`/`--media-address` 127.0.0.5, while the phone (baresip) sits at
 * 127.0.0.1 and the carrier (sipp) at 127.0.0.2 — two loopback addresses stand in for two networks (network
 * namespaces need privileges CI does not grant). Every Contact and SDP `c=` a peer sees names 127.0.0.5, both
 * peers send their RTP there, and the audio crosses both ways.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, freePort, ok, setup, sipp } from './support/harness.js';
import { BaresipPhone, carrierMedia, waitFor } from './support/baresip-phone.js';
import { rms, tonePower } from '../media/support/audio-analysis.js';
import { aliceLineConfig } from '../support/call-config.js';
import { localAddressFor, primaryAddress } from '../../src/util/local-address.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('baresip', 'baresip');
const ADVERTISED = '127.0.0.5';

const config = (carrierPort: number): string => aliceLineConfig(carrierPort);

function hears(samples: Int16Array, want: number, other: number, what: string): void {
  const loud = Array.from({ length: Math.floor(samples.length / 160) }, (_, i) => samples.subarray(i * 160, i * 160 + 160)).filter((f) => rms(f) > 1000).length;
  assert.ok(loud * 20 >= 2000, `${what}: ${loud * 20} ms of audio`);
  assert.ok(tonePower(samples, want) > 100 * tonePower(samples, other), `${what}: hears ${want} Hz`);
}

/** The SIP message in a trace that starts with `startLine`, up to the next blank line after its body. */
function message(trace: string, startLine: RegExp): string {
  const at = trace.search(startLine);
  assert.ok(at >= 0, `no ${String(startLine)} in the trace:\n${trace.slice(-3000)}`);
  return trace.slice(at, at + 2000);
}

test('bound to 0.0.0.0 and advertising another address: Contact and c= name it; RTP flows both ways', { skip, timeout: 120_000 }, async (t) => {
  const carrierPort = await freePort();
  const { r, target } = await setup(t, config(carrierPort), undefined, { host: '0.0.0.0', sipAddress: ADVERTISED, mediaAddress: ADVERTISED });
  const phone = await BaresipPhone.start(t, { registrar: target, username: '101', password: 'alice-sip-101', toneHz: 440 });
  await waitFor(async () => (await r.store.loadSipBindings('501')).length === 1, 15_000, 'baresip registered as Alice', () => phone.output.slice(-3000));
  const media = await carrierMedia(t, CARRIER_IP, 1000, ADVERTISED);
  const carrier = await sipp(t, 'carrier-call-own-media.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321', rtp_port: String(media.port) }, timeoutSec: 30 });
  ok(carrier, 'carrier');
  await phone.waitEvent('CALL_CLOSED', 10_000);
  await phone.stop();

  // What the carrier saw: Ringside's 200 names 127.0.0.5 for signalling and media.
  const answer = message(carrier.messages, /SIP\/2\.0 200 OK[\s\S]*?CSeq: 1 INVITE/);
  assert.match(answer, new RegExp(`Contact: <sip:[^@>]+@${ADVERTISED.replace(/\./g, '\\.')}:${r.sip.port}`));
  assert.match(answer, new RegExp(`c=IN IP4 ${ADVERTISED.replace(/\./g, '\\.')}\\r?\\n`));
  const carrierSidePort = Number(/m=audio (\d+)/.exec(answer)?.[1]);
  assert.ok([...media.sources].every((s) => s.endsWith(`:${carrierSidePort}`)), `Ringside sends from the port it advertised (${[...media.sources].join(', ')})`);

  // What the phone saw: Ringside's INVITE (Via, Contact, c=) names 127.0.0.5 too.
  const invite = message(phone.output, /INVITE sip:101-/);
  assert.match(invite, new RegExp(`Via: SIP/2\\.0/UDP ${ADVERTISED.replace(/\./g, '\\.')}:${r.sip.port}`));
  assert.match(invite, new RegExp(`Contact: <sip:[^@>]+@${ADVERTISED.replace(/\./g, '\\.')}:${r.sip.port}`));
  assert.match(invite, new RegExp(`c=IN IP4 ${ADVERTISED.replace(/\./g, '\\.')}\\r?\\n`));

  // Audio both ways, each peer sending to 127.0.0.5.
  assert.ok(media.packets() > 100, `the phone's audio reached the carrier (${media.packets()} packets)`);
  hears(media.heard(), 440, 1000, 'the carrier');
  hears(phone.heard(), 1000, 440, 'baresip');
});

test('without an advertised address or a public URL: peers get the address they reach us on; URLs the real HTTP port', async (t) => {
  const { r } = await setup(t, config(await freePort()), undefined, { host: '0.0.0.0', httpPort: '0' });
  assert.equal(r.sip.stack.fixedHost, undefined, 'per peer');
  assert.equal(r.sip.stack.hostFor(CARRIER_IP), localAddressFor(CARRIER_IP));
  assert.match(r.sip.stack.contact({ protocol: 'udp', host: '127.0.0.9', port: 5060 }), new RegExp(`@127\\.0\\.0\\.1:${r.sip.port}>`), 'a loopback peer is told loopback');
  assert.equal(r.publicUrl, `http://${primaryAddress()}:${r.httpPort}`, 'the public URL names the port actually bound, on the primary address');
});
