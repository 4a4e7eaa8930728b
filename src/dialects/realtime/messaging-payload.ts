import type { MessageFact, NumberOptedOut } from '../../events/model/facts.js';
import type { RealtimeEventName } from './event-names.js';
import { envelope } from './voice-payload.js';

/** A projected messaging event before it gets its id: name, payload and audience. */
export interface MessagingDraft {
  name: RealtimeEventName;
  payload: Record<string, unknown>;
  userIds: string[];
}

/**
 * `messaging.incoming|outgoing.sms|mms` (spec realtime §3.3). Texts are always tied to a number and line and
 * sometimes to a user; `uniqueId` is the message's report id; MMS events carry the text part and the
 * components array the media endpoint is addressed by (§3.3, §4.2, §5.6). The audience is the message's user.
 */
export function messageEvent(fact: MessageFact): MessagingDraft | undefined {
  if (fact.medium !== 'sms' && fact.medium !== 'mms') return undefined;
  if (![fact.accountId, fact.messageId, fact.from, fact.to, fact.body].every((v) => typeof v === 'string')) return undefined;
  const direction = fact.type === 'message.received' ? 'incoming' : 'outgoing';
  const name: RealtimeEventName = `messaging.${direction}.${fact.medium}`;
  const user = fact.user;
  const payload: Record<string, unknown> = {
    ...envelope(name, fact.at, fact.accountId),
    uniqueId: fact.messageId,
    direction,
    from: fact.from,
    to: fact.to,
    ...(fact.line ? { lineId: fact.line.id, lineNumber: fact.line.number } : {}),
    body: fact.body,
    ...(fact.medium === 'mms'
      ? { components: (fact.components ?? []).map((c) => ({ filename: c.filename, contentType: c.contentType, size: c.size })) }
      : {}),
    ...(user ? { userId: user.id, userData: userData(user) } : {}),
  };
  return { name, payload, userIds: user ? [user.id] : [] };
}

/**
 * `messaging.update.opt-out` (spec realtime §3.3): the number is now on the account-wide opt-out list. It
 * concerns the account, not a user, so it goes to the account stream only. Opt-in has no event in the
 * vocabulary (§6 question 9), so `number.opted-in` projects to nothing.
 */
export function optOutEvent(fact: NumberOptedOut): MessagingDraft | undefined {
  if (fact.type !== 'number.opted-out') return undefined;
  if (![fact.accountId, fact.number, fact.to].every((v) => typeof v === 'string')) return undefined;
  const name: RealtimeEventName = 'messaging.update.opt-out';
  const payload: Record<string, unknown> = {
    ...envelope(name, fact.at, fact.accountId),
    ...(fact.messageId === undefined ? {} : { uniqueId: fact.messageId }),
    optOutNumber: fact.number,
    to: fact.to,
    ...(fact.line ? { lineId: fact.line.id, lineNumber: fact.line.number } : {}),
  };
  return { name, payload, userIds: [] };
}

function userData(user: MessageFact['user'] & object): Record<string, string> {
  const out: Record<string, string> = { id: user.id };
  if (user.pin !== undefined) out.pin = user.pin;
  if (user.name !== undefined) out.name = user.name;
  if (user.username !== undefined) out.username = user.username;
  return out;
}
