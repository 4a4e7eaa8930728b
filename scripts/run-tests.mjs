#!/usr/bin/env node
// Runs every *.test.ts under src/ (unit tests beside their layer) and test/ (integration tests) with
// Node's own test runner and the tsx loader. Arguments narrow the run to paths containing them.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

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
// One file at a time: the media and SIP timing tests measure pacing and retransmission schedules, and
// files running alongside them on a 2-core machine stretch those measurements. It costs no time here:
// the suite mostly waits on sockets and peers.
const args = ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-timeout=180000', ...files];
const r = spawnSync(process.execPath, args, { stdio: 'inherit' });
process.exit(r.status ?? 1);
