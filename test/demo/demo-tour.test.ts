/**
 * `ringside demo --standalone` end to end, as a newcomer runs it: the CLI as a child process (tsx), its own
 * Ringside in-process on free ports, the simulated phones and carrier talking real SIP and RTP over
 * loopback, and the RealTime events printed from a real WebSocket client. The tour runs once; each test
 * reads the part of its output it is about: the step's PASS line and its events, in the expected order.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { runCli } from '../support/ringside-process.js';
import { missingTool } from '../support/tools.js';
import { TOUR_STEPS, missingTopics } from '../../src/demo/tour-steps.js';

// Ringside speaks its prompts (call confirmation, agent PIN, voicemail greeting) with espeak-ng.
const noSpeech = missingTool('espeak-ng', 'espeak-ng');

type CliRun = Awaited<ReturnType<typeof runCli>>;
let tourRun: Promise<CliRun> | undefined;
/** The tour, run once for every test of this file (it takes about 40 s). */
const tour = (): Promise<CliRun> => (tourRun ??= runCli(['demo', '--standalone'], 150_000));

/** The output of step `n`: from its heading to the next heading or the summary. */
function stepOutput(stdout: string, n: number): string {
  const start = stdout.indexOf(`\nStep ${n}/${TOUR_STEPS.length}: `);
  assert.ok(start >= 0, `no heading for step ${n}:\n${stdout}`);
  const rest = stdout.slice(start + 1);
  const next = rest.search(/\n(Step \d+\/\d+: |Summary: )/);
  return next < 0 ? rest : rest.slice(0, next);
}

/** The step passed, and its event lines hold the topics it expects, in order. */
function assertStepPassed(r: CliRun, n: number): void {
  const out = stepOutput(r.stdout, n);
  assert.match(out, /^ {2}PASS /m, `step ${n} did not pass:\n${out}\n--- stderr:\n${r.stderr}`);
  assert.doesNotMatch(out, /^ {2}FAIL /m, out);
  const topics = [...out.matchAll(/^ {2}event +\d\d:\d\d:\d\d {2}(\S+)/gm)].map((m) => m[1]!);
  assert.deepEqual(missingTopics(TOUR_STEPS[n - 1]!.expect, topics), [], out);
}

test('the standalone tour registers the phones and completes inbound, outgoing, internal and originate calls', async () => {
  const r = await tour();
  assert.match(r.stdout, /^Ringside demo tour\n/, r.stderr);
  assert.match(r.stdout, /standalone: in this process, examples\/demo\.yaml/);
  for (const n of [1, 2, 6, 7, 8]) assertStepPassed(r, n);
  // Registration over SIP with digest: three 200s.
  assert.equal([...stepOutput(r.stdout, 1).matchAll(/registered: 200 OK/g)].length, 3);
  // Media went both ways through Ringside on a bridged call.
  assert.match(stepOutput(r.stdout, 2), /the caller heard \d+ of \d+ packets bob sent; bob heard \d+ of \d+/);
  assert.match(stepOutput(r.stdout, 2), /voice\.incoming\.answer .*Bob \(502\)/);
  assert.match(stepOutput(r.stdout, 7), /voice\.internal\.answer .*Carol \(503\)/);
  assert.match(stepOutput(r.stdout, 8), /POST \/voice\/originate .*\n.*→ 200: trackingId [0-9a-f]{32}/);
  assert.match(r.stdout, /\nSummary: \d of 8 steps passed in \d+\.\d s\.\n/);
  // The embedded Ringside logs nothing without --log-level.
  assert.doesNotMatch(r.stderr, /"level":/, r.stderr);
});

test('call confirmation, agent PIN entry and voicemail: prompts heard, digits pressed, every step passes, exit 0', { skip: noSpeech }, async () => {
  const r = await tour();
  for (const n of [3, 4, 5]) assertStepPassed(r, n);
  assert.match(stepOutput(r.stdout, 3), /alice +hears the call-confirmation prompt: \d+\.\d s of audio/);
  assert.match(stepOutput(r.stdout, 4), /voice\.incoming\.agentpin-valid .*Bob \(502\) · PIN 1102/);
  assert.match(stepOutput(r.stdout, 5), /voice\.incoming\.end .*voicemail left/);
  assert.match(stepOutput(r.stdout, 5), /report +GET \/reports\/call-data\/\S+: incoming .*disposition voicemail, has_voicemail true/);
  assert.match(r.stdout, /\nSummary: 8 of 8 steps passed/);
  assert.equal(r.code, 0, r.stdout.slice(-3000));
});

test('without --standalone and nothing at --url, it says how to start Ringside and exits 1', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const r = await runCli(['demo', '--url', `http://127.0.0.1:${port}`]);
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stderr, new RegExp(`nothing answers at http://127\\.0\\.0\\.1:${port}`));
  assert.match(r.stderr, /npm install && npm start/);
  assert.match(r.stderr, /ringside demo --standalone/);
  assert.equal(r.stdout, '');
});

test('a bad --sip value is refused with the flag named, exit 2', async () => {
  const r = await runCli(['demo', '--sip', 'localhost']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--sip: 'localhost' is not HOST:PORT/);
});
