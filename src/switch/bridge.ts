/**
 * What every bridged session does when one side hangs up, and the codec a leg negotiated; shared by
 * inbound/outgoing/internal calls (call.ts) and originate (originate.ts).
 */
import type { HangupCause, Party } from '../events/model/facts.js';
import type { InviteSession, SessionEndReason } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import type { FactDraft, SessionFacts } from './session-facts.js';

/** One side of a two-party bridge. */
export interface Side {
  legId: string;
  party: Party;
  session: InviteSession;
}

/**
 * The bridge is over: one side hung up (`hanger`), or Ringside ends it (`hanger` undefined: the call's time
 * limit). BYEs whoever is still up (RFC 3261 §15.1.1) and records the end of the bridge in the order facts.ts
 * guarantees (`byeOther: false`: the other side stays up, moved by a transfer). Returns the `session.ended` to record once what must come before it (the recording) is done.
 * The caller has already disconnected the media.
 */
export function recordHangup(
  facts: SessionFacts,
  log: Logger,
  localParty: Party,
  hanger: Side | undefined,
  reason: SessionEndReason,
  sides: readonly Side[],
  conversationId: string,
  options: { byeOther?: boolean } = {},
): FactDraft {
  const first = hanger ?? sides[0]!;
  const other = sides.find((s) => s !== first)!;
  const byRemote = hanger !== undefined && reason === 'remote-bye';
  log.info({ legId: hanger?.legId, reason: hanger ? reason : 'time-limit' }, 'hangup');
  facts.record({ type: 'leg.left', legId: first.legId, conversationId });
  facts.record({ type: 'leg.left', legId: other.legId, conversationId });
  const cause: HangupCause = !hanger || byRemote || reason === 'local-bye' || reason === 'stack-closed' ? 'normal' : 'temporary-failure';
  const toHangUp = hanger ? (options.byeOther === false ? [] : [other]) : sides;
  for (const side of toHangUp) if (side.session.state === 'confirmed') side.session.bye().catch((err: unknown) => log.warn({ err, legId: side.legId }, 'BYE failed'));
  facts.record({ type: 'leg.ended', legId: first.legId, by: byRemote ? 'remote' : 'local', cause });
  facts.record({ type: 'leg.ended', legId: other.legId, by: 'local', cause: 'normal' });
  return {
    type: 'session.ended',
    hangupBy: byRemote ? first.party : localParty,
    ...(byRemote ? { hangupLegId: first.legId } : {}),
    cause,
  };
}

/** The codec an endpoint negotiated, for `leg.media-ready` (nothing when it is unknown). */
export async function codecOf(media: MediaControl, endpointId: string): Promise<{ codec?: string }> {
  try {
    const codec = (await media.endpointStats(endpointId)).codec;
    return codec ? { codec } : {};
  } catch {
    return {};
  }
}
