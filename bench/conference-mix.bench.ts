/**
 * Conference mixing capacity: how many members one process mixes with fewer than 1 % of 20 ms frames
 * overrun. The mixer (media/mixer.ts, sum minus self) runs on this thread as the in-thread engine runs it:
 * conferences of `--size` members, each member fed 50 G.711 frames/s (decoded into its jitter buffer, as an
 * endpoint's `audio` event does) and each mixed frame G.711-encoded and sent over UDP to a sink (what the
 * endpoint's sendSamples does). Left out: RTP receive and parse, RTCP — the relay bench measures those.
 *
 * A frame is overrun when its tick runs 20 ms or more after its due time (the member's packet leaves a
 * whole frame late), or is skipped by the frame clock's catch-up limit.
 *
 *   node --import tsx bench/conference-mix.bench.ts [--seconds 5] [--size 10] [--steps 100,200,400,800,1600]
 */
import { createSocket } from 'node:dgram';
import { performance } from 'node:perf_hooks';
import { Conference, MIX_FRAME } from '../src/media/mixer.js';
import { decodeG711, encodeG711 } from '../src/media/g711.js';
import { FrameClock } from '../src/media/frame-clock.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1]! : dflt;
}

const seconds = Number(arg('seconds', '5'));
const size = Number(arg('size', '10'));
const steps = arg('steps', '100,200,400,800,1600').split(',').map(Number);

/** One member's input: a 20 ms G.711 frame of its own tone. */
function toneFrame(hz: number): Uint8Array {
  const s = new Int16Array(MIX_FRAME);
  for (let i = 0; i < MIX_FRAME; i++) s[i] = Math.round(4000 * Math.sin((2 * Math.PI * hz * i) / 8000));
  return encodeG711('PCMU', s);
}

async function run(members: number): Promise<{ frames: number; overrun: number; lateP99: number; cpu: number }> {
  const sink = createSocket('udp4');
  await new Promise<void>((r) => sink.bind(0, '127.0.0.1', r));
  const sinkPort = sink.address().port;
  const out = createSocket('udp4');
  await new Promise<void>((r) => out.bind(0, '127.0.0.1', r));
  const conferences: Conference[] = [];
  const lateness: number[] = [];
  let overrun = 0;
  let frames = 0;
  const input = toneFrame(440);
  for (let c = 0; c * size < members; c++) {
    const conf = new Conference(`conf-${c}`);
    conferences.push(conf);
    let start = 0;
    let lastFrame = -1;
    for (let m = 0; m < size && c * size + m < members; m++) {
      const first = m === 0;
      conf.join(`m${m}`, (frame, n) => {
        if (first) {
          const now = performance.now();
          if (lastFrame < 0) start = now - n * 20;
          // Frames the clock skipped (catch-up limit) never left at all.
          if (lastFrame >= 0 && n > lastFrame + 1) overrun += n - lastFrame - 1;
          lastFrame = n;
          const late = now - (start + n * 20);
          lateness.push(late);
          if (late >= 20) overrun++;
          frames++;
        }
        out.send(encodeG711('PCMU', frame), sinkPort, '127.0.0.1');
      });
    }
  }
  // Every member's 50 packets/s, decoded and pushed as an endpoint does.
  let ts = 0;
  const feeder = new FrameClock(() => {
    ts += MIX_FRAME;
    for (const conf of conferences) for (const m of conf.members()) conf.feed(m.memberId, 1, ts, decodeG711('PCMU', input));
  });
  feeder.start();
  await new Promise((r) => setTimeout(r, 1000)); // warm-up, not counted
  lateness.length = 0;
  overrun = 0;
  frames = 0;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await new Promise((r) => setTimeout(r, seconds * 1000));
  const elapsed = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  feeder.stop();
  for (const c of conferences) c.close();
  out.close();
  sink.close();
  lateness.sort((a, b) => a - b);
  return { frames, overrun, lateP99: lateness[Math.floor(lateness.length * 0.99)] ?? 0, cpu: (cpu.user + cpu.system) / 1000 / elapsed };
}

console.log(`conferences of ${size} members, ${seconds} s per step, in-thread mixer (media/mixer.ts)\n`);
console.log('| members | conferences | frames (per conference clock) | overrun | tick lateness p99 | CPU (one core = 100 %) |');
console.log('|---:|---:|---:|---:|---:|---:|');
let best = 0;
for (const n of steps) {
  const r = await run(n);
  const pct = r.frames ? (100 * r.overrun) / (r.frames + r.overrun) : 100;
  if (pct < 1) best = n;
  console.log(`| ${n} | ${Math.ceil(n / size)} | ${r.frames} | ${pct.toFixed(2)} % | ${r.lateP99.toFixed(1)} ms | ${(100 * r.cpu).toFixed(0)} % |`);
}
console.log(`\nmost members with < 1 % frames overrun: ${best}`);
process.exit(0);
