/**
 * Transcription throughput: seconds of 8 kHz call audio transcribed per second of wall time by the
 * pocketsphinx transcriber (src/media/transcriber.ts) at a given concurrency, for N recordings queued at
 * once. The audio is flite speech at the phone rate (test/support/spoken-wav.ts), one sentence repeated
 * with pauses to the asked length. Also the event loop's p99 delay while it runs (the resampling yields;
 * decoding is a child process), which is what calls and the APIs would feel.
 *
 *   node --import tsx bench/transcription.bench.ts [--seconds 30] [--files 4] [--concurrency 1,2]
 *   (also `npm run bench -- transcription`)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { encodePcm16Wav } from '../src/media/wav.js';
import { PocketsphinxTranscriber } from '../src/media/transcriber.js';
import { spokenSamples } from '../test/support/spoken-wav.js';

function arg(name: string, dflt: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : dflt;
}
const seconds = Number(arg('seconds', '30'));
const files = Number(arg('files', '4'));
const levels = arg('concurrency', '1,2').split(',').map(Number);

const dir = mkdtempSync(join(tmpdir(), 'ringside-stt-bench-'));
try {
  const sentence = spokenSamples(dir, 'please call me back tomorrow morning about the order');
  const pause = new Int16Array(8000);
  const audio = new Int16Array(seconds * 8000);
  for (let at = 0; at < audio.length; ) {
    audio.set(sentence.subarray(0, Math.min(sentence.length, audio.length - at)), at);
    at += sentence.length + pause.length;
  }
  const paths = Array.from({ length: files }, (_, i) => join(dir, `rec-${i}.wav`));
  for (const p of paths) writeFileSync(p, encodePcm16Wav(audio, 8000));

  console.log(`${files} recordings of ${seconds} s each, queued at once\n`);
  console.log('| concurrency | audio (s) | wall (s) | audio s per s | per file (s) | loop delay p99 (ms) |');
  console.log('|---:|---:|---:|---:|---:|---:|');
  for (const concurrency of levels) {
    const stt = new PocketsphinxTranscriber({ concurrency });
    await stt.transcribe(paths[0]!); // the engine check and a warm page cache, outside the timing
    const loop = monitorEventLoopDelay({ resolution: 10 });
    loop.enable();
    const t0 = performance.now();
    const each = await Promise.all(
      paths.map(async (p) => {
        const s = performance.now();
        await stt.transcribe(p);
        return (performance.now() - s) / 1000;
      }),
    );
    const wall = (performance.now() - t0) / 1000;
    loop.disable();
    const total = seconds * files;
    const mean = each.reduce((a, b) => a + b, 0) / each.length;
    console.log(`| ${concurrency} | ${total} | ${wall.toFixed(1)} | ${(total / wall).toFixed(1)} | ${mean.toFixed(1)} | ${(loop.percentile(99) / 1e6).toFixed(1)} |`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
