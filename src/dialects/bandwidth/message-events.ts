import type { MessageFact } from '../../events/model/facts.js';
import { isoMillisZ } from '../timestamps.js';
import type { VoiceApiUrls } from './urls.js';

/** Characters per SMS segment used for `segmentCount` (spec bandwidth §2.16; GSM-7 single segment). */
const SEGMENT_CHARS = 160;

/**
 * The `sms`/`mms` callback of one text (spec bandwidth §2.16). A received text is `direction: in`,
 * `state: received`; a sent one `direction: out`, `state: sent`; one the carrier refused `direction: out`,
 * `state: error` with `deliveryState: not-delivered` and the refusal as `deliveryDescription`. Otherwise no
 * `deliveryState`/`deliveryCode`: Ringside has no delivery receipts yet. `mms` adds `media`, one URL per
 * attachment. `applicationId` only when the text has an application (a `POST /messages` text from a number
 * linked to none has not).
 */
export function messagePayload(fact: MessageFact, applicationId: string | undefined, urls: VoiceApiUrls): Record<string, unknown> {
  const inbound = fact.type === 'message.received';
  const text = typeof fact.body === 'string' ? fact.body : '';
  const payload: Record<string, unknown> = {
    eventType: fact.medium === 'mms' ? 'mms' : 'sms',
    direction: inbound ? 'in' : 'out',
    from: fact.from,
    to: fact.to,
    messageId: fact.messageId,
    messageUri: urls.message(fact.messageId),
    text,
    ...(applicationId !== undefined ? { applicationId } : {}),
    time: isoMillisZ(fact.at),
    state: inbound ? 'received' : fact.type === 'message.failed' ? 'error' : 'sent',
    segmentCount: Math.max(1, Math.ceil(text.length / SEGMENT_CHARS)),
  };
  if (fact.type === 'message.failed') {
    payload.deliveryState = 'not-delivered';
    if (typeof fact.error === 'string') payload.deliveryDescription = fact.error;
  }
  // spec bandwidth §1.4: a message tag only appears in events of the request that set it.
  if (fact.application?.tag !== undefined) payload.tag = fact.application.tag;
  if (fact.medium === 'mms') payload.media = (fact.components ?? []).map((c) => urls.media(`${fact.messageId}-${c.filename}`));
  return payload;
}
