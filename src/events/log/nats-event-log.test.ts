/**
 * What only the JetStream log has: several nodes on one stream (live tail across nodes, one copy of an
 * event appended by two), the id bucket catching a repeat older than the duplicate window, and the subject
 * layout. The contract every log keeps is event-log-contract.ts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'nats';
import { NatsEventLog } from './nats-event-log.js';
import type { LogEntry } from './event-log.js';
import { ev, eventually, started } from './event-log-contract.js';
import { TEST_NATS, deleteTestStreams, natsUnavailable, testNames } from './nats-test-support.js';

async function twoNodes(t: { after(fn: () => Promise<void>): void }, extra = {}): Promise<[NatsEventLog, NatsEventLog]> {
  const names = testNames();
  const a = await NatsEventLog.open({ servers: TEST_NATS, ...names, name: 'node-a', ...extra });
  const b = await NatsEventLog.open({ servers: TEST_NATS, ...names, name: 'node-b', ...extra });
  t.after(async () => {
    await a.close();
    await b.close();
    await deleteTestStreams(names);
  });
  return [a, b];
}

test('two nodes on one stream: an event appended via one reaches a live subscriber of the other, in order, once', async (t) => {
  const why = await natsUnavailable();
  if (why) return t.skip(why);
  const [a, b] = await twoNodes(t);
  const onB: LogEntry[] = [];
  const onA: LogEntry[] = [];
  b.subscribe({ filter: { accountId: 'acc' }, onEntry: (e) => onB.push(e) });
  a.subscribe({ filter: { accountId: 'acc' }, onEntry: (e) => onA.push(e) });
  // Both nodes append at once (different sessions): every subscriber sees one order, the stream's.
  await Promise.all([
    ...Array.from({ length: 100 }, (_, i) => a.append({ facts: [], events: [ev(`a${i}`, { sessionId: 'sa' })] })),
    ...Array.from({ length: 100 }, (_, i) => b.append({ facts: [], events: [ev(`b${i}`, { sessionId: 'sb' })] })),
  ]);
  await eventually(() => onB.length >= 200 && onA.length >= 200, 'both nodes to tail 200 events');
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(onB.length, 200, 'once each');
  assert.deepEqual(onB.map((e) => e.position), Array.from({ length: 200 }, (_, i) => i + 1), 'in position order, gap-free');
  assert.deepEqual(onA.map((e) => e.id), onB.map((e) => e.id), 'the same order on both nodes');
  const fromA = onB.filter((e) => e.sessionId === 'sa').map((e) => e.id);
  assert.deepEqual(fromA, Array.from({ length: 100 }, (_, i) => `a${i}`), "node A's session in its append order");
  // A subscriber of B resuming from a cursor catches up on A's events too.
  const resumed: string[] = [];
  let live = false;
  b.subscribe({ filter: { sessionId: 'sa' }, after: 150, onEntry: (e) => resumed.push(e.id), onLive: () => (live = true) });
  await eventually(() => live, 'catch-up');
  assert.deepEqual(resumed, onB.filter((e) => e.position > 150 && e.sessionId === 'sa').map((e) => e.id));
  assert.equal(await b.positionOf('a7'), await a.positionOf('a7'));
});

test('the same event appended via both nodes is logged once, at once or one after the other', async (t) => {
  const why = await natsUnavailable();
  if (why) return t.skip(why);
  const [a, b] = await twoNodes(t);
  const ids = Array.from({ length: 50 }, (_, i) => `same-${i}`);
  // In flight together: both id checks miss; the duplicate window keeps one copy.
  const both = await Promise.all(ids.flatMap((id) => [a.append({ facts: [], events: [ev(id)] }), b.append({ facts: [], events: [ev(id)] })]));
  assert.equal(both.flat().length, 50, 'each id logged by exactly one of the two appends');
  // One after the other: the second finds the id.
  await a.append({ facts: [started('s9')], events: [ev('later')] });
  assert.deepEqual(await b.append({ facts: [], events: [ev('later'), ev('new')] }).then((es) => es.map((e) => e.id)), ['new']);
  const all = await b.read(0, {}, 1000);
  assert.equal(all.length, 52);
  assert.equal(new Set(all.map((e) => e.id)).size, 52);
  assert.deepEqual(await b.openSessions(), ['s9'], "a session started via A is open for B (B can take it over)");
  await b.append({ facts: [started('s10')] });
  assert.deepEqual([await b.openSessionsOf('node-a'), await a.openSessionsOf('node-b'), await a.openSessionsOf('node-c')], [['s9'], ['s10'], []], 'each open session names the node that started it');
  assert.deepEqual((await b.sessionFacts('s9')).map((f) => f.type), ['session.started']);
});

test('an event id older than the duplicate window is still skipped (the id bucket)', async (t) => {
  const why = await natsUnavailable();
  if (why) return t.skip(why);
  const [a] = await twoNodes(t, { duplicateWindowMs: 200 });
  await a.append({ facts: [], events: [ev('old-id')] });
  await new Promise((r) => setTimeout(r, 400));
  assert.deepEqual(await a.append({ facts: [], events: [ev('old-id'), ev('next')] }).then((es) => es.map((e) => [e.id, e.position])), [['next', 2]]);
});

test('events are stored on <prefix>.<account>.<dialect>.<session>.<name>; facts take no positions', async (t) => {
  const why = await natsUnavailable();
  if (why) return t.skip(why);
  const [a] = await twoNodes(t);
  const [e] = await a.append({ facts: [started('1715678467.1842'), started('x')], events: [ev('e', { sessionId: '1715678467.1842', dialect: 'realtime', name: 'voice.incoming.start' })] });
  assert.equal(e!.position, 1);
  const nc = await connect({ servers: TEST_NATS });
  t.after(() => nc.close());
  const jsm = await nc.jetstreamManager();
  const m = await jsm.streams.getMessage(a.names.eventsStream, { seq: 1 });
  assert.equal(m.subject, `${a.names.prefix}.acc.realtime.1715678467=2E1842.voice=2Eincoming=2Estart`);
  assert.equal(m.header.get('Nats-Msg-Id'), 'e');
  const info = await jsm.streams.info(a.names.eventsStream);
  assert.equal(info.config.storage, 'file');
  assert.equal(info.state.messages, 1);
  assert.equal((await jsm.streams.info(a.names.factsStream)).state.messages, 4, 'two facts, two open markers');
});
