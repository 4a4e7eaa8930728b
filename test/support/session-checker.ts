/**
 * Checks that one session's facts respect the order the switch guarantees (header of facts.ts).
 * The event log runs it on appends in tests; the property generator is checked against it.
 */
import type { Fact } from '../../src/events/model/facts.js';

type LegState = 'created' | 'answered' | 'media' | 'joined' | 'left' | 'ended';

export function sessionProblems(facts: readonly Fact[]): string[] {
  const problems: string[] = [];
  const first = facts[0];
  if (!first) return ['empty session'];
  const sessionId = first.sessionId;
  let lastAt = -Infinity;
  for (const [i, f] of facts.entries()) {
    if (f.sessionId !== sessionId) problems.push(`#${i} ${f.type}: session ${f.sessionId} in session ${sessionId}`);
    if (f.at < lastAt) problems.push(`#${i} ${f.type}: time goes backwards`);
    lastAt = f.at;
  }
  if (first.type === 'conference.created') return [...problems, ...conferenceProblems(facts)];
  if (first.type !== 'session.started') {
    // Messaging sessions: texts and opt-outs only.
    for (const [i, f] of facts.entries())
      if (!f.type.startsWith('message.') && !f.type.startsWith('number.')) problems.push(`#${i} ${f.type} in a messaging session`);
    return problems;
  }
  const legs = new Map<string, LegState>();
  const gated = new Set<string>();
  let ended = false;
  const transferred = first.type === 'session.started' && first.transferOf !== undefined;
  const need = (i: number, type: string, legId: string, ok: LegState[]) => {
    const st = legs.get(legId);
    if (!st) problems.push(`#${i} ${type}: unknown leg ${legId}`);
    else if (!ok.includes(st)) problems.push(`#${i} ${type}: leg ${legId} is ${st}`);
  };
  for (const [i, f] of facts.entries()) {
    // A late transcription is the one fact allowed after the end (facts.ts header).
    if (ended && !(f.type === 'transcription.finished' && f.afterEnd === true)) problems.push(`#${i} ${f.type} after session.ended`);
    switch (f.type) {
      case 'session.started':
        if (i !== 0) problems.push(`#${i} second session.started`);
        break;
      case 'leg.created':
        if (legs.has(f.legId)) problems.push(`#${i} leg ${f.legId} created twice`);
        // A transferred caller arrives answered, its media carried over from the session it left.
        legs.set(f.legId, transferred && f.role === 'caller' ? 'media' : 'created');
        break;
      case 'leg.ringing':
        need(i, f.type, f.legId, ['created']);
        break;
      case 'leg.answered':
        need(i, f.type, f.legId, ['created']);
        legs.set(f.legId, 'answered');
        break;
      case 'leg.media-ready':
        need(i, f.type, f.legId, ['answered']);
        legs.set(f.legId, 'media');
        break;
      case 'leg.failed':
        need(i, f.type, f.legId, ['created']);
        legs.set(f.legId, 'ended');
        break;
      case 'leg.ended':
        need(i, f.type, f.legId, ['created', 'answered', 'media', 'left']);
        legs.set(f.legId, 'ended');
        break;
      case 'leg.joined':
        need(i, f.type, f.legId, ['media', 'left']);
        if (gated.has(f.legId)) problems.push(`#${i} leg ${f.legId} joined while awaiting confirmation or PIN`);
        legs.set(f.legId, 'joined');
        break;
      case 'leg.left':
        need(i, f.type, f.legId, ['joined']);
        legs.set(f.legId, 'left');
        break;
      case 'confirm.prompted':
      case 'agentpin.prompted':
        need(i, f.type, f.legId, ['answered', 'media']);
        gated.add(f.legId);
        break;
      case 'confirm.accepted':
      case 'confirm.rejected':
      case 'agentpin.valid':
      case 'agentpin.timeout':
        if (!gated.has(f.legId)) problems.push(`#${i} ${f.type} without a prompt on leg ${f.legId}`);
        gated.delete(f.legId);
        break;
      case 'session.ended':
        ended = true;
        for (const [leg, st] of legs) if (st !== 'ended') problems.push(`session.ended while leg ${leg} is ${st}`);
        break;
      default:
        break;
    }
  }
  if (!ended) problems.push('no session.ended');
  return problems;
}

/** A conference session (facts.ts header, "Conference sessions"): `conference.created` … `conference.completed`. */
function conferenceProblems(facts: readonly Fact[]): string[] {
  const problems: string[] = [];
  const first = facts[0]!;
  const conferenceId = first.type === 'conference.created' ? first.conferenceId : '';
  if (first.sessionId !== conferenceId) problems.push(`conference session ${first.sessionId} is not named by its conference ${conferenceId}`);
  if (first.type === 'conference.created' && (!first.accountId || !first.application)) problems.push('conference.created without accountId and application');
  const members = new Map<string, 'active' | 'completed'>();
  let completed = false;
  for (const [i, f] of facts.entries()) {
    if (completed) problems.push(`#${i} ${f.type} after conference.completed`);
    switch (f.type) {
      case 'conference.created':
        if (i !== 0) problems.push(`#${i} second conference.created`);
        break;
      case 'conference.member':
        if (f.conferenceId !== conferenceId) problems.push(`#${i} member of another conference ${f.conferenceId}`);
        if (members.get(f.memberId) === 'completed') problems.push(`#${i} member ${f.memberId} after it completed`);
        else if (!members.has(f.memberId) && f.state !== 'active') problems.push(`#${i} member ${f.memberId} completed before it was active`);
        members.set(f.memberId, f.state);
        break;
      case 'playback.started':
      case 'playback.finished':
        if (!('conferenceId' in f.target) || f.target.conferenceId !== conferenceId) problems.push(`#${i} ${f.type} not into the conference`);
        break;
      case 'conference.completed':
        completed = true;
        for (const [m, st] of members) if (st !== 'completed') problems.push(`conference.completed while member ${m} is active`);
        break;
      default:
        problems.push(`#${i} ${f.type} in a conference session`);
    }
  }
  if (!completed) problems.push('no conference.completed');
  return problems;
}
