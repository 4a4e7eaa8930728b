/**
 * What a WebRTC leg costs the media worker per packet: SRTP protect/unprotect (werift's AES-CM-128 +
 * HMAC-SHA1-80) and the Opus ↔ 8 kHz PCM transcode (libopus as WebAssembly, opusscript), and from those the
 * WebRTC calls one core can carry (one browser leg bridged to a G.711 leg: 50 packets/s each way through
 * unprotect + decode on the way in and encode + protect on the way out; the G.711 leg's own cost is the
 * relay's, bench/media-relay.bench.ts). `npm run bench -- webrtc`.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { SrtpProtector } from '../src/media/webrtc/srtp-protector.js';
import { OpusTranscoder } from '../src/media/webrtc/opus-transcoder.js';
import { serializeRtpPacket } from '../src/media/rtp-packet.js';

const ROUNDS = 20_000;

function keys() {
  return { key: randomBytes(16), salt: randomBytes(14) };
}

function time(n: number, f: (i: number) => void): number {
  for (let i = 0; i < Math.min(n, 2000); i++) f(i); // warm-up (JIT, WebAssembly tiers)
  const t0 = performance.now();
  for (let i = 0; i < n; i++) f(i);
  return ((performance.now() - t0) * 1000) / n; // µs per op
}

const a = keys();
const b = keys();
const sender = new SrtpProtector({ localKey: a.key, localSalt: a.salt, remoteKey: b.key, remoteSalt: b.salt });
const receiver = new SrtpProtector({ localKey: b.key, localSalt: b.salt, remoteKey: a.key, remoteSalt: a.salt });

const rows: [string, number][] = [];
for (const size of [40, 160]) {
  const payload = randomBytes(size);
  const plain = (i: number) => serializeRtpPacket({ payloadType: 111, marker: false, sequenceNumber: i & 0xffff, timestamp: (i * 960) >>> 0, ssrc: 1234 }, payload);
  const protectedPackets: Buffer[] = [];
  rows.push([`SRTP protect, ${size}-byte payload`, time(ROUNDS, (i) => void (protectedPackets[i % 4096] = sender.protectRtp(plain(i))))]);
  // Unprotect needs packets in order (replay state): protect a fresh run first.
  const run = Array.from({ length: ROUNDS + 2000 }, (_, i) => sender.protectRtp(plain(ROUNDS * 2 + i)));
  let k = 0;
  rows.push([`SRTP unprotect, ${size}-byte payload`, time(ROUNDS, () => void receiver.unprotectRtp(run[k++]!))]);
}

const opus = new OpusTranscoder();
const pcm = Int16Array.from({ length: 160 * 50 }, (_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 440 * i) / 8000) + 500 * Math.sin(i * 1.7)));
const encoded: Buffer[] = [];
let ts = 0;
rows.push(['Opus encode, 20 ms (8 kHz in)', time(5000, (i) => {
  const frames = opus.encode(pcm.subarray((i % 50) * 160, (i % 50) * 160 + 160), ts, 's');
  ts += 160;
  if (frames[0]) encoded[i % 50] = frames[0].payload;
})]);
rows.push(['Opus decode, 20 ms (8 kHz out)', time(5000, (i) => void opus.decode(encoded[i % 50]!))]);
opus.close();

const get = (label: string) => rows.find(([l]) => l.startsWith(label))![1];
// Per call and second: in 50 × (unprotect + decode), out 50 × (encode + protect); Opus packets are ~40 bytes.
const perCallUs = 50 * (get('SRTP unprotect, 40') + get('Opus decode') + get('Opus encode') + get('SRTP protect, 40'));
console.log('| Operation | µs per packet |');
console.log('|---|---|');
for (const [l, us] of rows) console.log(`| ${l} | ${us.toFixed(1)} |`);
console.log(`| **one WebRTC leg, per second of call** (50 packets each way) | **${perCallUs.toFixed(0)} µs** |`);
console.log(`\nWebRTC legs one core can carry on these costs alone: ~${Math.floor(1e6 / perCallUs)}`);
