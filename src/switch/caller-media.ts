/**
 * The caller's side of an inbound INVITE's media, as every session that answers one sets it up (Call,
 * FlowCall): an endpoint for the caller's leg, and the SDP the caller's 2xx carries.
 */
import type { IncomingInvite } from '../sip/index.js';
import type { Leg } from './leg.js';

/** Opens the caller leg's endpoint: the SDP is our answer to the INVITE's offer or, when the INVITE had
 *  none (RFC 3264 §5 / RFC 3261 §13.2.1), our offer, whose answer comes in the ACK (`lateOffer`). Throws
 *  what the media engine throws (media-sip-status.ts maps it to a SIP status). */
export async function openCallerMedia(caller: Leg, invite: IncomingInvite): Promise<{ sdp: string; lateOffer: boolean }> {
  const offer = invite.offer.toString('utf8');
  const lateOffer = offer.trim() === '';
  return { sdp: await caller.openMedia(lateOffer ? undefined : offer, invite.origin), lateOffer };
}
