/**
 * The long fuzz campaign (docs/fuzzing.md): 10 minutes by default (FUZZ_SECONDS), against a live
 * `ringside serve`, every target at once, a real call every minute under fire and one after. Prints a
 * progress line every ~30 s and a Markdown table at the end; exits 1 when the campaign found anything.
 * Run: npm run bench -- fuzz   (FUZZ_SEED=<seed> replays a campaign, FUZZ_TARGETS=sip-udp,http narrows it)
 */
import { campaignSeed } from '../test/fuzz/support/prng.js';
import { Cleanup, markdown, problems, runCampaign } from '../test/fuzz/support/campaign.js';

const seconds = Number(process.env.FUZZ_SECONDS ?? 600);
const targets = process.env.FUZZ_TARGETS?.split(',').filter(Boolean);
const cleanup = new Cleanup();
let failed = false;
try {
  const res = await runCampaign({ seconds, seed: campaignSeed(), ...(targets ? { targets } : {}), progressEveryMs: 30_000, callEverySeconds: 60, log: (l) => console.log(l) }, cleanup);
  console.log(`\n${markdown(res)}`);
  const found = problems(res);
  if (found.length) {
    failed = true;
    console.log(`\n${found.length} problem(s):\n${found.map((p) => `- ${p}`).join('\n')}`);
  }
} catch (err) {
  failed = true;
  console.error(err);
} finally {
  await cleanup.run();
}
process.exit(failed ? 1 : 0);
