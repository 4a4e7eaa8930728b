/**
 * WebSocket SIP + WebRTC media end to end, with a real browser: headless Chromium (Debian `chromium`, driven
 * by playwright-core) runs a SIP.js page (test/webrtc/browser/phone-page.ts, bundled here with esbuild and
 * served by this test) that registers as Alice over ws://…/sip. sipp, as the carrier, calls the number that
 * rings Alice; the page answers. Chromium's fake microphone plays a 1000 Hz tone file.
 *
 * - browser → carrier: the carrier's RTP arrives at a UDP socket this test holds (the carrier's SDP names it,
 *   `rtpPortKey`: sipp does the SIP, the socket stands for its media port); Goertzel finds 1000 Hz in the
 *   G.711 Ringside sends there (Opus from Chromium, decoded and re-encoded by the media engine).
 * - carrier → browser: the same socket streams a 440 Hz PCMA tone back; the page's WebAudio analyser on the
 *   remote stream must see a level well above silence with its peak at 440 Hz.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createSocket } from 'node:dgram';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { missingTool } from '../support/tools.js';
import { callConfig, ALICE } from '../support/call-config.js';
import { startInProcess } from '../support/in-process.js';
import { CARRIER_IP, ok, sipp } from '../support/sipp-calls.js';
import { freePort } from '../switch/support/harness.js';
import { carrierScenario, scenarioDir } from '../switch/support/scenario-builder.js';
import { encodePcm16Wav } from '../../src/media/wav.js';
import { decodeG711, encodeG711 } from '../../src/media/g711.js';
import { parseRtpPacket, serializeRtpPacket } from '../../src/media/rtp-packet.js';
import { sine, tonePower } from '../media/support/audio-analysis.js';
import { waitFor } from '../media/support/udp-phone.js';

const CHROMIUM = '/usr/bin/chromium';

/** What the page exposes (phone-page.ts), as seen from here. */
interface PageWindow {
  phone: { registered: boolean; call: string; errors: string[]; level(): number; peakHz(): number; rtpStats(): Promise<{ received: number; sent: number }> };
}

const skip = missingTool('sipp', 'sip-tester') || (!existsSync(CHROMIUM) && `SKIPPED: ${CHROMIUM} is missing (apt-get install chromium); CI installs it`);

async function pageBundle(): Promise<string> {
  const r = await build({ entryPoints: [join(import.meta.dirname, 'browser', 'phone-page.ts')], bundle: true, write: false, format: 'iife', platform: 'browser', target: 'chrome110', logLevel: 'silent' });
  return r.outputFiles[0]!.text;
}

test('a SIP.js browser registered over WebSocket answers a carrier call: tone both ways through WebRTC', { skip, timeout: 90_000 }, async (t) => {
  const carrierPort = await freePort();
  const r = await startInProcess(t, callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }, { number: "+15550101" }]
    users:
      - ${ALICE}
    lines:
      - { id: sales, name: Sales, number: "+15550101", ring: { strategy: ring-all, users: [501], timeoutSeconds: 20, fallback: hangup } }
`));

  // The page and its script, from this test's own HTTP server (a secure context: http://127.0.0.1).
  const script = await pageBundle();
  const web = createServer((req, res) => {
    if (req.url?.startsWith('/phone.js')) return res.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><meta charset="utf-8"><title>phone</title><script src="/phone.js"></script>');
  });
  await new Promise<void>((res) => web.listen(0, '127.0.0.1', res));
  t.after(() => web.close());
  const webPort = (web.address() as { port: number }).port;

  // The fake microphone: 1000 Hz at 48 kHz, looped by Chromium.
  const dir = mkdtempSync(join(tmpdir(), 'ringside-webrtc-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const toneWav = join(dir, 'tone-1000.wav');
  writeFileSync(toneWav, encodePcm16Wav(sine(1000, 5000, 8000, 48000), 48000));

  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream', `--use-file-for-fake-audio-capture=${toneWav}`, '--autoplay-policy=no-user-gesture-required', '--allow-loopback-in-peer-connection'],
  });
  t.after(() => browser.close());
  const page = await browser.newPage();
  const consoleLines: string[] = [];
  page.on('console', (m) => consoleLines.push(`${m.type()}: ${m.text()}`));
  const query = new URLSearchParams({ ws: `ws://127.0.0.1:${r.httpPort}/sip`, user: '101', password: 'alice-sip-101', domain: '127.0.0.1' });
  await page.goto(`http://127.0.0.1:${webPort}/?${query}`);
  await page.waitForFunction(() => (globalThis as unknown as PageWindow).phone?.registered === true, undefined, { timeout: 15_000 }).catch((err: unknown) => {
    throw new Error(`the page did not register: ${String(err)}\n${consoleLines.join('\n')}`);
  });

  // The carrier's media socket, on the carrier's address (where its SDP says).
  const rtp = createSocket('udp4');
  await new Promise<void>((res) => rtp.bind(0, CARRIER_IP, res));
  t.after(() => rtp.close());
  const heard: { pt: number; samples: Int16Array }[] = [];
  let ringsidePort = 0;
  rtp.on('message', (msg, from) => {
    const p = parseRtpPacket(msg);
    if (!p || (p.payloadType !== 0 && p.payloadType !== 8)) return;
    ringsidePort = from.port;
    heard.push({ pt: p.payloadType, samples: decodeG711(p.payloadType === 0 ? 'PCMU' : 'PCMA', p.payload) });
  });

  const scenarios = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps: [{ pauseMs: 9000 }], rtpPortKey: true }) });
  const call = sipp(t, 'carrier.xml', `127.0.0.1:${r.sip.port}`, { dir: scenarios, from: CARRIER_IP, service: '+15550101', keys: { from: '+15557654321', rtp_port: String(rtp.address().port) }, timeoutSec: 40 });

  // Browser → carrier: Opus from Chromium reaches the carrier's socket as G.711 with the page's tone.
  await waitFor(() => heard.length >= 150, 20_000, 'audio from the browser at the carrier').catch(async (err: unknown) => {
    throw new Error(`${String(err)}; page: ${JSON.stringify(await page.evaluate(async () => ({ call: (globalThis as unknown as PageWindow).phone.call, errors: (globalThis as unknown as PageWindow).phone.errors, rtp: await (globalThis as unknown as PageWindow).phone.rtpStats() })))}\n${consoleLines.join('\n')}`);
  });
  const last = heard.slice(-100);
  const pt = last[0]!.pt;
  const samples = Int16Array.from(last.flatMap((h) => [...h.samples]));
  const p1000 = tonePower(samples, 1000);
  const p440 = tonePower(samples, 440);
  t.diagnostic(`at the carrier (PT ${pt}): 1000 Hz power ${p1000.toExponential(2)}, 440 Hz ${p440.toExponential(2)}`);
  assert.ok(p1000 > 1e4 && p1000 > 50 * p440, `the browser's 1000 Hz tone at the carrier: ${p1000.toExponential(2)} vs 440 Hz ${p440.toExponential(2)}`);

  // Carrier → browser: a 440 Hz tone in the carrier's codec, every 20 ms from the carrier's socket.
  const law = pt === 0 ? 'PCMU' : 'PCMA';
  const tone = sine(440, 6000, 8000);
  let i = 0;
  const ssrc = 0x5eed;
  const sender = setInterval(() => {
    const frame = tone.subarray((i % 300) * 160, (i % 300) * 160 + 160);
    rtp.send(serializeRtpPacket({ payloadType: pt, marker: i === 0, sequenceNumber: (100 + i) & 0xffff, timestamp: (8000 + i * 160) >>> 0, ssrc }, encodeG711(law, frame)), ringsidePort, '127.0.0.1');
    i++;
  }, 20);
  t.after(() => clearInterval(sender));
  const seen = await page
    .waitForFunction(() => (globalThis as unknown as PageWindow).phone.level() > 0.05 && Math.abs((globalThis as unknown as PageWindow).phone.peakHz() - 440) < 25, undefined, { timeout: 10_000, polling: 100 })
    .then(() => true, () => false);
  const view = await page.evaluate(async () => ({ level: (globalThis as unknown as PageWindow).phone.level(), peakHz: (globalThis as unknown as PageWindow).phone.peakHz(), rtp: await (globalThis as unknown as PageWindow).phone.rtpStats(), call: (globalThis as unknown as PageWindow).phone.call, errors: (globalThis as unknown as PageWindow).phone.errors }));
  t.diagnostic(`in the browser: level ${view.level.toFixed(3)}, peak ${view.peakHz.toFixed(0)} Hz, RTP ${JSON.stringify(view.rtp)}`);
  assert.ok(seen, `the carrier's 440 Hz tone in the browser: ${JSON.stringify(view)}`);
  clearInterval(sender);

  ok(await call, 'carrier call');
});
