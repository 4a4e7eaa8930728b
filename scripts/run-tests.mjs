#!/usr/bin/env node
// Runs every *.test.ts under src/ (unit tests beside their layer) and test/ (integration tests) with
// Node's own test runner and the tsx loader, one `node --test` process per file. Arguments narrow the run
// to paths containing them.
//
// Two phases. First the files that measure no time (unit tests, REST and webhook round trips), several at
// once; then, one at a time, the files that measure pacing, retransmission schedules and call timing (SIP,
// media, transports, WebRTC, call flows through sipp, crash and fuzz runs): files running alongside them on
// a 2-core machine stretch those measurements. Each file's output is printed whole when it ends, with its
// time; the last line is `N passed, N failed, N skipped`.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { availableParallelism } from 'node:os';

/** Paths whose tests measure time or drive real-time peers: they run alone. */
const SERIAL = ['test/console/', 'src/media/', 'src/sip/', 'test/sip/', 'test/media/', 'test/transport/', 'test/webrtc/', 'test/switch/', 'test/crash/', 'test/fuzz/', 'test/voice/', 'test/server/', 'test/cluster/'];
const PARALLEL = Number(process.env.RINGSIDE_TEST_JOBS ?? Math.max(2, Math.min(4, availableParallelism())));

function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const filters = process.argv.slice(2);
const files = [...walk('src', []), ...walk('test', [])]
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}
const serial = files.filter((f) => SERIAL.some((p) => f.startsWith(p)));
const parallel = files.filter((f) => !serial.includes(f));

const totals = { passed: 0, failed: 0, skipped: 0, cancelled: 0, todo: 0 };
const failedFiles = [];
const times = [];

/** Runs one file; resolves when it ends, after printing its output in one piece. */
function runFile(file) {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-reporter-destination=stdout', '--test-reporter=tap', '--test-reporter-destination=stderr', '--test-timeout=180000', file], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, FORCE_COLOR: '0' } });
    const out = [];
    const tap = [];
    child.stdout.on('data', (d) => out.push(d));
    child.stderr.on('data', (d) => tap.push(d));
    child.on('close', (code) => {
      const seconds = (Date.now() - started) / 1000;
      const text = Buffer.concat(tap).toString();
      // The TAP stream's summary (`# pass N` …); anything else on stderr (the tests' own warnings, e.g. a
      // SKIPPED notice) is printed after the spec output.
      const count = (k) => Number(new RegExp(`^# ${k} (\\d+)$`, 'm').exec(text)?.[1] ?? 0);
      const r = { pass: count('pass'), fail: count('fail'), skipped: count('skipped'), cancelled: count('cancelled'), todo: count('todo') };
      totals.passed += r.pass;
      totals.failed += r.fail;
      totals.skipped += r.skipped;
      totals.cancelled += r.cancelled;
      totals.todo += r.todo;
      const ok = code === 0 && r.fail === 0 && r.cancelled === 0;
      if (!ok) failedFiles.push(file);
      if (code !== 0 && r.fail === 0 && r.cancelled === 0) totals.failed += 1; // the file itself failed (e.g. a syntax error)
      times.push([seconds, file]);
      const extra = text
        .split('\n')
        .filter((l) => !/^(\s*#|\s*ok |\s*not ok |\s*---|\s*\.\.\.|\s*1\.\.|TAP version|\s+[a-zA-Z_]+:|\s{4,})/.test(l) && l.trim() !== '')
        .join('\n');
      process.stdout.write(`\n▶ ${file} (${seconds.toFixed(1)} s) ${ok ? 'ok' : 'FAILED'}\n${Buffer.concat(out).toString()}${extra ? `${extra}\n` : ''}`);
      resolve();
    });
  });
}

async function pool(list, width) {
  const queue = [...list];
  await Promise.all(
    Array.from({ length: Math.min(width, queue.length) }, async () => {
      for (let f = queue.shift(); f !== undefined; f = queue.shift()) await runFile(f);
    }),
  );
}

const t0 = Date.now();
await pool(parallel, PARALLEL);
const t1 = Date.now();
await pool(serial, 1);
const t2 = Date.now();

times.sort((a, b) => b[0] - a[0]);
console.log(`\nslowest files: ${times.slice(0, 8).map(([s, f]) => `${f} ${s.toFixed(0)} s`).join(', ')}`);
console.log(`${parallel.length} files ${PARALLEL} at a time in ${((t1 - t0) / 1000).toFixed(0)} s, then ${serial.length} one at a time in ${((t2 - t1) / 1000).toFixed(0)} s`);
if (failedFiles.length > 0) console.log(`failed files: ${failedFiles.join(', ')}`);
console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
process.exit(failedFiles.length > 0 ? 1 : 0);
