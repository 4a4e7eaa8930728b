import { test } from 'node:test';
import assert from 'node:assert/strict';
import { realtimeFrame } from './realtime-socket.js';

test('a RealTime frame spliced from the logged text is the JSON of { type, ...payload, eventId }', () => {
  for (const payload of [{}, { category: 'voice', subCategory: 'incoming', eventName: 'start', accountId: 'a', nested: { x: [1, '"q"'] } }]) {
    for (const type of ['userevent', 'accountevent'] as const) {
      assert.equal(realtimeFrame(type, { id: 'e-1', payloadJson: JSON.stringify(payload) }), JSON.stringify({ type, ...payload, eventId: 'e-1' }));
    }
  }
});
