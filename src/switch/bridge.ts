/**
 * What every bridged session does when one side hangs up, and the codec a leg negotiated; shared by
 * inbound/outgoing/internal calls (call.ts) and originate (originate.ts).
 */
import type { HangupCause, Party } from '../events/facts.js';
import type { InviteSession, SessionEndReason } from '../sip/index.js';
import type { MediaControl } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import type { SessionFacts } from './session-facts.js';

/** One side of a two-party bridge. */
export interface Side {
  legId: string;
  party: Party;
  session: InviteSession;
}

/** One side ended: BYE the other (RFC 3261 §15.1.1) and record the end of the bridge and the session in
 *  the order facts.ts guarantees. The caller has already disconnected the media. */
export function recordHangup(facts: SessionFacts, log: Logger, localParty: Party, hanger: Side, reason: SessionEndReason, sides: readonly Side[], conversationId: string): void {
  const other = sides.find((s) => s !== hanger)!;
  const byRemote = reason === 'remote-bye';
  log.info({ legId: hanger.legId, reason }, 'hangup');
  facts.record({ type: 'leg.left', legId: hanger.legId, conversationId });
  facts.record({ type: 'leg.left', legId: other.legId, conversationId });
  const cause: HangupCause = byRemote || reason === 'local-bye' || reason === 'stack-closed' ? 'normal' : 'temporary-failure';
  facts.record({ type: 'leg.ended', legId: hanger.legId, by: byRemote ? 'remote' : 'local', cause });
  if (other.session.state === 'confirmed') other.session.bye().catch((err: unknown) => log.warn({ err, legId: other.legId }, 'BYE failed'));
  facts.record({ type: 'leg.ended', legId: other.legId, by: 'local', cause: 'normal' });
  facts.record({
    type: 'session.ended',
    hangupBy: byRemote ? hanger.party : localParty,
    ...(byRemote ? { hangupLegId: hanger.legId } : {}),
    cause,
  });
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
