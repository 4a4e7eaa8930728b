/**
 * The event log's contract (event-log.ts) as one test suite that every implementation runs
 * (event-log-contract.test.ts: SQLite and JetStream). A backend is a factory that opens an empty log and
 * can reopen it on the same storage; a backend that cannot run here (no server) says why and its tests
 * skip. Live delivery may be asynchronous (a JetStream tail): tests wait for it, bounded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EventLog, LogEntry, LoggedEvent } from './event-log.js';
import type { Fact } from '../model/facts.js';

export interface LogUnderTest {
  log: EventLog;
  /** Closes the log and opens it again on the same storage. */
  reopen(): Promise<EventLog>;
  /** Closes whatever is open and removes the storage. */
  cleanup(): Promise<void>;
}

export interface EventLogFactory {
  name: string;
  /** Why this backend cannot run here (its tests skip), or undefined. */
  unavailable?(): Promise<string | undefined>;
  open(options?: { projection?: string }): Promise<LogUnderTest>;
}

export const ev = (id: string, extra: Partial<LoggedEvent> = {}): LoggedEvent => ({
  dialect: 'teltel',
  name: 'START',
  id,
  sessionId: 's1',
  accountId: 'acc',
  userIds: [],
  payload: { id },
  ...extra,
});

export const started = (sessionId: string, at = 1): Fact => ({
  type: 'session.started', sessionId, at, accountId: 'acc', accountcode: 'acc', kind: 'inbound', callId: '1.1',
  from: { kind: 'phone', number: '+1' }, to: { kind: 'phone', number: '+2' },
});

export const ended = (sessionId: string, at = 9): Fact => ({ type: 'session.ended', sessionId, at, hangupBy: { kind: 'local', number: 'x' }, cause: 'normal' });

const dtmf = (sessionId: string, digit: string): Fact => ({ type: 'dtmf', sessionId, at: 2, legId: 'L1', digit, durationMs: 100, via: 'rfc4733' });

/** Waits (bounded) until `cond` holds: live delivery may trail the append's resolution. */
export async function eventually(cond: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Registers the contract's tests for one backend. `echoProjection`: URL of test/support/echo-projection.ts. */
export function eventLogContract(factory: EventLogFactory, echoProjection: string): void {
  let reason: Promise<string | undefined> | undefined;
  const it = (name: string, fn: (h: LogUnderTest) => Promise<void>, options?: { projection?: string }) =>
    test(`${factory.name}: ${name}`, async (t) => {
      const why = await (reason ??= factory.unavailable?.() ?? Promise.resolve(undefined));
      if (why) return t.skip(why);
      const h = await factory.open(options);
      try {
        await fn(h);
      } finally {
        await h.cleanup();
      }
    });

  it('appends get increasing positions and read back with filters', async ({ log }) => {
    const a = await log.append({ facts: [], events: [ev('e1'), ev('e2', { accountId: 'other', name: 'RING' }), ev('e3', { userIds: ['501'], dialect: 'realtime', name: 'voice.incoming.start' })] });
    assert.deepEqual(a.map((e) => e.position), [1, 2, 3]);
    assert.deepEqual((await log.read(0, { accountId: 'acc' }, 10)).map((e) => e.id), ['e1', 'e3']);
    assert.deepEqual((await log.read(1, {}, 10)).map((e) => e.id), ['e2', 'e3']);
    assert.deepEqual((await log.read(0, { userId: '501' }, 10)).map((e) => e.id), ['e3']);
    assert.deepEqual((await log.read(0, { dialects: ['teltel'], names: ['RING'] }, 10)).map((e) => e.id), ['e2']);
    assert.deepEqual((await log.read(0, { dialects: ['teltel', 'realtime'], names: ['START', 'voice.incoming.start'] }, 10)).map((e) => e.id), ['e1', 'e3']);
    assert.deepEqual((await log.read(0, { accountId: 'acc', sessionId: 's1', dialects: ['realtime'] }, 10)).map((e) => e.id), ['e3']);
    assert.deepEqual((await log.read(0, {}, 2)).map((e) => e.id), ['e1', 'e2']);
    assert.deepEqual(await log.read(3, {}, 10), []);
    assert.equal(await log.positionOf('e2'), 2);
    assert.equal(await log.positionOf('never'), undefined);
    assert.equal(await log.lastPosition(), 3);
    // What crash recovery reads: the last entry, by its position.
    assert.equal((await log.read((await log.lastPosition()) - 1, {}, 1))[0]?.id, 'e3');
  });

  it('an entry reads back exactly as the append returned it: same JSON text, route, users, time', async ({ log }) => {
    const [appended] = await log.append({ facts: [], events: [ev('r1', { userIds: ['7', '8'], route: { callId: 'c-1', applicationId: 'app' }, payload: { text: 'é ✓ "q"', n: 1.5, list: [1, null] } })] });
    const [read] = await log.read(0, {}, 1);
    assert.equal(read!.payloadJson, '{"text":"é ✓ \\"q\\"","n":1.5,"list":[1,null]}');
    assert.deepEqual({ ...read! }, { ...appended! });
    assert.deepEqual(read!.payload, { text: 'é ✓ "q"', n: 1.5, list: [1, null] });
  });

  it('ids and names with dots, wildcards and spaces are kept and filtered exactly', async ({ log }) => {
    const odd = { accountId: 'a.b *', sessionId: '1715678467.1842 >', dialect: 'realtime', name: 'voice.incoming.start' };
    await log.append({ facts: [], events: [ev('x.y *>', odd), ev('plain', { accountId: 'a', sessionId: '1715678467' })] });
    const [e] = await log.read(0, { accountId: 'a.b *', sessionId: '1715678467.1842 >', names: ['voice.incoming.start'] }, 10);
    assert.deepEqual([e?.id, e?.accountId, e?.sessionId, e?.name], ['x.y *>', 'a.b *', '1715678467.1842 >', 'voice.incoming.start']);
    assert.deepEqual((await log.read(0, { accountId: 'a' }, 10)).map((x) => x.id), ['plain']);
    assert.equal(await log.positionOf('x.y *>'), 1);
  });

  it('appending the same event id twice is idempotent', async ({ log }) => {
    await log.append({ facts: [], events: [ev('x')] });
    const again = await log.append({ facts: [], events: [ev('x'), ev('y')] });
    assert.deepEqual(again.map((e) => e.id), ['y']);
    const both = await Promise.all([log.append({ facts: [], events: [ev('z')] }), log.append({ facts: [], events: [ev('z')] })]);
    assert.deepEqual(both.map((es) => es.map((e) => e.id)), [['z'], []], 'the same id twice in flight: the first append logs it');
    assert.deepEqual((await log.read(0, {}, 10)).map((e) => e.id), ['x', 'y', 'z']);
  });

  it('appends resolve in append order, positions following it', async ({ log }) => {
    const order: number[] = [];
    const all = await Promise.all(Array.from({ length: 300 }, (_, i) => log.append({ facts: [], events: [ev(`o${i}`, { sessionId: `s${i % 3}` })] }).then((es) => (order.push(i), es))));
    assert.deepEqual(order, [...order].sort((a, b) => a - b));
    assert.deepEqual(all.map((es) => es[0]!.position), Array.from({ length: 300 }, (_, i) => i + 1));
    assert.equal(log.backlog, 0);
  });

  it('backlog counts appends not yet durable', async ({ log }) => {
    const pending = Promise.all(Array.from({ length: 20 }, (_, i) => log.append({ facts: [], events: [ev(`k${i}`)] })));
    assert.equal(log.backlog, 20);
    await pending;
    assert.equal(log.backlog, 0);
  });

  it('facts, sessions and events survive a reopen', async (h) => {
    await h.log.append({ facts: [started('s1'), started('s2'), ended('s2')], events: [ev('k')] });
    const again = await h.reopen();
    assert.deepEqual(await again.openSessions(), ['s1']);
    assert.deepEqual((await again.sessionFacts('s2')).map((f) => f.type), ['session.started', 'session.ended']);
    assert.equal((await again.read(0, {}, 10))[0]?.payload.id, 'k');
    assert.equal(await again.lastPosition(), 1);
    assert.equal(await again.positionOf('k'), 1);
  });

  it('open sessions in start order; ended sessions since a time, oldest end first; a session\'s facts in order', async ({ log }) => {
    const now = Date.now();
    await log.append({ facts: [started('b', now - 50), started('a', now - 40), started('c', now - 30)] });
    await log.append({ facts: [dtmf('a', '1'), ended('c', now - 20)] });
    await log.append({ facts: [dtmf('a', '2'), ended('b', now - 10)] });
    await log.append({ facts: [started('old', now - 100_000), ended('old', now - 90_000)] });
    assert.deepEqual(await log.openSessions(), ['a']);
    assert.deepEqual(await log.endedSessions(now - 25), ['c', 'b']);
    assert.deepEqual(await log.endedSessions(now - 15), ['b']);
    assert.deepEqual(await log.endedSessions(now - 95_000), ['old', 'c', 'b']);
    assert.deepEqual(await log.endedSessions(now), []);
    assert.deepEqual((await log.sessionFacts('a')).map((f) => (f.type === 'dtmf' ? f.digit : f.type)), ['session.started', '1', '2']);
    assert.deepEqual(await log.sessionFacts('nobody'), []);
  });

  it('a subscriber resuming from a cursor gets the backlog then live entries, in order, once each', async ({ log }) => {
    for (let i = 0; i < 1200; i += 4) await log.append({ facts: [], events: [0, 1, 2, 3].map((k) => ev(`b${i + k}`)) });
    const got: LogEntry[] = [];
    let live = false;
    const sub = log.subscribe({ filter: { accountId: 'acc' }, after: 100, onEntry: (e) => got.push(e), onLive: () => (live = true) });
    // Appends that race the catch-up must neither be lost nor duplicated.
    const racing = Array.from({ length: 50 }, (_, i) => log.append({ facts: [], events: [ev(`r${i}`)] }));
    await Promise.all(racing);
    await eventually(() => live, 'the subscriber to go live');
    await log.append({ facts: [], events: [ev('last')] });
    await eventually(() => got.at(-1)?.id === 'last', 'the last entry');
    sub.close();
    await log.append({ facts: [], events: [ev('after-close')] });
    const positions = got.map((e) => e.position);
    assert.equal(positions[0], 101);
    assert.deepEqual(positions, [...positions].sort((a, b) => a - b));
    assert.equal(new Set(positions).size, positions.length);
    assert.equal(got.length, 1200 - 100 + 50 + 1);
  });

  it('a live-only subscriber sees only new matching entries; a throwing subscriber harms nobody', async ({ log }) => {
    await log.append({ facts: [], events: [ev('old', { userIds: ['7'] })] });
    const got: string[] = [];
    let last = '';
    log.subscribe({ filter: {}, onEntry: () => { throw new Error('boom'); } });
    log.subscribe({ filter: { userId: '7' }, onEntry: (e) => got.push(e.id) });
    log.subscribe({ filter: {}, onEntry: (e) => (last = e.id) });
    await log.append({ facts: [], events: [ev('n1', { userIds: ['7'] }), ev('n2')] });
    await eventually(() => last === 'n2', 'live delivery');
    assert.deepEqual(got, ['n1']);
  });

  it('a batch that cannot be written fails alone: the others of its group are written', async ({ log }) => {
    const bad = { ...started('sb'), at: 10n } as unknown as Fact; // JSON cannot hold a BigInt
    const [a, b, c] = await Promise.allSettled([log.append({ facts: [], events: [ev('b1')] }), log.append({ facts: [bad], events: [ev('b2')] }), log.append({ facts: [], events: [ev('b3')] })]);
    assert.equal(a.status, 'fulfilled');
    assert.equal(b.status, 'rejected');
    assert.match(String((b as PromiseRejectedResult).reason), /BigInt/);
    assert.equal(c.status, 'fulfilled');
    assert.deepEqual((await log.read(0, {}, 10)).map((e) => e.id), ['b1', 'b3'], "the failed batch's event went with it");
  });

  it('append after close is refused with a named error', async (h) => {
    await h.log.close();
    await assert.rejects(h.log.append({ facts: [], events: [ev('z')] }), { name: 'LogClosedError' });
  });

  it('projects facts: given events first, then the facts\' own; entries carry the logged JSON text', async ({ log }) => {
    log.configureProjection({ publicUrl: 'http://ringside.test' });
    const given = ev('given', { sessionId: 'p1' });
    const entries = await log.append({ facts: [started('p1')], events: [given] });
    assert.equal(entries.length, 2);
    assert.equal(entries[0]!.id, 'given');
    const projected = entries[1]!;
    assert.equal(projected.payloadJson, '{"i":0,"type":"session.started","url":"http://ringside.test"}');
    const [read] = await log.read(projected.position - 1, {}, 1);
    assert.deepEqual({ ...read! }, { ...projected }, 'the same entry is read back');
  }, { projection: echoProjection });

  it('after a reopen a session\'s projector is rebuilt from its logged facts: numbering continues', async (h) => {
    const first = await Promise.all([started('q1'), dtmf('q1', '1')].map((f) => h.log.append({ facts: [f] })));
    assert.deepEqual(first.flat().map((e) => e.payload.i), [0, 1]);
    const again = await h.reopen();
    // Two appends in one group: the second's history includes the first, not yet stored.
    const rest = await Promise.all([dtmf('q1', '2'), dtmf('q1', '3')].map((f) => again.append({ facts: [f] })));
    assert.deepEqual(rest.flat().map((e) => e.payload.i), [2, 3]);
    const ended1 = await again.append({ facts: [ended('q1')] });
    assert.deepEqual(ended1.map((e) => e.payload.i), [4]);
    // After its end a session's next fact (a text's opt-out) is projected from history again.
    const after = await again.append({ facts: [dtmf('q1', '4')] });
    assert.deepEqual(after.map((e) => e.payload.i), [5]);
  }, { projection: echoProjection });
}
