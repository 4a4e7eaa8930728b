import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CANCELLED, NOT_REGISTERED, RING_TIMEOUT, UNREACHABLE, callerStatusWhenUnanswered, dialResultForInvite, dialResultForStatus, outcomeOfForks } from './dial-results.js';

test('SIP final statuses map to dial results and causes (docs/switch.md table)', () => {
  const table: [number, string, string][] = [
    [486, 'BUSY', 'busy'],
    [600, 'BUSY', 'busy'],
    [603, 'BUSY', 'rejected'],
    [480, 'NOANSWER', 'no-answer'],
    [408, 'NOANSWER', 'no-answer'],
    [487, 'CANCEL', 'originator-cancel'],
    [404, 'CONGESTION', 'unallocated'],
    [484, 'CONGESTION', 'unallocated'],
    [503, 'CONGESTION', 'congestion'],
    [500, 'CONGESTION', 'congestion'],
    [403, 'CONGESTION', 'congestion'],
    [488, 'CONGESTION', 'congestion'],
  ];
  for (const [status, result, cause] of table) assert.deepEqual(dialResultForStatus(status), { result, cause, sipStatus: status }, String(status));
});

test('outcomes Ringside decides: ring timeout, caller cancel, no registration, unreachable', () => {
  assert.deepEqual(RING_TIMEOUT, { result: 'NOANSWER', cause: 'no-answer' });
  assert.deepEqual(CANCELLED, { result: 'CANCEL', cause: 'originator-cancel', sipStatus: 487 });
  assert.deepEqual(NOT_REGISTERED, { result: 'CHANUNAVAIL', cause: 'temporary-failure' });
  assert.equal(UNREACHABLE.result, 'CHANUNAVAIL');
});

test('a failed INVITE: the stack\'s synthetic 408/503 mean unreachable, not a refusal', () => {
  assert.equal(dialResultForInvite({ response: { status: 408 }, reason: 'timeout' }).result, 'CHANUNAVAIL');
  assert.equal(dialResultForInvite({ response: { status: 503 }, reason: 'transport-error' }).result, 'CHANUNAVAIL');
  assert.equal(dialResultForInvite({ response: { status: 487 }, reason: 'cancelled' }).result, 'CANCEL');
  assert.equal(dialResultForInvite({ response: { status: 408 }, reason: 'rejected' }).result, 'NOANSWER', 'a real 408 from the far end');
  assert.equal(dialResultForInvite({ response: { status: 486 }, reason: 'rejected' }).result, 'BUSY');
});

test('what the caller hears when nobody answered', () => {
  const busy = dialResultForStatus(486);
  assert.deepEqual(callerStatusWhenUnanswered([busy, busy], false), { status: 486, cause: 'busy' }, 'busy everywhere');
  assert.deepEqual(callerStatusWhenUnanswered([busy, RING_TIMEOUT], false), { status: 480, cause: 'no-answer' });
  assert.deepEqual(callerStatusWhenUnanswered([], false), { status: 480, cause: 'no-answer' }, 'nobody to ring');
  assert.deepEqual(callerStatusWhenUnanswered([dialResultForStatus(404)], false), { status: 480, cause: 'no-answer' }, 'inbound: the hangup fallback');
  assert.deepEqual(callerStatusWhenUnanswered([dialResultForStatus(404)], true), { status: 404, cause: 'unallocated' }, 'outgoing: passed through');
  assert.deepEqual(callerStatusWhenUnanswered([dialResultForStatus(603)], true), { status: 603, cause: 'rejected' });
  assert.deepEqual(callerStatusWhenUnanswered([RING_TIMEOUT], true), { status: 480, cause: 'no-answer' });
  assert.deepEqual(callerStatusWhenUnanswered([NOT_REGISTERED], true), { status: 480, cause: 'no-answer' });
});

test('a forked leg whose forks all failed: BUSY only if all were busy, else a no-answer, else the first real refusal', () => {
  const busy = dialResultForStatus(486);
  const declined = dialResultForStatus(404);
  assert.deepEqual(outcomeOfForks([busy, busy]), busy);
  assert.deepEqual(outcomeOfForks([busy, RING_TIMEOUT, declined]), RING_TIMEOUT);
  assert.deepEqual(outcomeOfForks([UNREACHABLE, busy]), busy, 'a device that never answered says less than one that refused');
  assert.deepEqual(outcomeOfForks([UNREACHABLE, UNREACHABLE]), UNREACHABLE);
  assert.deepEqual(outcomeOfForks([declined]), declined, 'one fork: its own outcome');
});
