import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { validateFlow, validateFlowDocument, type FlowContext } from './validate-flow.js';
import { outputsOf, type CallFlow, type FlowNode } from './flow-types.js';

const ctx: FlowContext = {
  timezone: 'UTC',
  directory: { hasUser: () => true, hasRingGroup: () => true, canDial: () => true },
};

const ids = ['a', 'b', 'c', 'd', 'e', 'f'];
const ref = fc.option(fc.constantFrom(...ids, 'ghost'), { nil: undefined });
const node: fc.Arbitrary<FlowNode> = fc.oneof(
  fc.record({ open: fc.constantFrom(...ids), closed: fc.constantFrom(...ids) }).map((o) => ({ type: 'time', weekly: [], ...o }) as FlowNode),
  fc.record({ noAnswer: ref, busy: ref, failed: ref, answer: ref }).map((o) => ({ type: 'dial', target: { users: [1] }, ...strip(o) }) as FlowNode),
  fc.record({ next: ref }).map((o) => ({ type: 'playaudio', prompt: { text: 'x' }, ...strip(o) }) as FlowNode),
  fc.constant({ type: 'hangup' } as FlowNode),
);
const flow: fc.Arbitrary<CallFlow> = fc
  .tuple(fc.integer({ min: 1, max: ids.length }), fc.array(node, { minLength: ids.length, maxLength: ids.length }))
  .map(([n, nodes]) => ({ id: 'f', name: 'F', start: 'a', nodes: Object.fromEntries(ids.slice(0, n).map((id, i) => [id, nodes[i]!])) }));

function strip<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** The oracle: peel off nodes with no remaining non-waiting output; a no-wait cycle is whatever remains. */
function hasNoWaitCycle(f: CallFlow): boolean {
  const edges = new Map(Object.entries(f.nodes).map(([id, n]) => [id, outputsOf(n).filter((o) => !o.waits && o.target in f.nodes).map((o) => o.target)]));
  let changed = true;
  while (changed) {
    changed = false;
    for (const [id, out] of edges) {
      if (out.every((t) => !edges.has(t))) {
        edges.delete(id);
        changed = true;
      }
    }
  }
  return edges.size > 0;
}

test('a cycle without a wait is reported exactly when one exists, and each reported cycle is real', () => {
  fc.assert(
    fc.property(flow, (f) => {
      const problems = validateFlow(f, ctx).filter((p) => p.code === 'cycle-without-wait');
      assert.equal(problems.length > 0, hasNoWaitCycle(f));
      for (const p of problems) {
        const path = p.message.split(': ').at(-1)!.split(' → ');
        assert.equal(path[0], path.at(-1));
        for (let i = 0; i + 1 < path.length; i++) {
          const out = outputsOf(f.nodes[path[i]!]!).filter((o) => !o.waits).map((o) => o.target);
          assert.ok(out.includes(path[i + 1]!), p.message);
        }
      }
    }),
    { numRuns: 300 },
  );
});

test('validateFlowDocument never throws, whatever it is given', () => {
  fc.assert(
    fc.property(fc.oneof(fc.anything(), flow.map((f) => JSON.parse(JSON.stringify(f)) as unknown)), (data) => {
      assert.ok(Array.isArray(validateFlowDocument(data, ctx)));
    }),
    { numRuns: 300 },
  );
});
