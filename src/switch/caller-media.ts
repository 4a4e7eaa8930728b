/**
 * The caller's side of an inbound INVITE's media, as every session that answers one sets it up (Call,
 * FlowCall): an endpoint for the caller's leg, the SDP the caller's 2xx carries, and the answer in the ACK
 * when that SDP was our offer.
 */
import type { Party } from '../events/model/facts.js';
import type { IncomingInvite, InviteSession } from '../sip/index.js';
import type { Leg } from './leg.js';
import type { FactDraft } from './session-facts.js';

/** Opens the caller leg's endpoint: the SDP is our answer to the INVITE's offer or, when the INVITE had
 *  none (RFC 3264 §5 / RFC 3261 §13.2.1), our offer, whose answer comes in the ACK (`lateOffer`). Throws
 *  what the media engine throws (media-sip-status.ts maps it to a SIP status). */
export async function openCallerMedia(caller: Leg, invite: IncomingInvite): Promise<{ sdp: string; lateOffer: boolean }> {
  const offer = invite.offer.toString('utf8');
  const lateOffer = offer.trim() === '';
  return { sdp: await caller.openMedia(lateOffer ? undefined : offer, invite.origin), lateOffer };
}

/**
 * RFC 3264 §5: our offer went in the 2xx, so the caller's answer comes in the ACK: applied to the leg
 * (an unusable one is logged, the call goes on). Without a confirmation — no ACK within 64*T1 (the session
 * already sent BYE, RFC 3261 §13.3.1.4), or the caller hung up — the caller's `leg.ended` and the
 * session's `session.ended` to record (any winner's end goes between them, facts.ts order).
 */
export async function takeLateAnswer(caller: Leg, session: InviteSession, localParty: Party): Promise<{ confirmed: true } | { confirmed: false; legEnded: FactDraft; sessionEnded: FactDraft }> {
  const acked = await session.confirmed;
  try {
    if (acked && session.remoteBody.length > 0) await caller.applyAnswer(session.remoteBody.toString('utf8'));
  } catch (err) {
    caller.log.warn({ err }, 'the answer in the ACK is unusable');
  }
  if (acked && session.state === 'confirmed') return { confirmed: true };
  caller.log.warn('the caller never confirmed the answer; hanging up');
  return {
    confirmed: false,
    legEnded: { type: 'leg.ended', legId: caller.legId, by: acked ? 'remote' : 'local', cause: acked ? 'normal' : 'temporary-failure' },
    sessionEnded: { type: 'session.ended', hangupBy: acked ? caller.party : localParty, ...(acked ? { hangupLegId: caller.legId } : {}), cause: acked ? 'normal' : 'temporary-failure' },
  };
}
