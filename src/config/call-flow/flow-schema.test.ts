import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ajv } from 'ajv';
import * as ajvFormats from 'ajv-formats';
import { callFlowSchema, flowNodeSchemas } from './flow-schema.js';

// The options of src/config/load-config.ts: the schema must embed in the provisioning schema as it is.
const addFormats = ajvFormats.default as unknown as (ajv: Ajv) => Ajv;
const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
const validate = ajv.compile({ type: 'object', additionalProperties: false, properties: { flows: { type: 'array', items: callFlowSchema } } });
const one = (nodes: Record<string, unknown>) => validate({ flows: [{ id: 'f', name: 'F', start: Object.keys(nodes)[0], nodes }] });

test('a node of every kind is accepted', () => {
  const nodes = {
    p: { type: 'playaudio', prompt: { file: 'prompts/hello.wav' }, next: 'm' },
    m: { type: 'menu', prompt: { text: 'Press 1' }, keys: { '1': 'd', '*': 'q', '#': 't' }, timeoutSeconds: 5, retries: 0, timeout: 'h', invalid: 'h' },
    d: { type: 'dial', target: { users: [1, 2] }, strategy: 'longest-idle', timeoutSeconds: 20, answer: 'h', noAnswer: 'v', busy: 'v', failed: 'f' },
    q: { type: 'queue', agents: { ringGroup: 'sales' }, strategy: 'round-robin', music: { file: 'moh.wav' }, announceEverySeconds: 0, maxWaitSeconds: 600, timeout: 'v' },
    t: { type: 'time', timezone: 'Europe/Riga', weekly: [{ days: ['mon'], from: '00:00', to: '24:00' }], holidays: ['2026-12-24'], open: 'f', closed: 'v' },
    v: { type: 'voicemail', mailboxUser: 1 },
    f: { type: 'forward', number: '101' },
    h: { type: 'hangup' },
  };
  assert.equal(one(nodes), true, JSON.stringify(validate.errors));
  assert.deepEqual(Object.keys(flowNodeSchemas).sort(), ['dial', 'forward', 'hangup', 'menu', 'playaudio', 'queue', 'time', 'voicemail']);
});

test('unknown keys are refused at every level', () => {
  assert.equal(validate({ flows: [{ id: 'f', name: 'F', start: 'h', nodes: { h: { type: 'hangup' } }, extra: 1 }] }), false);
  assert.equal(one({ h: { type: 'hangup', next: 'h' } }), false);
  assert.equal(one({ p: { type: 'playaudio', prompt: { file: 'a.wav', volume: 3 } } }), false);
  assert.equal(one({ d: { type: 'dial', target: { users: [1], ringGroup: 'g' } } }), false);
  assert.equal(one({ t: { type: 'time', weekly: [{ days: ['mon'], from: '09:00', to: '17:00', note: 'x' }], open: 't', closed: 't' } }), false);
});

test('ill-formed values are refused', () => {
  const bad: Record<string, unknown>[] = [
    { x: { type: 'ivr' } },
    { p: { type: 'playaudio', prompt: { file: '../secret.wav' } } },
    { p: { type: 'playaudio', prompt: { file: '/etc/passwd' } } },
    { p: { type: 'playaudio', prompt: {} } },
    { m: { type: 'menu', prompt: { text: 'x' }, keys: {} } },
    { m: { type: 'menu', prompt: { text: 'x' }, keys: { '12': 'm' } } },
    { m: { type: 'menu', prompt: { text: 'x' }, keys: { '1': 'm' }, timeoutSeconds: 0 } },
    { d: { type: 'dial', target: { number: '+0123' } } },
    { d: { type: 'dial', target: { users: [] } } },
    { d: { type: 'dial', target: { users: [1] }, strategy: 'random' } },
    { q: { type: 'queue', agents: { number: '+37120000000' } } },
    { t: { type: 'time', weekly: [{ days: ['monday'], from: '09:00', to: '17:00' }], open: 't', closed: 't' } },
    { t: { type: 'time', weekly: [{ days: ['mon'], from: '9:00', to: '17:00' }], open: 't', closed: 't' } },
    { t: { type: 'time', weekly: [], open: 't' } },
    { t: { type: 'time', weekly: [], holidays: ['24.12.2026'], open: 't', closed: 't' } },
    { v: { type: 'voicemail', mailboxUser: 0 } },
    { 'a b': { type: 'hangup' } },
  ];
  for (const nodes of bad) assert.equal(one(nodes), false, JSON.stringify(nodes));
});
