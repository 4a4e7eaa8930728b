/**
 * Voice-API texts end to end (spec bandwidth §3.10, §2.16, §1.1): sipp as the carrier — a SIP MESSAGE in
 * from 127.0.0.2 to a number linked to an application, and receiving the texts `POST /messages` sends over
 * the account's trunk — and a real HTTP receiver as the application's `incomingMessageUrl` and as the
 * messages' `callbackUrl`. The `sms` callbacks are asserted field by field.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import { CARRIER_IP, sipp, type Sipp } from '../support/sipp-calls.js';
import { CALLER, USER, callbacks, voiceSetup, waitForCallback } from './support.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'messaging', 'scenarios');
const skip = missingTool('sipp', 'sip-tester');
const NUMBER = '+15550100';
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

type T = Parameters<typeof voiceSetup>[0];

/** The carrier's receiving side of one outgoing text, in the background (test/messaging's scenario). */
function carrierReceiving(t: T, port: number): Promise<Sipp> {
  return sipp(t, 'carrier-receives.xml', '', { dir: SCENARIOS, from: CARRIER_IP, port, timeoutSec: 15 });
}

test('a text from the carrier to a number linked to an application: sms to its incomingMessageUrl, and GET /messages reads it', { skip }, async (t) => {
  const { r, receiver, sipTarget, api } = await voiceSetup(t);
  const appId = await api.create('applications', { name: 'Texts', incomingMessageUrl: receiver.url('/sms-in'), callbackHttpMethod: 'POST' });
  await api.update(`phoneNumbers/${encodeURIComponent(NUMBER)}`, { applicationId: appId });

  const s = await sipp(t, 'carrier-sms-in.xml', sipTarget, { dir: SCENARIOS, from: CARRIER_IP, keys: { to: NUMBER, from: CALLER, text: 'Is the house still for sale?' } });
  assert.equal(s.run.code, 0, s.run.stdout + s.run.stderr);
  const sms = await waitForCallback(receiver, (e) => e.eventType === 'sms', 'sms at the application');
  const messageId = String(sms.messageId);
  assert.deepEqual(sms, {
    eventType: 'sms',
    direction: 'in',
    from: CALLER,
    to: NUMBER,
    messageId,
    messageUri: `${r.publicUrl}/v1/users/${USER}/messages/${messageId}`,
    text: 'Is the house still for sale?',
    applicationId: appId,
    time: sms.time,
    state: 'received',
    segmentCount: 1,
  });
  assert.match(String(sms.time), ISO_MS);
  const q = receiver.requests.find((x) => x.url === '/sms-in')!;
  assert.equal(q.method, 'POST');
  assert.match(String(q.headers['content-type']), /^application\/json/);
  assert.match(String(q.headers['user-agent']), /^BandwidthAPI\/v1 /);

  // The messageUri is what GET takes.
  const got = await api.call('GET', `messages/${messageId}`);
  assert.equal(got.status, 200);
  assert.deepEqual(got.body, { id: messageId, messageId, from: CALLER, to: NUMBER, direction: 'in', text: 'Is the house still for sale?', media: [], state: 'received', time: sms.time, applicationId: appId, segmentCount: 1 });
  const list = await api.call('GET', 'messages');
  assert.deepEqual((list.body as { id: string }[]).map((m) => m.id), [messageId]);
});

test('POST /messages through the carrier: the MESSAGE goes out on the trunk, and sms (state sent, the tag) reaches the callbackUrl', { skip }, async (t) => {
  const { r, receiver, carrierPort, api } = await voiceSetup(t);
  const carrier = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const made = await api.call('POST', 'messages', { from: NUMBER, to: CALLER, text: 'Your showing is at 3pm', tag: 'showing-12', callbackUrl: receiver.url('/msg'), receiptRequested: 'all' });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  const location = made.headers.get('location')!;
  const messageId = location.split('/').pop()!;
  assert.equal(location, `${r.publicUrl}/v1/users/${USER}/messages/${messageId}`);
  const c = await carrier;
  assert.equal(c.run.code, 0, c.run.stdout + c.run.stderr);
  assert.match(c.messages, /MESSAGE sip:\+15557654321@127\.0\.0\.2/);
  assert.match(c.messages, /From: <sip:\+15550100@/);
  assert.match(c.messages, /Your showing is at 3pm/);

  const sms = await waitForCallback(receiver, (e) => e.eventType === 'sms' && e.messageId === messageId, 'sms at the callbackUrl');
  assert.deepEqual(sms, {
    eventType: 'sms',
    direction: 'out',
    from: NUMBER,
    to: CALLER,
    messageId,
    messageUri: location,
    text: 'Your showing is at 3pm',
    time: sms.time,
    state: 'sent',
    segmentCount: 1,
    tag: 'showing-12',
  }, 'no applicationId: +15550100 is linked to none here');
  assert.match(String(sms.time), ISO_MS);
  assert.ok(receiver.requests.filter((x) => x.url === '/msg').length === 1, 'one sms, at the message’s callbackUrl');
  const got = (await api.call('GET', `messages/${messageId}`)).body as Record<string, unknown>;
  assert.equal(got.state, 'sent');
  assert.equal(got.tag, 'showing-12');
  assert.equal(got.callbackUrl, receiver.url('/msg'));
});

test('the array form: one good and one bad item → 202, accepted with a location and error in the provider shape; only the good one is sent', { skip }, async (t) => {
  const { receiver, carrierPort, api } = await voiceSetup(t);
  const carrier = carrierReceiving(t, carrierPort);
  await new Promise((res) => setTimeout(res, 300));
  const a = await api.call('POST', 'messages', [
    { from: NUMBER, to: CALLER, text: 'first', tag: 'batch-1', callbackUrl: receiver.url('/batch') },
    { from: '+15559990000', to: CALLER, text: 'not our number' },
  ]);
  assert.equal(a.status, 202, JSON.stringify(a.body));
  const [good, bad] = a.body as Record<string, unknown>[];
  assert.equal(good!.result, 'accepted');
  const messageId = String(good!.location).split('/').pop()!;
  assert.deepEqual(bad, { result: 'error', error: { category: 'bad-request', code: 'invalid-from-number', message: "'from' +15559990000 is not one of this account's numbers", details: [{ name: 'from', value: '+15559990000' }] } });
  const c = await carrier;
  assert.equal(c.run.code, 0, c.run.stdout + c.run.stderr);
  assert.match(c.messages, /first/);
  const sms = await waitForCallback(receiver, (e) => e.eventType === 'sms', 'sms of the accepted item');
  assert.equal(sms.messageId, messageId);
  assert.equal(sms.state, 'sent');
  assert.equal(sms.tag, 'batch-1');
  assert.equal(callbacks(receiver).length, 1);
});
