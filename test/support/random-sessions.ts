/**
 * Random valid sessions for property tests: a tiny simulated switch that, from a seed, plays one call
 * (or one text) of any kind Ringside handles and writes the facts in the order the real switch guarantees
 * (see the header of src/events/facts.ts). Dialect invariants are checked over thousands of these.
 */
import fc from 'fast-check';
import { CallScript, local, phone, sip } from './call-script.js';
import type { DialResult, Fact, LineRef, Party, SessionKind, UserRef } from '../../src/events/model/facts.js';

/** Deterministic PRNG (mulberry32), so a failing seed replays exactly. */
export class Rng {
  #s: number;
  constructor(seed: number) {
    this.#s = seed >>> 0;
  }
  next(): number {
    let t = (this.#s = (this.#s + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.next() * xs.length)]!;
  }
}

const USERS: (UserRef & { ext: string })[] = [
  { id: '501', name: 'Alice', username: 'alice@demo.test', pin: '1101', ext: '101' },
  { id: '502', name: 'Bob', username: 'bob@demo.test', pin: '1102', ext: '102' },
  { id: '503', name: 'Carol', username: 'carol@demo.test', pin: '1103', ext: '103' },
];
const LINE: LineRef = { id: 'line-1', name: 'Main', number: '+15550100' };
const FAILURES: Exclude<DialResult, 'ANSWER' | 'CANCEL'>[] = ['BUSY', 'NOANSWER', 'CONGESTION', 'CHANUNAVAIL'];
const userRef = (u: UserRef & { ext: string }): UserRef => ({ id: u.id, name: u.name!, username: u.username!, pin: u.pin! });
const device = (u: UserRef & { ext: string }): Party => sip(u.ext, u.id, u.name);

interface Target {
  legId: string;
  party: Party;
  user?: UserRef;
  state: 'ringing' | 'up' | 'done';
}

/** One random session's facts. */
export function randomSession(seed: number): Fact[] {
  const rng = new Rng(seed);
  const sessionId = `s${(seed >>> 0).toString(16).padStart(8, '0')}`;
  const kind = rng.pick<SessionKind | 'message'>(['inbound', 'inbound', 'outbound', 'internal', 'originate', 'dialer', 'application', 'message']);
  if (kind === 'message') return randomMessage(rng, sessionId);
  const s = new CallScript(sessionId, Date.UTC(2024, 4, 14, 9, 0, 0) + rng.int(0, 86_400_000), rng.int(1, 3000));
  let legSeq = 0;
  const legId = () => `${sessionId}.${++legSeq}`;
  const base = { accountId: 'acc-1', accountcode: 'demo', callId: `1715678467.${seed >>> 0}` };
  const caller = phone(`+1555${rng.int(1000000, 9999999)}`);
  const recording = rng.chance(0.4);
  const conv = 'conv-1';

  /** Bridge the caller leg (if any) and the winner, talk, hang up, record. Returns who hung up. */
  const talk = (a: { legId: string; party: Party }, b: { legId: string; party: Party }, aFirst = true) => {
    const order = aFirst ? [a, b] : [b, a];
    for (const x of order) s.joined(x.legId, conv);
    if (rng.chance(0.3)) s.dtmf(rng.pick([a, b]).legId, rng.pick(['1', '2', '#', '*']));
    if (rng.chance(0.2)) s.push({ type: 'leg.held', legId: a.legId, held: true }).push({ type: 'leg.held', legId: a.legId, held: false });
    const hanger = rng.chance(0.5) ? a : b;
    const other = hanger === a ? b : a;
    s.wait(rng.int(1000, 60_000));
    s.left(hanger.legId, conv).left(other.legId, conv);
    s.ended(hanger.legId, 'remote').ended(other.legId, 'local');
    if (recording)
      s.push({ type: 'recording.finished', recordingId: `rec-${sessionId}`, conversationId: conv, url: `http://127.0.0.1:8080/recordings/rec-${sessionId}.wav`, startedAt: s.now - 30_000, status: 'complete', purpose: 'call' });
    return hanger;
  };

  /** Ring targets in parallel; returns the winner, or undefined (with the reason) when none connected. */
  const ringTargets = (targets: Target[], opts: { confirm: boolean; agentPin: boolean; callerLeg?: string }): { winner?: Target; cancelled: boolean } => {
    for (const t of targets) s.leg(t.legId, t.party.kind === 'sip' && opts.callerLeg === undefined ? 'operator' : 'callee', t.party, t.user ? { user: t.user } : {});
    for (const t of targets) if (rng.chance(0.8)) s.ringing(t.legId);
    const live = () => targets.filter((t) => t.state !== 'done');
    while (live().length > 0) {
      const t = rng.pick(live());
      const roll = rng.next();
      if (opts.callerLeg && roll < 0.12) {
        // The caller gives up: every leg still ringing or prompting is cancelled.
        for (const x of live()) {
          if (x.state === 'ringing') s.failed(x.legId, 'CANCEL', 487);
          else {
            if (opts.confirm) s.push({ type: 'confirm.rejected', legId: x.legId, reason: 'hangup' });
            s.ended(x.legId, 'local', 'originator-cancel');
          }
          x.state = 'done';
        }
        s.ended(opts.callerLeg, 'remote', 'originator-cancel');
        return { cancelled: true };
      }
      if (t.state === 'ringing' && roll < 0.45) {
        s.failed(t.legId, rng.pick(FAILURES), rng.pick([486, 408, 503, 480]));
        t.state = 'done';
        continue;
      }
      if (t.state === 'ringing') {
        s.up(t.legId);
        t.state = 'up';
        if (opts.confirm) {
          s.push({ type: 'confirm.prompted', legId: t.legId });
          if (rng.chance(0.4)) {
            s.push({ type: 'confirm.rejected', legId: t.legId, reason: rng.pick(['wrong-key', 'timeout', 'hangup'] as const) });
            s.ended(t.legId, 'local', 'rejected');
            t.state = 'done';
            continue;
          }
          // Others may also be waiting: they are prompted too before this one accepts.
          continue;
        }
        return { winner: finishWinner(t, targets, opts), cancelled: false };
      }
      // t is up and prompting (confirm): accept now.
      s.push({ type: 'confirm.accepted', legId: t.legId, digit: '1' });
      return { winner: finishWinner(t, targets, opts), cancelled: false };
    }
    return { cancelled: false };
  };

  const finishWinner = (w: Target, targets: Target[], opts: { confirm: boolean }): Target => {
    for (const x of targets) {
      if (x === w || x.state === 'done') continue;
      if (x.state === 'ringing') s.failed(x.legId, 'CANCEL', 487);
      else {
        if (opts.confirm) s.push({ type: 'confirm.rejected', legId: x.legId, reason: 'other-accepted' });
        s.ended(x.legId, 'local', 'normal');
      }
      x.state = 'done';
    }
    return w;
  };

  switch (kind) {
    case 'inbound': {
      const did = phone(LINE.number);
      const members = USERS.slice(0, rng.int(1, 3));
      s.start({ ...base, kind: 'inbound', from: caller, to: did, line: LINE, userIds: members.map((u) => u.id) });
      const callerLeg = legId();
      s.leg(callerLeg, 'caller', caller);
      const mode = rng.pick(['ring', 'ring', 'ring', 'forward', 'voicemail', 'playaudio', 'agentpin'] as const);
      if (mode === 'playaudio' || mode === 'voicemail') {
        s.up(callerLeg);
        if (mode === 'voicemail') {
          s.push({ type: 'voicemail.started', legId: callerLeg, mailboxUserId: members[0]!.id });
          s.push({ type: 'recording.finished', recordingId: `vm-${sessionId}`, legId: callerLeg, url: `http://127.0.0.1:8080/recordings/vm-${sessionId}.wav`, startedAt: s.now, status: 'complete', purpose: 'voicemail' });
        } else {
          s.push({ type: 'playback.started', playbackId: 'p1', target: { legId: callerLeg }, source: 'speech' });
          s.push({ type: 'playback.finished', playbackId: 'p1', target: { legId: callerLeg }, source: 'speech', outcome: 'done' });
        }
        const byCaller = rng.chance(0.6);
        s.ended(callerLeg, byCaller ? 'remote' : 'local');
        s.end(byCaller ? caller : local(LINE.number), 'normal', byCaller ? callerLeg : undefined);
        break;
      }
      const confirm = mode === 'ring' && rng.chance(0.4);
      const agentPin = mode === 'agentpin';
      const targets: Target[] =
        mode === 'forward' || agentPin
          ? Array.from({ length: agentPin ? 1 : rng.int(1, 3) }, () => ({ legId: legId(), party: phone(`+1555777${rng.int(1000, 9999)}`), state: 'ringing' as const }))
          : members.map((u) => ({ legId: legId(), party: device(u), user: userRef(u), state: 'ringing' as const }));
      const r = ringTargets(targets, { confirm, agentPin, callerLeg });
      if (r.cancelled) {
        s.end(caller, 'originator-cancel', callerLeg);
        break;
      }
      if (!r.winner) {
        // Nobody answered: voicemail fallback or the platform ends the call.
        if (rng.chance(0.5)) {
          s.up(callerLeg);
          s.push({ type: 'voicemail.started', legId: callerLeg, mailboxUserId: members[0]!.id });
          if (rng.chance(0.8))
            s.push({ type: 'recording.finished', recordingId: `vm-${sessionId}`, legId: callerLeg, url: `http://127.0.0.1:8080/recordings/vm-${sessionId}.wav`, startedAt: s.now, status: 'complete', purpose: 'voicemail' });
          s.ended(callerLeg, 'remote');
          s.end(caller, 'normal', callerLeg);
        } else {
          s.ended(callerLeg, 'local', 'no-answer');
          s.end(local(LINE.number), 'no-answer');
        }
        break;
      }
      const w = r.winner;
      if (agentPin) {
        const prompts = rng.int(1, 3);
        for (let i = 1; i <= prompts; i++) s.push({ type: 'agentpin.prompted', legId: w.legId, attempt: i });
        if (rng.chance(0.3)) {
          s.push({ type: 'agentpin.timeout', legId: w.legId });
          s.ended(w.legId, 'local').ended(callerLeg, 'local');
          s.end(local(LINE.number), 'normal');
          break;
        }
        const u = rng.pick(USERS);
        s.push({ type: 'agentpin.valid', legId: w.legId, pin: u.pin!, user: userRef(u) });
      }
      s.up(callerLeg);
      const hanger = talk({ legId: callerLeg, party: caller }, w, true);
      s.end(hanger.party, 'normal', hanger.legId);
      break;
    }
    case 'outbound':
    case 'internal': {
      const me = rng.pick(USERS);
      const others = USERS.filter((u) => u !== me);
      const callee = kind === 'outbound' ? phone(`+1555999${rng.int(1000, 9999)}`) : device(rng.pick(others));
      s.start({ ...base, kind, from: device(me), to: callee, user: userRef(me), userIds: [me.id, ...(callee.userId ? [callee.userId] : [])] });
      const callerLeg = legId();
      s.leg(callerLeg, 'caller', device(me), { user: userRef(me) });
      const t: Target = { legId: legId(), party: callee, state: 'ringing' };
      if (callee.userId) t.user = userRef(USERS.find((u) => u.id === callee.userId)!);
      const r = ringTargets([t], { confirm: false, agentPin: false, callerLeg });
      if (r.cancelled) {
        s.end(device(me), 'originator-cancel', callerLeg);
        break;
      }
      if (!r.winner) {
        s.ended(callerLeg, 'remote');
        s.end(device(me), 'normal', callerLeg);
        break;
      }
      s.up(callerLeg);
      const hanger = talk(t, { legId: callerLeg, party: device(me) }, false);
      s.end(hanger.party, 'normal', hanger.legId);
      break;
    }
    case 'originate':
    case 'dialer': {
      const op = rng.pick(USERS);
      const contact = phone(`+1555666${rng.int(1000, 9999)}`);
      const opFirst = kind === 'originate' ? rng.chance(0.5) : rng.chance(0.2);
      const first: Party = opFirst ? device(op) : contact;
      const second: Party = opFirst ? contact : device(op);
      const start = { ...base, kind, from: local(), to: first, user: userRef(op), userIds: [op.id] };
      if (kind === 'originate')
        s.start({ ...start, callback: { leg1Number: first.number, leg1CallerId: LINE.number, leg2Number: second.number, leg2CallerId: contact.number, traceId: `trace-${seed >>> 0}` } });
      else s.start({ ...start, dialer: { campaignId: 312, contactId: rng.int(1, 99999), mode: opFirst ? 'operator-contact' : 'predictive' } });
      const a: Target = { legId: legId(), party: first, state: 'ringing' };
      if (opFirst) a.user = userRef(op);
      s.leg(a.legId, opFirst ? 'operator' : 'contact', first, a.user ? { user: a.user } : {});
      if (rng.chance(0.8)) s.ringing(a.legId);
      if (rng.chance(0.25)) {
        s.failed(a.legId, rng.pick([...FAILURES, 'ABORT' as const]), 486);
        s.end(local(), 'normal');
        break;
      }
      s.up(a.legId);
      const alone = kind === 'dialer' && rng.chance(0.7);
      if (alone) s.joined(a.legId, conv);
      const b: Target = { legId: legId(), party: second, state: 'ringing' };
      if (!opFirst) b.user = userRef(op);
      s.leg(b.legId, opFirst ? 'contact' : 'operator', second, b.user ? { user: b.user } : {});
      if (rng.chance(0.8)) s.ringing(b.legId);
      if (rng.chance(0.25)) {
        s.failed(b.legId, rng.pick(FAILURES), 480);
        if (alone) s.left(a.legId, conv);
        s.ended(a.legId, 'local');
        s.end(local(), 'normal');
        break;
      }
      s.up(b.legId);
      if (!alone) s.joined(a.legId, conv);
      s.joined(b.legId, conv);
      const hanger = rng.chance(0.5) ? a : b;
      const other = hanger === a ? b : a;
      s.wait(rng.int(1000, 30_000));
      s.left(hanger.legId, conv).left(other.legId, conv).ended(hanger.legId, 'remote').ended(other.legId, 'local');
      if (recording)
        s.push({ type: 'recording.finished', recordingId: `rec-${sessionId}`, conversationId: conv, url: `http://127.0.0.1:8080/recordings/rec-${sessionId}.wav`, startedAt: s.now - 30_000, status: 'complete', purpose: 'call' });
      s.end(hanger.party, 'normal', hanger.legId);
      break;
    }
    case 'application': {
      const callTag = rng.chance(0.5) ? 'order-7781' : undefined;
      const application: { id: string; userId: string; tag?: string } = { id: 'a-voice01', userId: 'u-acme01' };
      if (callTag !== undefined) application.tag = callTag;
      const inbound = rng.chance(0.5);
      const num = phone('+19195550100');
      s.start({ ...base, kind: 'application', from: inbound ? caller : num, to: inbound ? num : phone('+14045550199'), application });
      const leg = legId();
      s.leg(leg, inbound ? 'caller' : 'callee', inbound ? caller : phone('+14045550199'), application.tag ? { tag: application.tag } : {});
      if (!inbound) {
        if (rng.chance(0.3)) {
          s.failed(leg, rng.pick(['BUSY', 'NOANSWER', 'CONGESTION', 'DONTCALL'] as const), 486);
          s.end(local('+19195550100'), 'normal');
          break;
        }
        s.up(leg);
      } else {
        if (rng.chance(0.2)) {
          s.ended(leg, rng.chance(0.5) ? 'local' : 'remote', rng.chance(0.5) ? 'rejected' : 'originator-cancel');
          s.end(caller, 'rejected', leg);
          break;
        }
        s.up(leg);
      }
      const ops = rng.int(0, 4);
      for (let i = 0; i < ops; i++) {
        const op = rng.pick(['speak', 'play', 'gather', 'dtmf', 'record', 'conference'] as const);
        const tag = rng.chance(0.5) ? `t${i}` : undefined;
        const withTag = <T extends object>(o: T) => (tag === undefined ? o : { ...o, tag });
        if (op === 'speak' || op === 'play') {
          const source = op === 'speak' ? ('speech' as const) : ('file' as const);
          s.push(withTag({ type: 'playback.started' as const, playbackId: `pb${i}`, target: { legId: leg }, source }));
          s.push(withTag({ type: 'playback.finished' as const, playbackId: `pb${i}`, target: { legId: leg }, source, outcome: rng.pick(['done', 'stopped'] as const) }));
        } else if (op === 'gather') {
          const digits = String(rng.int(0, 9999));
          for (const d of digits) s.dtmf(leg, d);
          s.push(withTag({ type: 'gather.completed' as const, legId: leg, gatherId: `g-${i}`, digits, reason: rng.pick(['max-digits', 'terminating-digit', 'inter-digit-timeout'] as const) }));
        } else if (op === 'dtmf') {
          s.dtmf(leg, rng.pick(['0', '5', '9', '#']));
        } else if (op === 'record') {
          const started = s.now;
          s.wait(5000);
          s.push({ type: 'recording.finished', recordingId: `rec-${i}`, legId: leg, url: `http://127.0.0.1:8080/recordings/rec-${i}.wav`, startedAt: started, status: 'complete', purpose: 'call' });
          if (rng.chance(0.5)) s.push({ type: 'transcription.finished', transcriptionId: `tr-${i}`, recordingId: `rec-${i}`, status: 'completed', text: 'hello there', textUrl: `http://127.0.0.1:8080/media/tr-${i}` });
        } else {
          const cid = `conf-${i}`;
          const created = s.now;
          s.push(withTag({ type: 'conference.created' as const, conferenceId: cid }));
          s.joined(leg, cid);
          s.push({ type: 'conference.member', conferenceId: cid, memberId: `member-${i}`, legId: leg, state: 'active', mute: false, hold: false, activeMembers: 1 });
          if (rng.chance(0.5)) s.push({ type: 'conference.member', conferenceId: cid, memberId: `member-${i}`, legId: leg, state: 'active', mute: true, hold: false, activeMembers: 1 });
          s.push({ type: 'playback.started', playbackId: `cpb${i}`, target: { conferenceId: cid }, source: 'speech' });
          s.push({ type: 'playback.finished', playbackId: `cpb${i}`, target: { conferenceId: cid }, source: 'speech', outcome: 'done' });
          s.left(leg, cid);
          s.push({ type: 'conference.member', conferenceId: cid, memberId: `member-${i}`, legId: leg, state: 'completed', mute: false, hold: false, activeMembers: 0 });
          s.push(withTag({ type: 'conference.completed' as const, conferenceId: cid, createdAt: created }));
        }
      }
      const byRemote = rng.chance(0.5);
      s.ended(leg, byRemote ? 'remote' : 'local');
      s.end(byRemote ? (inbound ? caller : phone('+14045550199')) : local('+19195550100'), 'normal', byRemote ? leg : undefined);
      break;
    }
  }
  return s.facts;
}

function randomMessage(rng: Rng, sessionId: string): Fact[] {
  const at = Date.UTC(2024, 4, 14, 9, 0, 0) + rng.int(0, 86_400_000);
  const inbound = rng.chance(0.6);
  const remote = `+1555${rng.int(1000000, 9999999)}`;
  const mms = rng.chance(0.3);
  const base = { sessionId, accountId: 'acc-1', accountcode: 'demo', messageId: `1715678467.${rng.int(1, 99999)}`, line: LINE };
  const user = rng.chance(0.5) ? { user: userRef(rng.pick(USERS)) } : {};
  const components = mms ? { components: [{ filename: 'photo.jpg', contentType: 'image/jpeg', size: rng.int(100, 50_000) }] } : {};
  if (inbound && rng.chance(0.3)) {
    const keyword = rng.pick(['STOP', 'stop ', ' Unsubscribe', 'QUIT']);
    return [
      { ...base, ...user, type: 'message.received', at, medium: 'sms', from: remote, to: LINE.number, body: keyword },
      { sessionId, at: at + 5, type: 'number.opted-out', accountId: 'acc-1', accountcode: 'demo', number: remote, to: LINE.number, keyword: keyword.trim().toUpperCase(), line: LINE, messageId: base.messageId },
    ];
  }
  return [
    inbound
      ? { ...base, ...user, ...components, type: 'message.received', at, medium: mms ? 'mms' : 'sms', from: remote, to: LINE.number, body: 'hello' }
      : { ...base, ...user, ...components, type: 'message.sent', at, medium: mms ? 'mms' : 'sms', from: LINE.number, to: remote, body: 'hi back' },
  ];
}

/** fast-check arbitrary of random valid sessions (by seed, so counterexamples print as a seed). */
export function arbitrarySession(): fc.Arbitrary<Fact[]> {
  return fc.integer({ min: 0, max: 0x7fffffff }).map(randomSession);
}
