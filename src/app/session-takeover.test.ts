import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DuplicateNodeError, SessionTakeover, type LeaseStore } from './session-takeover.js';
import { silentLogger } from '../log/logger.js';

/** Leases in memory with a clock the test moves (the PostgreSQL one is tested in src/store). */
class MemoryLeases implements LeaseStore {
  now = 0;
  readonly held = new Map<string, { holder: string; expires: number }>();
  async acquire(name: string, holder: string, ttlMs: number): Promise<boolean> {
    const l = this.held.get(name);
    if (l && l.holder !== holder && l.expires > this.now) return false;
    this.held.set(name, { holder, expires: this.now + ttlMs });
    return true;
  }
  async release(name: string, holder: string): Promise<void> {
    if (this.held.get(name)?.holder === holder) this.held.delete(name);
  }
  async holder(name: string): Promise<string | undefined> {
    const l = this.held.get(name);
    return l && l.expires > this.now ? l.holder : undefined;
  }
}

function node(leases: MemoryLeases, nodeId: string, open: Map<string, string[]>, closed: string[][]) {
  return new SessionTakeover({
    nodeId,
    holder: `${nodeId}:1`,
    leases,
    openSessionsByNode: async () => open,
    close: async (ids) => {
      closed.push([...ids]);
      for (const [n, s] of open) open.set(n, s.filter((x) => !ids.includes(x)));
      return ids.length;
    },
    logger: silentLogger(),
    ttlMs: 1000,
  });
}

test('a survivor closes the sessions of a node whose lease expired, once; live nodes and its own are left alone', async () => {
  const leases = new MemoryLeases();
  const open = new Map([['a', ['a1']], ['b', ['b1', 'b2']], ['c', ['c1']]]);
  const closedByA: string[][] = [];
  const closedByC: string[][] = [];
  const a = node(leases, 'a', open, closedByA);
  const b = node(leases, 'b', open, []);
  const c = node(leases, 'c', open, closedByC);
  await Promise.all([a.join(), b.join(), c.join()]);
  await a.tick();
  assert.deepEqual(closedByA, [], 'b and c are alive');
  leases.now += 900;
  await Promise.all([a.tick(), c.tick()]); // a and c renew; b does not (it died)
  leases.now += 500; // b's lease has expired, a's and c's not
  await Promise.all([a.tick(), c.tick()]);
  assert.deepEqual([...closedByA, ...closedByC], [['b1', 'b2']], "b's sessions closed once, by one survivor");
  assert.equal(a.takenOver + c.takenOver, 2);
  assert.deepEqual(open.get('a'), ['a1'], 'its own node is never taken over');
  await Promise.all([a.close(), c.close()]);
  assert.equal(await leases.holder('node/a'), undefined, 'a graceful stop releases the node lease');
});

test('a second live process under the same node id is refused; a dead predecessor is waited for', async () => {
  const leases = new MemoryLeases();
  const first = node(leases, 'a', new Map(), []);
  await first.join();
  const second = new SessionTakeover({ nodeId: 'a', holder: 'a:2', leases, openSessionsByNode: async () => new Map(), close: async () => 0, logger: silentLogger(), ttlMs: 100 });
  // The first keeps renewing: the second gives up after the lease's lifetime (+2 s).
  const renew = setInterval(() => void first.tick(), 20);
  try {
    await assert.rejects(second.join(), DuplicateNodeError);
  } finally {
    clearInterval(renew);
  }
  // The first dies (stops renewing) and its lease expires: the second takes over the id.
  leases.now += 10_000;
  await second.join();
  assert.equal(await leases.holder('node/a'), 'a:2');
});
