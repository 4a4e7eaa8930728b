/**
 * The fuzz campaign's CI form (docs/fuzzing.md): 30 s (FUZZ_SECONDS overrides) against a live `ringside
 * serve` — SIP over UDP and TCP, every REST route, the RealTime WebSocket, the SSE stream, the SDP and
 * RTP parsers and the live RTP ports — then a real call. Fails on a crash, an unhandled rejection, a fatal
 * or error-level log line, a 5xx or unstructured error for bad input, a hang, or a final call that is not
 * answered. The seed is printed; FUZZ_SEED replays it. The ten-minute form is `npm run bench -- fuzz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { missingTool } from '../support/tools.js';
import { campaignSeed } from './support/prng.js';
import { markdown, problems, runCampaign } from './support/campaign.js';

const skip = missingTool('sipp', 'sip-tester');
const seconds = Number(process.env.FUZZ_SECONDS ?? 30);
const targets = process.env.FUZZ_TARGETS?.split(',').filter(Boolean);

test(`fuzz campaign (${seconds} s): no crash, no unhandled rejection, no 5xx for bad input, still answers a real call`, { skip, timeout: (seconds + 180) * 1000 }, async (t) => {
  const seed = campaignSeed();
  const res = await runCampaign({ seconds, seed, ...(targets ? { targets } : {}), progressEveryMs: 10_000, callEverySeconds: Math.max(20, seconds), log: (l) => t.diagnostic(l) }, t);
  const report = markdown(res);
  for (const line of report.split('\n')) t.diagnostic(line);
  assert.deepEqual(problems(res), [], report);
  for (const s of res.targets) assert.ok(s.sent > 0, `${s.name} sent inputs`);
  // Flat memory: the process warms up over the first seconds (JIT, caches, the log's pages: +100–130 MB in
  // the first 10 s on a 2-core machine), then must not grow without bound. Judged from the first sample on.
  const warm = res.rssMb.samples[0] ?? res.rssMb.start;
  assert.ok(res.rssMb.end - warm < 120, `RSS grew from ${warm} MB (after ${seconds > 10 ? '10 s' : 'the start'}) to ${res.rssMb.end} MB (${res.rssMb.start} at start)`);
  assert.ok(res.rssMb.end - res.rssMb.start < 250, `RSS grew from ${res.rssMb.start} to ${res.rssMb.end} MB`);
});
