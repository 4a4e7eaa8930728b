/**
 * SIP over TLS (RFC 3261 §26) end to end with Debian packages only: baresip 1.0 (Debian's libre is built
 * with OpenSSL) registers as Alice over TLS to Ringside's SIP TLS port, and a carrier (Debian's sipp, over
 * UDP from 127.0.0.2) calls her line. Ringside sends the INVITE over TLS (over her registering connection
 * while it is open, RFC 3261 §18.2.1; else a new one to her Contact's port, where baresip presents the test
 * certificate Ringside trusts through --tls-ca), baresip answers, each side hears the other's tone through
 * Ringside's media, the carrier hangs up. The sipp-over-TLS tests (test/transport/sip-tls.test.ts) need a
 * sipp built with OpenSSL, which Debian's is not; this one runs wherever baresip is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { aliceLineConfig } from '../support/call-config.js';
import { CARRIER_IP, endedSession, freePort, ok, setup, sipp } from '../switch/support/harness.js';
import { BaresipPhone, carrierMedia, waitFor } from '../switch/support/baresip-phone.js';
import { rms, tonePower } from '../media/support/audio-analysis.js';

const skip = missingTool('sipp', 'sip-tester') || missingTool('baresip', 'baresip');

const PHONE_HZ = 440;
const CARRIER_HZ = 1000;

/** A self-signed pair for 127.0.0.1 (Ringside's and the phone's; each trusts it as its CA), and the two
 *  in one PEM for baresip's `sip_certificate`. */
function certificate(t: { after(fn: () => unknown): void }): { cert: string; key: string; combined: string } {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-tls-baresip-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const cert = join(dir, 'cert.pem');
  const key = join(dir, 'key.pem');
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', key, '-out', cert], { stdio: 'ignore' });
  const combined = join(dir, 'cert-and-key.pem');
  writeFileSync(combined, readFileSync(cert, 'utf8') + readFileSync(key, 'utf8'));
  return { cert, key, combined };
}

const config = (carrierPort: number): string => aliceLineConfig(carrierPort);

interface Traced {
  /** The transport, source and destination baresip's `-s` trace names above each message. */
  transport: string;
  from: string;
  to: string;
  /** The message up to its blank line (the start line and headers). */
  text: string;
}

/** The SIP messages in baresip's `-s` trace: each is printed as `TLS <from> -> <to>`, then the message. */
function traced(output: string): Traced[] {
  return [...output.matchAll(/^(UDP|TCP|TLS|WSS?) (\S+) -> (\S+)\r?\n([\s\S]*?)\r?\n\r?\n/gm)].map((m) => ({ transport: m[1]!, from: m[2]!, to: m[3]!, text: m[4]! }));
}

/** The tone a side heard: it must carry `want` and not the tone it sent itself, for at least `minMs`. */
function assertHears(samples: Int16Array, want: number, other: number, minMs: number, what: string): void {
  const loudFrames = Array.from({ length: Math.floor(samples.length / 160) }, (_, i) => samples.subarray(i * 160, i * 160 + 160)).filter((f) => rms(f) > 1000).length;
  const [p, q] = [tonePower(samples, want), tonePower(samples, other)];
  assert.ok(loudFrames * 20 >= minMs, `${what}: ${loudFrames * 20} ms of audio (of ${samples.length / 8} ms), want ≥ ${minMs} ms`);
  assert.ok(p > 100 * q, `${what}: ${want} Hz power ${p.toFixed(0)} vs ${other} Hz ${q.toFixed(0)}`);
}

test('baresip registers over TLS; a carrier call reaches it over TLS; audio flows both ways; the carrier hangs up', { skip, timeout: 120_000 }, async (t) => {
  const { cert, key, combined } = certificate(t);
  const s = await setup(t, config(await freePort()), undefined, { tlsCert: cert, tlsKey: key, tlsCa: cert, sipTlsPort: '0', httpsPort: '0' });
  const { r, ws, target } = s;
  const tlsPort = r.sip.stack.tlsPort;
  assert.ok(tlsPort > 0, 'the SIP TLS port listens');

  const phone = await BaresipPhone.start(t, { registrar: `127.0.0.1:${tlsPort}`, transport: 'tls', caFile: cert, certificateFile: combined, username: '101', password: 'alice-sip-101', toneHz: PHONE_HZ });
  await waitFor(async () => (await r.sip.registrar.lookup('501')).length === 1, 20_000, 'baresip registered as Alice over TLS', () => phone.output.slice(-3000));
  const [binding] = await r.sip.registrar.lookup('501');
  assert.equal(binding?.destination.protocol, 'tls', JSON.stringify(binding));
  assert.match(binding.uri, /;transport=tls/i, 'her Contact names TLS');
  assert.ok(r.sip.stack.counters.transport.tlsConnectionsOpened >= 1, 'baresip\'s TLS connection');

  const media = await carrierMedia(t, CARRIER_IP, CARRIER_HZ);
  const carrier = await sipp(t, 'carrier-call-own-media.xml', target, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321', rtp_port: String(media.port) }, timeoutSec: 45 });
  ok(carrier, 'carrier (UDP)');
  const established = await phone.waitEvent('CALL_ESTABLISHED', 10_000);
  assert.equal(established.direction, 'incoming');
  assert.equal(established.peeruri, 'sip:+15557654321@127.0.0.1', 'baresip sees the original caller');
  await phone.waitEvent('CALL_CLOSED', 15_000);
  await phone.stop(); // unregisters; closes the audio dumps

  // baresip's trace: every message over TLS, among them its REGISTER and Ringside's INVITE and BYE.
  const trace = traced(phone.output);
  assert.deepEqual([...new Set(trace.map((m) => m.transport))], ['TLS'], `baresip sent and received over TLS only:\n${phone.output.slice(0, 3000)}`);
  const register = trace.find((m) => /^REGISTER sip:/.test(m.text));
  assert.ok(register, `baresip sent a REGISTER:\n${phone.output.slice(0, 3000)}`);
  assert.equal(register.to, `127.0.0.1:${tlsPort}`, 'to Ringside\'s SIP TLS port');
  assert.match(register.text, /^Via: SIP\/2\.0\/TLS /m, 'its REGISTER names TLS in its Via');
  assert.match(register.text, new RegExp(`^Contact: <sip:101-[^>]+:${phone.sipPort + 1};transport=tls>`, 'm'), 'and asks to be reached over TLS at its TLS port (sip_listen + 1)');
  const invite = trace.find((m) => /^INVITE sip:101-/.test(m.text));
  assert.ok(invite, `Ringside's INVITE reached baresip:\n${phone.output.slice(-4000)}`);
  assert.equal(invite.from, `127.0.0.1:${tlsPort}`, 'from Ringside\'s TLS port');
  assert.match(invite.text, /^Via: SIP\/2\.0\/TLS /m, 'Ringside names TLS in its INVITE\'s Via');
  assert.match(invite.text, /^Contact: <sip:[^>]+;transport=tls>/m, 'and in its Contact');
  const bye = trace.find((m) => /^BYE sip:101-/.test(m.text));
  assert.match(bye?.text ?? '', /^Via: SIP\/2\.0\/TLS /m, 'the BYE came over TLS too');

  // Audio both ways through Ringside's media (PCMU to baresip, PCMA to the carrier: transcoded).
  assert.deepEqual([...media.payloadTypes], [8], 'the carrier hears PCMA, its first choice');
  assert.ok(media.packets() > 100, `baresip's audio reached the carrier through Ringside (${media.packets()} packets)`);
  assertHears(media.heard(), PHONE_HZ, CARRIER_HZ, 2000, 'the carrier');
  assertHears(phone.heard(), CARRIER_HZ, PHONE_HZ, 2000, 'baresip');

  const { topics, events } = await endedSession(ws, 'incoming', 15_000);
  assert.deepEqual(topics, ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end']);
  assert.equal(events[2]!.disposition, 'answered');
  const counters = r.sip.stack.counters.transport;
  assert.equal(counters.tlsHandshakeErrors, 0);
  t.diagnostic(`TLS connections opened ${counters.tlsConnectionsOpened}, closed ${counters.tlsConnectionsClosed}; ${media.packets()} packets at the carrier`);
});
