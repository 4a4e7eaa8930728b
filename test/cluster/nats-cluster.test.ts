/**
 * Two nodes on one PostgreSQL store and one NATS JetStream log (issue 17). Node A runs in this process,
 * node B as a child `ringside serve`. A RealTime client on node A sees the events of a call that node B
 * carries, in order, once each. Then node B is killed with SIGKILL in the middle of the answered call:
 * node A notices B's lease has expired, sends BYE to the phone and the carrier from the stored dialogs and
 * closes the session in every dialect; the client on A sees `voice.incoming.end`. Node B then starts again
 * under its id and finds nothing left to close. Real sipp phone and carrier over loopback.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startInProcess, login } from '../support/in-process.js';
import { startRingside } from '../support/ringside-process.js';
import { aliceLineConfig } from '../support/call-config.js';
import { CARRIER_IP, ok, registeredPhone, sipp } from '../support/sipp-calls.js';
import { freePort } from '../sip/support/sipp.js';
import { missingTool } from '../support/tools.js';
import { dropTestSchema, pgUnavailable, testSchemaUrl } from '../support/pg-test-database.js';
import { natsUnavailable, deleteTestStreams, testNames, TEST_NATS } from '../../src/events/log/nats-test-support.js';
import { TestSocket } from '../support/ws-client.js';

const skip = missingTool('sipp', 'sip-tester') || (await pgUnavailable()) || (await natsUnavailable()) || false;
const LEASE_MS = 3000;

const topic = (e: Record<string, unknown>) => `${String(e.category)}.${String(e.subCategory)}.${String(e.eventName)}`;

test('a RealTime client on node A follows node B\'s call; B killed mid-call: A closes it within the lease', { skip }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-cluster-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const pgUrl = testSchemaUrl('rs_cluster');
  const names = testNames();
  const natsUrl = `${TEST_NATS}?stream=${names.stream}&prefix=${names.prefix}`;
  t.after(async () => {
    await deleteTestStreams(names);
    await dropTestSchema(pgUrl);
  });
  const carrierPort = await freePort();
  const configFile = join(dir, 'config.yaml');
  writeFileSync(configFile, aliceLineConfig(carrierPort));
  const env = { RINGSIDE_NODE_LEASE_MS: String(LEASE_MS) };
  const a = await startInProcess(t, { file: configFile }, { flags: { store: pgUrl, log: natsUrl, nodeId: 'node-a' }, env });
  const args = ['--config', configFile, '--store', pgUrl, '--log', natsUrl, '--node-id', 'node-b', '--rtp-ports', '40000-40999'];
  let b = await startRingside(t, args, { env: { ...process.env, ...env } });
  const bSip = (b.logs.find((l) => l.msg === 'ringside started') as { sip: { port: number } }).sip.port;

  const ws = await TestSocket.open(a.httpPort);
  t.after(() => ws.close());
  await ws.request({ type: 'authrequest', token: await login(a, 'alice@demo.test', 'alice-pass') }, 'authresponse');
  await ws.request({ type: 'startaccounteventrequest' }, 'startaccounteventresponse');

  // Alice's phone registers with A; the carrier's call reaches B, which rings her through the shared store.
  const phone = await registeredPhone(t, `127.0.0.1:${a.sip.port}`, '101', 'alice-sip-101', 'uas-answers.xml');
  const carrier = sipp(t, 'carrier-call-waits-bye.xml', `127.0.0.1:${bSip}`, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' }, timeoutSec: 40 });
  await ws.until((f) => f.some((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.answer'), 15_000, 'answer on A from B');
  const killedAt = Date.now();
  await b.stop('SIGKILL');

  // A closes B's call: the BYEs end both sipp scenarios, and the end reaches A's client.
  ok(await carrier, 'carrier (BYE from node A)');
  ok(await phone.done, 'phone (BYE from node A)');
  await ws.until((f) => f.some((e) => e.type === 'accountevent' && topic(e) === 'voice.incoming.end'), 20_000, 'end on A');
  const tookMs = Date.now() - killedAt;
  assert.ok(tookMs < LEASE_MS + LEASE_MS / 3 + 5000, `closed ${tookMs} ms after the kill`);
  const events = ws.events('accountevent');
  const names_ = events.map(topic);
  assert.deepEqual(names_.filter((n) => n.startsWith('voice.incoming.') && /\.(start|answer|end)$/.test(n)), ['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end'], names_.join(' '));
  const ids = events.map((e) => String(e.eventId ?? e.id ?? JSON.stringify(e)));
  assert.equal(new Set(ids).size, ids.length, 'no event twice');
  assert.equal(new Set(events.map((e) => e.trackingId)).size, 1, 'one session');
  const end = events.find((e) => topic(e) === 'voice.incoming.end')!;
  t.diagnostic(`closed by node A ${tookMs} ms after node B's SIGKILL; end event: ${JSON.stringify(end).slice(0, 300)}`);

  // B restarts under its id: nothing of its own is left open.
  b = await startRingside(t, args, { env: { ...process.env, ...env } });
  assert.equal(b.logs.some((l) => l.msg === 'recovered from an unclean stop'), false, 'B found nothing to close');
  assert.deepEqual(await a.events.openSessions(), []);
});
