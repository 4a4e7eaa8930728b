/**
 * After a restart (app/crash-recovery.ts): the voice-API state a dead process left unfinished in the store.
 * The calls' sessions are closed from the log like every session (session-recovery.ts: BYE from the stored
 * dialog, `hangup` with the restart's cause); this makes the REST resources say the same — a cut call is
 * `completed` (cause `server-restart`), its gather `completed` `hung-up`, its recording `error` (the file
 * may be cut short), every bridge, conference and member `completed` (they live in the process that died).
 */
import type { Store } from '../../store/store.js';
import type { VoiceResource } from '../../store/voice-records.js';

export async function closeCutVoiceResources(store: Pick<Store, 'listUnfinishedVoiceResources' | 'putVoiceResource'>, now = Date.now()): Promise<number> {
  const cut = await store.listUnfinishedVoiceResources();
  for (const r of cut) await store.putVoiceResource(closed(r, now));
  return cut.length;
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
