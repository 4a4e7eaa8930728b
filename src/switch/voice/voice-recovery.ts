/**
 * After a restart (app/crash-recovery.ts): the voice-API state a dead process left unfinished in the store.
 * The calls' sessions are closed from the log like every session (session-recovery.ts: BYE from the stored
 * dialog, `hangup` with the restart's cause); this makes the REST resources say the same — a cut call is
 * `completed` (cause `server-restart`), its gather `completed` `hung-up`, its recording `error` (the file
 * may be cut short), every bridge, conference and member `completed` (they live in the process that died).
 */
import type { Store } from '../../store/store.js';
import type { VoiceConferenceRecord, VoiceMemberRecord, VoiceResource } from '../../store/voice-records.js';
import type { Fact } from '../../events/model/facts.js';
import type { FactSink } from '../../events/model/fact-sink.js';

/** With `facts`, a cut conference's session is closed in the log too (its members leave, then it
 *  completes), so the application gets its `conference-member` and `conference` `completed` callbacks. */
export async function closeCutVoiceResources(store: Pick<Store, 'listUnfinishedVoiceResources' | 'putVoiceResource'>, now = Date.now(), facts?: FactSink): Promise<number> {
  const cut = await store.listUnfinishedVoiceResources();
  for (const r of cut) await store.putVoiceResource(closed(r, now));
  if (facts) {
    const members = cut.filter((r): r is VoiceMemberRecord => r.kind === 'member' && r.state === 'active');
    for (const conference of cut.filter((r): r is VoiceConferenceRecord => r.kind === 'conference')) await facts.record(...conferenceEnd(conference, members.filter((m) => m.conferenceId === conference.id), now));
  }
  return cut.length;
}

/** facts.ts "Conference sessions": each member's `completed`, then `conference.completed` last. */
function conferenceEnd(c: VoiceConferenceRecord, members: VoiceMemberRecord[], at: number): Fact[] {
  const tag = c.tag !== undefined ? { tag: c.tag } : {};
  const left = members.map(
    (m, i): Fact => ({ type: 'conference.member', sessionId: c.id, at, conferenceId: c.id, memberId: m.id, legId: m.callId, state: 'completed', mute: m.mute, hold: m.hold, activeMembers: members.length - i - 1, ...tag }),
  );
  return [...left, { type: 'conference.completed', sessionId: c.id, at, conferenceId: c.id, createdAt: c.createdTime, ...tag }];
}

function closed(r: VoiceResource, now: number): VoiceResource {
  switch (r.kind) {
    case 'call':
      return { ...r, state: 'completed', endTime: now, cause: 'server-restart' };
    case 'gather':
      return { ...r, state: 'completed', reason: 'hung-up', digits: r.digits ?? '', completedTime: now };
    case 'recording':
      return { ...r, state: 'error', endTime: now };
    case 'bridge':
      return { ...r, state: 'completed', callIds: [], completedTime: now };
    case 'message':
      // Never listed unfinished: a text's record is written in its final state.
      return r;
    case 'transcription':
      // The decoder died with the process: the transcription reads `error` (no callback is sent for it).
      return { ...r, state: 'error', completedTime: now };
    case 'conference':
      return { ...r, state: 'completed', activeMembers: 0, completedTime: now };
    case 'member':
      return { ...r, state: 'completed', removedTime: now };
  }
}
