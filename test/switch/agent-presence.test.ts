/**
 * Agent presence end to end (docs/call-centre.md, "Agents"), with sipp as the carrier (127.0.0.2) and the
 * phones (127.0.0.1): Bob's registered phone dials `*51` (answered, a spoken confirmation, Ringside's BYE),
 * `GET /agents` shows him logged out, and a ring-all line then rings only Alice; `*52` pauses him, `*52`
 * again makes him available, `*50` logs him in; the line rings both again. The feature-code calls are no
 * sessions (no facts, no report). Bob logs out again, Ringside restarts with a changed config file (the
 * store is re-seeded): he is still logged out.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { missingTool } from '../support/tools.js';
import { Ringside } from '../../src/app/ringside.js';
import { resolveSettings } from '../../src/app/settings.js';
import { createLogger, silentLogger } from '../../src/log/logger.js';
import type { Fact } from '../../src/events/model/facts.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';
import { login } from '../support/in-process.js';
import { CARRIER_IP, freePort, ok, phoneAnswering, register, rtpSink, sipp, sleep, type T } from './support/harness.js';
import { answeringScenario, carrierScenario, scenarioDir } from './support/scenario-builder.js';

const skip = missingTool('sipp', 'sip-tester');

const config = (carrierPort: number, lineName = 'Main') =>
  callConfig(carrierPort, `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
      - ${BOB}
    lines:
      - { id: main, name: ${lineName}, number: "+15550100", ring: { strategy: ring-all, users: [501, 502], timeoutSeconds: 10, fallback: hangup } }
`);

/** A phone (-s its SIP username, -au/-ap its digest credentials) dials `-key dial`: digest challenge,
 *  answered, then it waits for Ringside's BYE. Its SDP names `-key rtp_port`, a socket the test holds. */
const FEATURE_CALL = `<?xml version="1.0" encoding="ISO-8859-1" ?>
<!DOCTYPE scenario SYSTEM "sipp.dtd">
<scenario name="phone dials a feature code">
${['1', '2'].map((cseq) => `  <send retrans="500">
    <![CDATA[

      INVITE sip:[dial]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:[service]@ringside.test>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[dial]@ringside.test>
      Call-ID: [call_id]
      CSeq: ${cseq} INVITE
      Contact: <sip:[service]@[local_ip]:[local_port]>
      ${cseq === '2' ? '[authentication]' : ''}
      Max-Forwards: 70
      Content-Type: application/sdp
      Content-Length: [len]

      v=0
      o=phone 53655765 2353687637 IN IP[local_ip_type] [local_ip]
      s=-
      c=IN IP[media_ip_type] [media_ip]
      t=0 0
      m=audio [rtp_port] RTP/AVP 0 101
      a=rtpmap:0 PCMU/8000
      a=rtpmap:101 telephone-event/8000

    ]]>
  </send>
  <recv response="100" optional="true"/>
${cseq === '1' ? `  <recv response="401" auth="true"/>
  <send>
    <![CDATA[

      ACK sip:[dial]@[remote_ip]:[remote_port] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch-3];rport
      From: <sip:[service]@ringside.test>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[dial]@ringside.test>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 1 ACK
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>` : `  <recv response="200" rtd="true" rrs="true"/>
  <send>
    <![CDATA[

      ACK [next_url] SIP/2.0
      Via: SIP/2.0/[transport] [local_ip]:[local_port];branch=[branch];rport
      From: <sip:[service]@ringside.test>;tag=[pid]SIPpTag00[call_number]
      To: <sip:[dial]@ringside.test>[peer_tag_param]
      Call-ID: [call_id]
      CSeq: 2 ACK
      [routes]
      Max-Forwards: 70
      Content-Length: 0

    ]]>
  </send>
  <recv request="BYE"/>
  <send>
    <![CDATA[

      SIP/2.0 200 OK
      [last_Via:]
      [last_From:]
      [last_To:]
      [last_Call-ID:]
      [last_CSeq:]
      Content-Length: 0

    ]]>
  </send>
  <timewait milliseconds="300"/>`}`).join('\n')}
</scenario>
`;

/** Ringside on loopback over `dir` (its config file and data dir kept between starts: a restart). */
async function boot(t: T, dir: string, configText: string): Promise<Ringside & { stopOnce(): Promise<void> }> {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, configText);
  const base = 20000 + Math.floor(Math.random() * 20) * 2000;
  const settings = resolveSettings({ config: file, data: join(dir, 'data'), host: '127.0.0.1', httpPort: '0', sipPort: '0', rtpPorts: `${base}-${base + 1999}` }, {});
  const r = await Ringside.start(settings, process.env.RINGSIDE_TEST_LOG ? createLogger({ level: process.env.RINGSIDE_TEST_LOG }) : silentLogger());
  let stopped = false;
  t.after(() => (stopped ? undefined : r.stop()));
  return Object.assign(r, {
    stopOnce: async () => {
      stopped = true;
      await r.stop();
    },
  });
}

type Agent = { userId: number; name: string; presence: string; since: number | null; setPresence: string; extension?: string };

async function agents(r: Ringside, token: string): Promise<Agent[]> {
  const res = await fetch(`http://127.0.0.1:${r.httpPort}/agents`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(res.status, 200);
  return ((await res.json()) as { agents: Agent[] }).agents;
}
const presenceOf = async (r: Ringside, token: string, userId: number) => (await agents(r, token)).find((a) => a.userId === userId)?.presence;

/** Bob's phone dials a feature code; sipp exits 0 once Ringside answered and hung up, and the phone heard
 *  the confirmation (RTP reached it). */
async function bobDials(t: T, target: string, code: string): Promise<void> {
  const dir = scenarioDir(t, { 'feature.xml': FEATURE_CALL });
  const media = await rtpSink(t);
  ok(await sipp(t, 'feature.xml', target, { dir, service: '102', keys: { dial: code, rtp_port: String(media.port) }, extra: ['-au', '102', '-ap', 'bob-sip-102'], timeoutSec: 15 }), `Bob dials ${code}`);
  assert.ok(media.packets() > 25, `Bob heard a confirmation after ${code} (${media.packets()} RTP packets)`);
}

/** The carrier calls the line; Alice's phone (registered on `alicePort`) answers; the session's facts. */
async function lineCall(t: T, r: Ringside, target: string, alicePort: number, bob?: { port: number }): Promise<Fact[]> {
  const before = new Set(await r.events.endedSessions(0));
  const phoneDir = scenarioDir(t, { 'phone.xml': answeringScenario({}), 'carrier.xml': carrierScenario({ steps: [{ pauseMs: 1000 }] }) });
  const alice = sipp(t, 'phone.xml', '', { dir: phoneDir, port: alicePort, extra: ['-mp', String(await freePort())], timeoutSec: 20 });
  const bobRings = bob ? (await phoneAnswering(t, 'uas-rings.xml', bob.port, await freePort(), '127.0.0.1', 20)).done : undefined;
  await sleep(300);
  ok(await sipp(t, 'carrier.xml', target, { dir: phoneDir, from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' }, extra: ['-mp', String(40000 + Math.floor(Math.random() * 10000) * 2)], timeoutSec: 20 }), 'carrier');
  ok(await alice, 'Alice answers');
  if (bobRings) ok(await bobRings, 'Bob rings, then is cancelled');
  for (const deadline = Date.now() + 5000; ; await sleep(100)) {
    const added = (await r.events.endedSessions(0)).filter((s) => !before.has(s));
    if (added.length === 1) return r.events.sessionFacts(added[0]!);
    if (Date.now() > deadline) assert.fail(`expected one new session, got ${added.length}`);
  }
}

const rungUsers = (facts: Fact[]) => facts.flatMap((f) => (f.type === 'leg.created' && f.role === 'callee' ? [f.party.userId ?? f.user?.id] : []));

test('feature codes set presence; a logged-out agent is not rung by a ring-all line; presence survives a restart', { skip, timeout: 180_000 }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-agents-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const carrierPort = await freePort();
  const r = await boot(t, dir, config(carrierPort));
  const target = `127.0.0.1:${r.sip.port}`;
  const token = await login(r, 'alice@demo.test', 'alice-pass');
  const alicePort = await freePort();
  const bobPort = await freePort();
  await register(t, target, alicePort, '101', 'alice-sip-101');
  await register(t, target, bobPort, '102', 'bob-sip-102');
  assert.equal(await presenceOf(r, token, 502), 'available', 'never set: available');

  await bobDials(t, target, '*51');
  const loggedOut = (await agents(r, token)).find((a) => a.userId === 502)!;
  assert.equal(loggedOut.presence, 'logged-out');
  assert.equal(loggedOut.setPresence, 'logged-out');
  assert.ok(typeof loggedOut.since === 'number' && Date.now() - loggedOut.since < 30_000);
  assert.deepEqual(await r.events.endedSessions(0), [], 'a feature code is no call: no session recorded');

  const withoutBob = await lineCall(t, r, target, alicePort);
  assert.deepEqual(rungUsers(withoutBob), ['501'], 'the line rang Alice only');
  const started = withoutBob.find((f) => f.type === 'session.started') as Extract<Fact, { type: 'session.started' }>;
  assert.deepEqual(started.userIds, ['501']);

  await bobDials(t, target, '*52');
  assert.equal(await presenceOf(r, token, 502), 'paused', '*52 from logged out: paused');
  await bobDials(t, target, '*52');
  assert.equal(await presenceOf(r, token, 502), 'available', '*52 again: available');
  await bobDials(t, target, '*51');
  await bobDials(t, target, '*50');
  assert.equal(await presenceOf(r, token, 502), 'available', '*50: logged in');

  const withBob = await lineCall(t, r, target, alicePort, { port: bobPort });
  assert.deepEqual(rungUsers(withBob).sort(), ['501', '502'], 'the line rings both again');

  // Logged out again, then a restart with a changed file (the store is re-seeded from it).
  await bobDials(t, target, '*51');
  const before = (await agents(r, token)).find((a) => a.userId === 502)!;
  await r.stopOnce();
  const again = await boot(t, dir, config(carrierPort, 'Main Line'));
  assert.equal((await again.store.getLine('demo', 'main'))?.name, 'Main Line', 'the file was re-seeded');
  const after = (await agents(again, await login(again, 'alice@demo.test', 'alice-pass'))).find((a) => a.userId === 502)!;
  assert.deepEqual(after, before, 'presence and its time survive the restart');
  assert.equal(after.presence, 'logged-out');
});
