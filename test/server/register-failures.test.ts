/**
 * REGISTER refusals are logged (issue 15): one structured warning with the AOR, the source and the reason,
 * no password; a burst from one source is throttled to one line per window. Real sipp phones against a
 * running `ringside serve`, its JSON log read from stderr.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import { startRingside } from '../support/ringside-process.js';
import { runSipp } from '../sip/support/sipp.js';

const HERE = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
const skip = missingTool('sipp', 'sip-tester');

test('a wrong SIP password is logged once per source and window: AOR, source, reason, never the password', { skip }, async (t) => {
  const r = await startRingside(t, ['--config', 'examples/demo.yaml']);
  const started = r.logs.find((l) => l.msg === 'ringside started') as { sip: { port: number } };
  const target = `127.0.0.1:${started.sip.port}`;
  const ok = await runSipp(['-sf', join(HERE, 'register.xml'), '-m', '1', '-s', '101', '-au', '101', '-ap', 'alice-sip-101', target]);
  assert.equal(ok.code, 0);
  for (let i = 0; i < 3; i++) {
    const wrong = await runSipp(['-sf', join(HERE, 'register.xml'), '-m', '1', '-s', '102', '-au', '102', '-ap', 'not-the-password', target], 3);
    assert.notEqual(wrong.code, 0);
  }
  await new Promise((res) => setTimeout(res, 200));
  const refused = r.logs.filter((l) => l.msg === 'sip registration refused');
  assert.equal(refused.length, 1, `one line for three refusals from one source:\n${r.stderr.join('\n')}`);
  const line = refused[0]!;
  assert.equal(line.level, 40);
  assert.equal(line.aor, 'sip:102@ringside.test');
  assert.match(String(line.source), /^127\.0\.0\.1:\d+$/);
  assert.equal(line.reason, 'wrong-credentials');
  assert.equal(line.username, '102');
  assert.equal(line.status, 401);
  assert.ok(!r.stderr.join('\n').includes('not-the-password'), 'the password is never logged');
  assert.ok(!r.logs.some((l) => l.msg === 'sip registration refused' && l.aor === 'sip:101@ringside.test'), 'the normal challenge of a good phone is not a failure');
});
