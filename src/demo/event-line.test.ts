import { test } from 'node:test';
import assert from 'node:assert/strict';
import { clockTime, eventLine, shortLegId, topicOf } from './event-line.js';
import { missingTopics } from './tour-steps.js';

const answer = {
  type: 'accountevent',
  category: 'voice',
  subCategory: 'incoming',
  eventName: 'answer',
  eventTimestamp: '2026-11-21T15:00:04+00:00',
  accountId: 'demo',
  trackingId: '5f0c1a2b3c4d5e6f708192a3b4c5d6e7',
  uniqueId: '1763737200.42',
  callType: 'voicecall',
  isCall: true,
  direction: 'incoming',
  from: '+15557654321',
  to: '+15550100',
  destination: '1102',
  hasVoicemail: false,
  isMissedCall: false,
  lineId: 'main',
  lineName: 'Main',
  lineNumber: '+15550100',
  legId: '5f0c1a2b3c4d5e6f708192a3b4c5d6e7.3',
  userId: '502',
  userData: { id: '502', name: 'Bob' },
};

test('an answer event is one line: time, topic, caller → number, destination, line, user, short leg id', () => {
  assert.equal(topicOf(answer), 'voice.incoming.answer');
  assert.equal(
    eventLine(answer),
    '15:00:04  voice.incoming.answer            +15557654321 → +15550100 · destination 1102 · line Main · Bob (502) · leg 5f0c1a….3',
  );
});

test('an end event says how the call ended; a start its report id', () => {
  const end = { ...answer, eventName: 'end', destination: '+15550103', lineName: 'After Hours', disposition: 'voicemail', duration: 8, billableSeconds: 0, hasVoicemail: true, legId: undefined, userId: undefined, userData: undefined };
  assert.match(eventLine(end), /voice\.incoming\.end +\+15557654321 → \+15550100 · destination \+15550103 · line After Hours · voicemail, 8 s, voicemail left$/);
  assert.match(eventLine({ ...answer, eventName: 'start', legId: undefined }), /· call 1763737200\.42$/);
});

test('agent PIN events show the PIN entered', () => {
  assert.match(eventLine({ ...answer, eventName: 'agentpin-valid', pinEntered: '1102' }), /Bob \(502\) · PIN 1102 · leg/);
});

test('odd values are shown as they came, never thrown on', () => {
  assert.equal(clockTime('yesterday'), 'yesterday');
  assert.equal(shortLegId('leg-7'), 'leg-7');
  assert.equal(eventLine({ category: 'voice', subCategory: 'incoming', eventName: 'start' }).trim(), 'voice.incoming.start');
});

test('expected topics must come in order; others may come between', () => {
  const seen = ['voice.incoming.start', 'voice.callconfirm.start', 'voice.incoming.answer', 'voice.incoming.end'];
  assert.deepEqual(missingTopics(['voice.incoming.start', 'voice.incoming.answer', 'voice.incoming.end'], seen), []);
  assert.deepEqual(missingTopics(['voice.incoming.start', 'voice.callconfirm.acceptcall', 'voice.incoming.end'], seen), ['voice.callconfirm.acceptcall']);
  assert.deepEqual(missingTopics(['voice.incoming.end', 'voice.incoming.start'], seen), ['voice.incoming.start']);
});
