import { test } from 'node:test';
import assert from 'node:assert/strict';
import { outputsOf, type FlowNode } from './flow-types.js';

const brief = (node: FlowNode) => outputsOf(node).map((o) => `${o.output}→${o.target}${o.waits ? ' (waits)' : ''}${o.defaulted ? ' (default)' : ''}`);

test('dial: busy and failed default to noAnswer and never wait; answer and noAnswer wait', () => {
  assert.deepEqual(brief({ type: 'dial', target: { users: [1] }, answer: 'a', noAnswer: 'n' }), [
    'answer→a (waits)',
    'noAnswer→n (waits)',
    'busy→n (default)',
    'failed→n (default)',
  ]);
  assert.deepEqual(brief({ type: 'dial', target: { users: [1] }, busy: 'b', failed: 'f' }), ['busy→b', 'failed→f']);
  // Nothing wired: every result hangs up, so there is no output at all.
  assert.deepEqual(brief({ type: 'dial', target: { number: '+37120000000' } }), []);
});

test('menu: one output per key plus timeout and invalid, all after a wait', () => {
  assert.deepEqual(brief({ type: 'menu', prompt: { text: 'x' }, keys: { '1': 'a', '#': 'b' }, invalid: 'c' }), [
    'keys/1→a (waits)',
    'keys/#→b (waits)',
    'invalid→c (waits)',
  ]);
});

test('time outputs do not wait; terminal nodes and an unwired playaudio/queue have none', () => {
  assert.deepEqual(brief({ type: 'time', weekly: [], open: 'o', closed: 'c' }), ['open→o', 'closed→c']);
  assert.deepEqual(brief({ type: 'playaudio', prompt: { text: 'x' }, next: 'n' }), ['next→n (waits)']);
  assert.deepEqual(brief({ type: 'queue', agents: { ringGroup: 'g' }, timeout: 't' }), ['timeout→t (waits)']);
  for (const node of [
    { type: 'playaudio', prompt: { file: 'a.wav' } },
    { type: 'queue', agents: { users: [1] } },
    { type: 'voicemail', mailboxUser: 1 },
    { type: 'forward', number: '+37120000000' },
    { type: 'hangup' },
  ] as FlowNode[]) {
    assert.deepEqual(outputsOf(node), [], node.type);
  }
});
