import { test } from 'node:test';
import assert from 'node:assert/strict';
import { WireSchemaValidator } from '../schema-validator.js';
import { bandwidthDialect, bandwidthSchemas } from './index.js';

const validator = new WireSchemaValidator(bandwidthSchemas);

interface ObjectSchema {
  additionalProperties?: boolean;
  required?: string[];
  properties?: Record<string, unknown>;
  oneOf?: ObjectSchema[];
}

/** The object schemas a payload is checked against: the schema itself, or each `oneOf` variant. */
function variants(schema: ObjectSchema): ObjectSchema[] {
  return schema.oneOf ?? [schema];
}

test('one schema per event name, and nothing else', () => {
  assert.deepEqual(Object.keys(bandwidthSchemas).sort(), [...bandwidthDialect.eventNames].sort());
  assert.equal(new Set(bandwidthDialect.eventNames).size, bandwidthDialect.eventNames.length);
  assert.equal(bandwidthDialect.name, 'bandwidth');
  for (const name of bandwidthDialect.eventNames) assert.ok(validator.has(name), name);
  // spec bandwidth §2.6: rejection is a hangup cause, never an event of its own.
  assert.ok(!validator.has('reject'));
});

test('every schema is closed, requires what it lists, and pins eventType to its name', () => {
  for (const [name, schema] of Object.entries(bandwidthSchemas)) {
    for (const v of variants(schema as ObjectSchema)) {
      assert.equal(v.additionalProperties, false, name);
      const props = Object.keys(v.properties ?? {});
      for (const r of v.required ?? []) assert.ok(props.includes(r), `${name}: required ${r} not in properties`);
      assert.ok(v.required?.includes('eventType'), name);
      assert.deepEqual(v.properties?.eventType, { const: name });
    }
  }
});

test('the example payloads of spec bandwidth §2 validate as printed', () => {
  const user = 'https://api.catapult.inetwork.com/v1/users/u-acme01';
  const examples: Record<string, unknown>[] = [
    { eventType: 'incomingcall', callId: 'c-4hq2wz7kd3ma', callUri: `${user}/calls/c-4hq2wz7kd3ma`, from: '+14045550111', to: '+19195550100', callState: 'active', applicationId: 'a-voice01', time: '2019-03-04T15:20:01.120Z' },
    { eventType: 'answer', callId: 'c-9ptx0v2rnbq', callUri: `${user}/calls/c-9ptx0v2rnbq`, from: '+19195550100', to: '+14045550199', callState: 'active', tag: 'order-7781', time: '2019-03-04T15:21:10.004Z' },
    { eventType: 'timeout', callId: 'c-9ptx0v2rnbq', callUri: `${user}/calls/c-9ptx0v2rnbq`, from: '+19195550100', to: '+14045550199', tag: 'order-7781', time: '2019-03-04T15:22:10.010Z' },
    { eventType: 'hangup', callId: 'c-9ptx0v2rnbq', callUri: `${user}/calls/c-9ptx0v2rnbq`, from: '+19195550100', to: '+14045550199', callState: 'completed', cause: 'NORMAL_CLEARING', time: '2019-03-04T15:25:44.300Z' },
    { eventType: 'hangup', callId: 'c-4hq2wz7kd3ma', callUri: `${user}/calls/c-4hq2wz7kd3ma`, from: '+14045550111', to: '+19195550100', callState: 'completed', cause: 'CALL_REJECTED', time: '2019-03-04T15:20:03.000Z' },
    { eventType: 'playback', callId: 'c-4hq2wz7kd3ma', callUri: `${user}/calls/c-4hq2wz7kd3ma`, status: 'done', tag: 'welcome-file', time: '2019-03-04T15:20:09.500Z' },
    { eventType: 'speak', callId: 'c-4hq2wz7kd3ma', callUri: `${user}/calls/c-4hq2wz7kd3ma`, status: 'started', state: 'PLAYBACK_START', tag: 'greeting', time: '2019-03-04T15:20:02.010Z' },
    { eventType: 'dtmf', callId: 'c-4hq2wz7kd3ma', callUri: `${user}/calls/c-4hq2wz7kd3ma`, dtmfDigit: '7', dtmfDuration: '120', time: '2019-03-04T15:20:15.020Z' },
    { eventType: 'gather', state: 'completed', reason: 'terminating-digit', digits: '4821', callId: 'c-4hq2wz7kd3ma', gatherId: 'g-55ka1', tag: 'pin-entry', time: '2019-03-04T15:20:30.000Z' },
    { eventType: 'recording', callId: 'c-4hq2wz7kd3ma', recordingId: 'rec-2b8f', recordingUri: `${user}/recordings/rec-2b8f`, status: 'complete', state: 'complete', startTime: '2019-03-04T15:20:31.000Z', endTime: '2019-03-04T15:21:02.450Z' },
    { eventType: 'transcription', transcriptionId: 'tr-77q', recordingId: 'rec-2b8f', state: 'completed', status: 'completed', textSize: 41, text: 'Hi, this is Dana, please call me back today.', textUrl: `${user}/media/tr-77q`, transcriptionUri: `${user}/recordings/rec-2b8f/transcriptions/tr-77q` },
    { eventType: 'conference', conferenceId: 'conf-k3d9', conferenceUri: `${user}/conferences/conf-k3d9`, status: 'completed', createdTime: '2019-03-04T16:00:00.000Z', completedTime: '2019-03-04T16:42:10.500Z' },
    { eventType: 'conference-member', activeMembers: 2, conferenceId: 'conf-k3d9', callId: 'c-m2a', memberId: 'member-p4', memberUri: `${user}/conferences/conf-k3d9/members/member-p4`, state: 'active', hold: false, mute: true, time: '2019-03-04T16:05:12.000Z' },
    { eventType: 'conference-speak', conferenceId: 'conf-k3d9', conferenceUri: `${user}/conferences/conf-k3d9`, status: 'started', time: '2019-03-04T16:01:00.000Z' },
  ];
  for (const payload of examples) assert.deepEqual(validator.problems({ name: String(payload.eventType), payload }), []);
});

test('schemas reject what the wire never carries', () => {
  const call = { callId: 'c-1', callUri: 'https://x.test/v1/users/u/calls/c-1', from: '+1', to: '+2', time: '2019-03-04T15:20:01.120Z' };
  const bad: [string, Record<string, unknown>][] = [
    ['hangup', { eventType: 'hangup', ...call, callState: 'completed', cause: 'NORMAL_CLEARING', extra: 1 }],
    ['hangup', { eventType: 'hangup', ...call, callState: 'completed', cause: 'HUNG_UP' }],
    ['hangup', { eventType: 'hangup', ...call, callState: 'active', cause: 'NORMAL_CLEARING' }],
    ['answer', { eventType: 'answer', ...call, callState: 'active', time: '2019-03-04 15:20' }],
    ['speak', { eventType: 'speak', callId: 'c-1', callUri: call.callUri, status: 'done', state: 'PLAYBACK_START', time: call.time }],
    ['dtmf', { eventType: 'dtmf', callId: 'c-1', callUri: call.callUri, dtmfDigit: '12', dtmfDuration: '120', time: call.time }],
    ['conference', { eventType: 'conference', conferenceId: 'k', conferenceUri: 'https://x.test/k', status: 'created', createdTime: call.time, completedTime: call.time }],
    ['conference', { eventType: 'conference', conferenceId: 'k', conferenceUri: 'https://x.test/k', status: 'completed', createdTime: call.time }],
    ['conference-member', { eventType: 'conference-member', activeMembers: -1, conferenceId: 'k', callId: 'c', memberId: 'm', memberUri: 'https://x.test/m', state: 'active', hold: false, mute: false, time: call.time }],
    ['transcription', { eventType: 'transcription', transcriptionId: 't', recordingId: 'r', state: 'error', status: 'error', text: '' }],
    ['transcription', { eventType: 'transcription', transcriptionId: 't', recordingId: 'r', state: 'completed', status: 'completed' }],
    ['sms', { eventType: 'sms', direction: 'in', from: '+1', to: '+2', messageId: 'm', messageUri: 'https://x.test/m', text: '', applicationId: 'a', time: call.time, state: 'received', segmentCount: 0 }],
  ];
  for (const [name, payload] of bad) assert.notDeepEqual(validator.problems({ name, payload }), [], JSON.stringify(payload));
});
