/**
 * Conferences and members as the provider writes them (spec bandwidth §3.8), in the style of voice-views.ts:
 * its field names, ISO times, URLs to related resources, absent fields omitted.
 */
import type { VoiceConferenceRecord, VoiceMemberRecord } from '../../store/voice-records.js';
import { userUrl, type VoiceContext } from './voice-context.js';
import { iso } from './voice-views.js';

const str = { type: 'string' } as const;
const int = { type: 'integer' } as const;
const bool = { type: 'boolean' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const url = { type: 'string', description: 'URL' } as const;

function present<T extends Record<string, unknown>>(o: T): T {
  for (const k of Object.keys(o)) if (o[k] === undefined) delete o[k];
  return o;
}

export const conferenceSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: str,
    state: { enum: ['created', 'active', 'completed'] },
    from: str,
    createdTime: time,
    completedTime: time,
    activeMembers: int,
    hold: bool,
    mute: bool,
    profile: { enum: ['interpret_digits', 'passthru_digits'] },
    tag: str,
    callbackUrl: url,
    callbackHttpMethod: { enum: ['GET', 'POST'] },
    callbackTimeout: int,
    fallbackUrl: url,
    members: url,
  },
} as const;

export function conferenceView(c: VoiceContext, r: VoiceConferenceRecord): Record<string, unknown> {
  return present({
    id: r.id,
    state: r.state,
    from: r.from,
    createdTime: iso(r.createdTime),
    completedTime: iso(r.completedTime),
    activeMembers: r.activeMembers,
    hold: r.hold,
    mute: r.mute,
    profile: r.profile,
    tag: r.tag,
    callbackUrl: r.callback?.url,
    callbackHttpMethod: r.callback?.method,
    callbackTimeout: r.callback?.timeoutMs,
    fallbackUrl: r.callback?.fallbackUrl,
    members: userUrl(c, 'conferences', r.id, 'members'),
  });
}

export const memberSchema = {
  type: 'object',
  required: ['id'],
  properties: {
    id: str,
    state: { enum: ['active', 'completed'] },
    mute: bool,
    hold: bool,
    joinTone: bool,
    leavingTone: bool,
    addedTime: time,
    removedTime: time,
    call: url,
  },
} as const;

export function memberView(c: VoiceContext, m: VoiceMemberRecord): Record<string, unknown> {
  return present({
    id: m.id,
    state: m.state,
    mute: m.mute,
    hold: m.hold,
    joinTone: m.joinTone,
    leavingTone: m.leavingTone,
    addedTime: iso(m.addedTime),
    removedTime: iso(m.removedTime),
    call: userUrl(c, 'calls', m.callId),
  });
}
