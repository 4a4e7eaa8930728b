/**
 * The realtime dialect's whole vocabulary: the 18 voice events of spec realtime §3.2 and the 5 messaging
 * events of §3.3, in topic form `category.subCategory.eventName` (§3.1). Clients must ignore any other name
 * (§2.3 Proposed), so Ringside emits only these.
 */
import type { CallKind } from '../session-calls.js';

export const VOICE_EVENT_NAMES = [
  'voice.incoming.start',
  'voice.incoming.answer',
  'voice.incoming.end',
  'voice.outgoing.start',
  'voice.outgoing.answer',
  'voice.outgoing.end',
  'voice.internal.start',
  'voice.internal.answer',
  'voice.internal.end',
  'voice.originate.start',
  'voice.originate.answer',
  'voice.originate.end',
  'voice.callconfirm.start',
  'voice.callconfirm.acceptcall',
  'voice.callconfirm.rejectcall',
  'voice.incoming.agentpin-prompt',
  'voice.incoming.agentpin-valid',
  'voice.incoming.agentpin-timeout',
] as const;

export const MESSAGING_EVENT_NAMES = [
  'messaging.incoming.sms',
  'messaging.outgoing.sms',
  'messaging.incoming.mms',
  'messaging.outgoing.mms',
  'messaging.update.opt-out',
] as const;

export const REALTIME_EVENT_NAMES = [...VOICE_EVENT_NAMES, ...MESSAGING_EVENT_NAMES] as const;

export type RealtimeEventName = (typeof REALTIME_EVENT_NAMES)[number];

/** The four kinds of call the voice vocabulary distinguishes; also each call's `direction` (spec realtime §4.2). */
export type { CallKind };

export const CALL_KINDS: readonly CallKind[] = ['incoming', 'outgoing', 'internal', 'originate'];

/** Splits a topic name into its envelope fields; the odd ones keep their hyphen (spec realtime §4.1:
 *  `voice.incoming.agentpin-prompt` → subCategory `incoming`, eventName `agentpin-prompt`). */
export function topicParts(name: RealtimeEventName): { category: string; subCategory: string; eventName: string } {
  const [category = '', subCategory = '', eventName = ''] = name.split('.');
  return { category, subCategory, eventName };
}
