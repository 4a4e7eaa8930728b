/**
 * The fact sequences behind the timelines of spec teltel §5, written with CallScript, with the parties the
 * spec names. Golden tests project them; the times and ids of some are chosen so that the example payloads
 * of spec teltel §3 fall out of them.
 */
import { CallScript, local, phone, sip } from './call-script.js';
import type { CallFact } from '../../src/events/model/facts.js';

export const CALLER = phone('37120000001');
export const DID = phone('37167000000');
export const SIP101 = sip('101', '501');
export const SIP102 = sip('102', '502');
export const EXTERNAL = phone('37129999999');
export const CONTACT = phone('37126666666');
export const PLATFORM = local('37167000000');
const U501 = { id: '501', name: 'Alice' };
const U502 = { id: '502', name: 'Bob' };
const ACCOUNT = { accountId: 'acc-20481', accountcode: '20481' };

export const at = (s: CallScript, iso: string): CallScript => {
  s.now = Date.parse(iso);
  return s;
};

/** §5.1 inbound call to 101, answered, the caller hangs up. Ids/times give the §3 RINGRESULT example. */
export function inboundAnswered(): CallFact[] {
  const s = new CallScript('1715680925.2301', Date.parse('2024-05-14T10:02:07.870Z'));
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-884150', from: CALLER, to: DID, userIds: ['501'] });
  s.leg('in-1', 'caller', CALLER);
  s.leg('d-101', 'callee', SIP101, { user: U501 }).ringing('d-101');
  s.up('d-101'); // RINGRESULT at 10:02:11.870, READY sip:101
  s.up('in-1');
  s.joined('in-1').joined('d-101');
  s.left('in-1').left('d-101').ended('in-1', 'remote').ended('d-101', 'local');
  s.push({ type: 'recording.finished', recordingId: 'r1', conversationId: 'conv-1', url: 'https://recordings.example.net/20481/c-884150.mp3', startedAt: s.now - 3000, status: 'complete', purpose: 'call' });
  return s.end(CALLER, 'normal', 'in-1').facts;
}

/** §5.2 inbound, nobody answers, the call flow ends the call (platform hangup, Q1). */
export function inboundNoAnswer(): CallFact[] {
  const s = new CallScript('1715680930.2302');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-884151', from: CALLER, to: DID, userIds: ['501'] });
  s.leg('in-1', 'caller', CALLER);
  s.leg('d-101', 'callee', SIP101, { user: U501 }).ringing('d-101').wait(20_000).failed('d-101', 'NOANSWER', 480);
  s.ended('in-1', 'local', 'no-answer');
  return s.end(PLATFORM, 'no-answer').facts;
}

/** §5.3 inbound ringing 101 (d1) and 102 (d2) in parallel; 102 answers and later hangs up. */
export function inboundParallel(): CallFact[] {
  const s = new CallScript('1715680940.2303');
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-884152', from: CALLER, to: DID, userIds: ['501', '502'] });
  s.leg('in-1', 'caller', CALLER);
  s.leg('d1', 'callee', SIP101, { user: U501 }).leg('d2', 'callee', SIP102, { user: U502 });
  s.ringing('d1').ringing('d2');
  s.answered('d2').failed('d1', 'CANCEL', 487).media('d2');
  s.up('in-1').joined('in-1').joined('d2');
  s.left('d2').left('in-1').ended('d2', 'remote').ended('in-1', 'local');
  return s.end(SIP102, 'normal', 'd2').facts;
}

/** §5.4 inbound to a call flow that only plays audio. Ids/times give the §3 READY example. */
export function inboundPlayaudio(): CallFact[] {
  const s = new CallScript('1715681740.2355', Date.parse('2024-05-14T10:15:37.300Z'));
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-884162', from: CALLER, to: DID });
  s.leg('in-1', 'caller', CALLER).up('in-1'); // READY at 10:15:40.300
  s.push({ type: 'playback.started', playbackId: 'p1', target: { legId: 'in-1' }, source: 'file' });
  s.push({ type: 'playback.finished', playbackId: 'p1', target: { legId: 'in-1' }, source: 'file', outcome: 'done' });
  s.ended('in-1', 'remote');
  return s.end(CALLER, 'normal', 'in-1').facts;
}

/** §5.5 outbound from 101 to 37129999999, answered, the callee hangs up. Gives the §3 START, JOIN, LEAVE and
 *  COMPLETED examples. */
export function outboundAnswered(): CallFact[] {
  const s = new CallScript('1715678467.1842'); // starts 2024-05-14T09:21:07.120Z
  s.start({ ...ACCOUNT, kind: 'outbound', callId: 'c-884120', from: SIP101, to: EXTERNAL, user: U501, userIds: ['501'] });
  s.leg('out-1', 'caller', SIP101, { user: U501 });
  s.leg('d-ext', 'callee', EXTERNAL).ringing('d-ext');
  s.up('d-ext').up('out-1');
  at(s, '2024-05-14T09:21:19.455Z').joined('out-1').joined('d-ext');
  at(s, '2024-05-14T09:24:02.010Z').left('d-ext');
  at(s, '2024-05-14T09:24:02.100Z').left('out-1');
  at(s, '2024-05-14T09:24:02.150Z').ended('d-ext', 'remote');
  at(s, '2024-05-14T09:24:02.200Z').ended('out-1', 'local');
  at(s, '2024-05-14T09:24:02.300Z').push({ type: 'recording.finished', recordingId: 'r1', conversationId: 'conv-1', url: 'https://recordings.example.net/20481/c-884120.mp3', startedAt: Date.parse('2024-05-14T09:21:19.455Z'), status: 'complete', purpose: 'call' });
  return at(s, '2024-05-14T09:24:02.350Z').end(EXTERNAL, 'normal', 'd-ext').facts;
}

const CALLBACK = { leg1Number: '37126666666', leg1CallerId: '37167000000', leg2Number: '101', leg2CallerId: '37126666666', traceId: 'crm-7781' };

type CallbackVariant = 'answered' | 'leg-1-fails' | 'operator-no-answer';

/** §5.6 callback / click-to-call: contact first, then operator 101, and its bullet variants. */
export function callback(variant: CallbackVariant): CallFact[] {
  const s = new CallScript('1715690000.3001', Date.parse('2024-05-14T11:13:20.000Z'));
  s.start({ ...ACCOUNT, kind: 'originate', callId: 'c-884200', from: local(), to: CONTACT, user: U501, userIds: ['501'], callback: CALLBACK });
  s.leg('c', 'contact', CONTACT, { callerId: '37167000000' }).ringing('c');
  if (variant === 'leg-1-fails') return s.failed('c', 'NOANSWER', 480).end(PLATFORM, 'normal').facts;
  s.up('c');
  s.leg('o', 'operator', SIP101, { callerId: '37126666666', user: U501 }).ringing('o');
  if (variant === 'operator-no-answer') return s.failed('o', 'NOANSWER', 480).ended('c', 'local').end(PLATFORM, 'normal').facts;
  s.up('o').joined('c').joined('o');
  s.left('o').left('c').ended('o', 'remote').ended('c', 'local');
  return s.end(SIP101, 'normal', 'o').facts;
}

/** §5.6 last bullet: leg 1 is a SIP number. */
export function callbackOperatorFirst(): CallFact[] {
  const s = new CallScript('1715690100.3002', Date.parse('2024-05-14T11:15:00.000Z'));
  const cb = { leg1Number: '101', leg1CallerId: '37167000000', leg2Number: '37126666666', leg2CallerId: '37167000000' };
  s.start({ ...ACCOUNT, kind: 'originate', callId: 'c-884201', from: local(), to: SIP101, user: U501, userIds: ['501'], callback: cb });
  s.leg('o', 'operator', SIP101, { user: U501 }).failed('o', 'CHANUNAVAIL');
  return s.end(PLATFORM, 'normal').facts;
}

/** §5.7 predictive autodialer: the contact answers and is joined alone, then 101 and 102 ring in parallel.
 *  Ids/times give the §3 RING example. */
export function autodialerPredictive(): CallFact[] {
  const s = new CallScript('1715679002.2210', Date.parse('2024-05-14T09:29:56.004Z'));
  s.start({ ...ACCOUNT, kind: 'dialer', callId: 'c-884131', from: local(), to: CONTACT, userIds: ['501', '502'], dialer: { campaignId: 312, contactId: 90215, mode: 'predictive' } });
  s.leg('c', 'contact', CONTACT).ringing('c').up('c').joined('c');
  s.leg('o-101', 'operator', SIP101, { user: U501 }).leg('o-102', 'operator', SIP102, { user: U502 }); // 09:30:02.004
  s.answered('o-101').failed('o-102', 'CANCEL', 487).media('o-101').joined('o-101');
  s.left('c').left('o-101').ended('c', 'remote').ended('o-101', 'local');
  s.push({ type: 'recording.finished', recordingId: 'r1', conversationId: 'conv-1', url: 'https://recordings.example.net/20481/c-884131.mp3', startedAt: s.now - 2000, status: 'complete', purpose: 'call' });
  return s.end(CONTACT, 'normal', 'c').facts;
}

/** §5.7 `contact-callflow`: the contact answers and is handed to a call flow; no operator leg. */
export function autodialerContactCallflow(): CallFact[] {
  const s = new CallScript('1715679100.2211', Date.parse('2024-05-14T09:31:40.000Z'));
  s.start({ ...ACCOUNT, kind: 'dialer', callId: 'c-884132', from: local(), to: CONTACT, dialer: { campaignId: 313, contactId: 90216, mode: 'contact-callflow' } });
  s.leg('c', 'contact', CONTACT).ringing('c').up('c');
  s.push({ type: 'playback.started', playbackId: 'p1', target: { legId: 'c' }, source: 'speech' });
  s.push({ type: 'playback.finished', playbackId: 'p1', target: { legId: 'c' }, source: 'speech', outcome: 'done' });
  s.ended('c', 'remote');
  return s.end(CONTACT, 'normal', 'c').facts;
}

/** §5.7 `operator-contact`: operator 101 first (joined alone), then the contact. */
export function autodialerOperatorContact(): CallFact[] {
  const s = new CallScript('1715679200.2212', Date.parse('2024-05-14T09:33:20.000Z'));
  s.start({ ...ACCOUNT, kind: 'dialer', callId: 'c-884133', from: local(), to: SIP101, user: U501, userIds: ['501'], dialer: { campaignId: 314, contactId: 90217, mode: 'operator-contact' } });
  s.leg('o', 'operator', SIP101, { user: U501 }).ringing('o').up('o').joined('o');
  s.leg('c', 'contact', CONTACT).ringing('c').up('c').joined('c');
  s.left('o').left('c').ended('o', 'remote').ended('c', 'local');
  return s.end(SIP101, 'normal', 'o').facts;
}

/** §5.8 session A: 5.1 until both are talking, then 101 blind-transfers: 101 leaves first. */
export function transferSessionA(): CallFact[] {
  const s = new CallScript('1715682000.2400', Date.parse('2024-05-14T10:20:00.000Z'));
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-884170', from: CALLER, to: DID, userIds: ['501'] });
  s.leg('in-1', 'caller', CALLER);
  s.leg('d-101', 'callee', SIP101, { user: U501 }).ringing('d-101').up('d-101').up('in-1');
  s.joined('in-1').joined('d-101');
  s.left('d-101').left('in-1').ended('d-101', 'remote').ended('in-1', 'local');
  s.push({ type: 'recording.finished', recordingId: 'rA', conversationId: 'conv-1', url: 'https://recordings.example.net/20481/c-884170-a.mp3', startedAt: s.now - 3000, status: 'complete', purpose: 'call' });
  return s.end(SIP101, 'normal', 'd-101').facts;
}

/** §5.8 session B: the transferred caller (already answered in session A) is connected to 102. As the spec's
 *  timeline shows, no READY for the caller: its media path carried over, so no `leg.media-ready` here. */
export function transferSessionB(): CallFact[] {
  const s = new CallScript('1715682060.2401', Date.parse('2024-05-14T10:21:00.000Z'));
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-884171', from: CALLER, to: SIP102, userIds: ['502'], transferOf: { sessionId: '1715682000.2400', callId: 'c-884170' } });
  s.leg('in-1', 'caller', CALLER);
  s.leg('d-102', 'callee', SIP102, { user: U502 }).ringing('d-102').up('d-102');
  s.joined('in-1').joined('d-102');
  s.left('in-1').left('d-102').ended('in-1', 'remote').ended('d-102', 'local');
  return s.end(CALLER, 'normal', 'in-1').facts;
}

/** §5.9 outbound from 101, the phone is busy, 101 hangs up. */
export function outboundBusy(): CallFact[] {
  const s = new CallScript('1715683000.2500', Date.parse('2024-05-14T10:36:40.000Z'));
  s.start({ ...ACCOUNT, kind: 'outbound', callId: 'c-884180', from: SIP101, to: EXTERNAL, user: U501, userIds: ['501'] });
  s.leg('out-1', 'caller', SIP101, { user: U501 });
  s.leg('d-ext', 'callee', EXTERNAL).failed('d-ext', 'BUSY', 486);
  s.ended('out-1', 'remote');
  return s.end(SIP101, 'normal', 'out-1').facts;
}

/** §5.10 inbound, the caller hangs up while 101 is ringing. */
export function inboundCallerCancels(): CallFact[] {
  const s = new CallScript('1715683100.2501', Date.parse('2024-05-14T10:38:20.000Z'));
  s.start({ ...ACCOUNT, kind: 'inbound', callId: 'c-884181', from: CALLER, to: DID, userIds: ['501'] });
  s.leg('in-1', 'caller', CALLER);
  s.leg('d-101', 'callee', SIP101, { user: U501 }).ringing('d-101').failed('d-101', 'CANCEL', 487);
  s.ended('in-1', 'remote', 'originator-cancel');
  return s.end(CALLER, 'originator-cancel', 'in-1').facts;
}
