import { test } from 'node:test';
import assert from 'node:assert/strict';
import { carrierNumber, classifyDialled, outgoingCallerId, toE164, trunkForSource } from './dial-plan.js';
import type { TrunkRecord } from '../store/store.js';

test('numbers: E.164, 10 and 11 North American digits; anything else is not a number', () => {
  assert.equal(toE164('+15557654321'), '+15557654321');
  assert.equal(toE164('5557654321'), '+15557654321');
  assert.equal(toE164('15557654321'), '+15557654321');
  assert.equal(toE164('(555) 765-4321'), '+15557654321');
  assert.equal(toE164('101'), undefined);
  assert.equal(carrierNumber('441632960961'), '+441632960961', 'E.164 without the plus');
  assert.equal(carrierNumber('anonymous'), 'anonymous');
});

test('what a device dialled: extensions/PINs are internal, numbers external', () => {
  assert.deepEqual(classifyDialled('102'), { kind: 'extension', digits: '102' });
  assert.deepEqual(classifyDialled('1102'), { kind: 'extension', digits: '1102' });
  assert.deepEqual(classifyDialled('5557654321'), { kind: 'external', number: '+15557654321' });
  assert.deepEqual(classifyDialled('+442079460000'), { kind: 'external', number: '+442079460000' });
  assert.deepEqual(classifyDialled('00442079460000'), { kind: 'external', number: '+442079460000' });
  assert.equal(classifyDialled('alice').kind, 'invalid');
});

test('outgoing caller ID: own setting, then own number if the account has it, then the account default', () => {
  const numbers = ['+15550100', '+15550101'];
  assert.equal(outgoingCallerId({ outgoingCallerId: '+15550199', phoneNumber: '+15550101' }, numbers, '+15550100'), '+15550199');
  assert.equal(outgoingCallerId({ phoneNumber: '+15550101' }, numbers, '+15550100'), '+15550101');
  assert.equal(outgoingCallerId({ phoneNumber: '+15557777777' }, numbers, '+15550100'), '+15550100', 'a number the account does not own');
  assert.equal(outgoingCallerId({}, numbers, undefined), '+15550100', 'no default: the first account number');
});

test('a trunk is recognised by its inbound addresses, else its host', () => {
  const t = (name: string, host: string, inboundAddresses: string[]): TrunkRecord => ({ name, host, port: 5060, transport: 'udp', inboundAddresses, register: false, registerExpiresSeconds: 3600 });
  const trunks = [t('a', '127.0.0.2', []), t('b', 'sip.example', ['192.0.2.7'])];
  assert.equal(trunkForSource(trunks, '127.0.0.2')?.name, 'a');
  assert.equal(trunkForSource(trunks, '192.0.2.7')?.name, 'b');
  assert.equal(trunkForSource(trunks, '127.0.0.1'), undefined);
});
