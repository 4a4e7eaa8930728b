/**
 * Ringside on PostgreSQL (`--store postgres://…`, issue 17): two whole nodes in one schema. Alice's phone
 * registers with node A; the carrier's call arrives at node B, which finds her binding in the shared store
 * and rings her phone; she answers, the carrier hangs up. Then a webhook subscription: the node holding the
 * webhook lease delivers through the PostgreSQL outbox, every event once. Real sipp phones and carrier and a
 * real HTTP receiver over loopback; PostgreSQL from RINGSIDE_TEST_PG (CI runs one; skips loudly without).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { startInProcess } from '../support/in-process.js';
import { aliceLineConfig } from '../support/call-config.js';
import { CARRIER_IP, ok, registeredPhone, sipp, sleep } from '../support/sipp-calls.js';
import { freePort } from '../sip/support/sipp.js';
import { missingTool } from '../support/tools.js';
import { dropTestSchema, pgUnavailable, testSchemaUrl } from '../support/pg-test-database.js';
import { parsePgUrl } from '../../src/store/pg-database.js';
import { Receiver } from '../webhooks/support.js';

const skip = missingTool('sipp', 'sip-tester') || (await pgUnavailable());

/** Alice's line; with `webhookUrl`, a teltel subscription of the account. */
function config(carrierPort: number, webhookUrl?: string): string {
  return aliceLineConfig(carrierPort) + (webhookUrl ? `    webhooks:\n      - { id: crm, url: "${webhookUrl}", dialect: teltel, secret: "s3cret-s3cret" }\n` : '');
}

test('two nodes on one PostgreSQL store: a phone registered through A is rung by a call arriving at B', { skip }, async (t) => {
  const url = testSchemaUrl('rs_nodes');
  t.after(() => dropTestSchema(url));
  const carrierPort = await freePort();
  // Both nodes load the same file at start, as a cluster's nodes do (the provisioning lock serialises them).
  const [a, b] = await Promise.all([
    startInProcess(t, config(carrierPort), { flags: { store: url, nodeId: 'node-a' } }),
    startInProcess(t, config(carrierPort), { flags: { store: url, nodeId: 'node-b' } }),
  ]);
  const phone = await registeredPhone(t, `127.0.0.1:${a.sip.port}`, '101', 'alice-sip-101', 'uas-answers.xml');
  assert.equal((await b.store.loadSipBindings('501')).length, 1, "B sees the binding A's registrar stored");
  ok(await sipp(t, 'carrier-call-hangs-up.xml', `127.0.0.1:${b.sip.port}`, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } }), 'carrier → B');
  ok(await phone.done, "Alice's phone, rung by B");
  const deadline = Date.now() + 10_000;
  const names = async () => (await b.events.read(0, { dialects: ['realtime'] }, 1000)).map((e) => e.name);
  while (!(await names()).includes('voice.incoming.end') && Date.now() < deadline) await sleep(50);
  const recorded = await names();
  assert.ok(recorded.includes('voice.incoming.answer') && recorded.includes('voice.incoming.end'), `B recorded the answered call: ${recorded.join(' ')}`);
  assert.equal(await a.events.lastPosition(), 0, 'A (its own event log here) recorded nothing of it');
});

test('PostgreSQL outbox: the node holding the webhook lease delivers a call\'s events once each, in order', { skip }, async (t) => {
  const url = testSchemaUrl('rs_hooks');
  t.after(() => dropTestSchema(url));
  const receiver = await Receiver.start(t);
  const carrierPort = await freePort();
  const r = await startInProcess(t, config(carrierPort, receiver.url('/teltel')), { flags: { store: url, nodeId: 'node-a' } });
  const phone = await registeredPhone(t, `127.0.0.1:${r.sip.port}`, '101', 'alice-sip-101', 'uas-answers.xml');
  ok(await sipp(t, 'carrier-call-hangs-up.xml', `127.0.0.1:${r.sip.port}`, { from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' } }), 'carrier');
  ok(await phone.done, 'phone');
  const deadline = Date.now() + 15_000;
  while (!receiver.acked.some((q) => (JSON.parse(q.body) as { event: string }).event === 'COMPLETED') && Date.now() < deadline) await sleep(50);
  const names = receiver.acked.map((q) => (JSON.parse(q.body) as { event: string }).event);
  assert.equal(names[0], 'START');
  assert.equal(names.at(-1), 'COMPLETED');
  assert.ok(names.includes('JOIN') && names.includes('LEAVE'), names.join(' '));
  assert.ok(receiver.acked.every((q) => q.seen === 0), 'once each');
  assert.equal(r.webhooks.stats.delivering, true, 'the only node holds the lease');
  const { url: plain, schema } = parsePgUrl(url);
  const client = new pg.Client({ connectionString: plain });
  await client.connect();
  t.after(() => client.end());
  const lease = await client.query(`SELECT holder FROM ${schema}.leases WHERE name = 'webhooks'`);
  assert.match(String(lease.rows[0]?.holder), /^node-a:\d+:/);
  assert.deepEqual(await r.outbox.counts(), { pending: 0, dead: 0 }, 'every row acknowledged and removed');
});
