/**
 * Feature codes a registered phone dials to set its own user's agent presence (docs/call-centre.md,
 * "Agents"): `*50` logs in (available), `*51` logs out, `*52` toggles paused (paused → available, anything
 * else → paused). Extensions and PINs are digits only (config-schema.ts), so a code never shadows a user.
 *
 * The phone is answered, hears a short spoken confirmation of the presence now set (a beep when text to
 * speech is unavailable), and Ringside hangs up. Nothing is recorded as a call: no session, no events,
 * no report entry. The presence is written before the 200 OK: a refused INVITE (media, store) set nothing.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingInvite } from '../../sip/index.js';
import type { MediaControl } from '../../media/media-control.js';
import type { PlayItem } from '../../media/player.js';
import type { Logger } from '../../log/logger.js';
import type { AgentPresence, Store, UserRecord } from '../../store/store.js';
import { sipStatusForMediaError } from '../media-sip-status.js';
import { presenceOf } from './agent-presence.js';

export const FEATURE_CODES = { '*50': 'log in (available)', '*51': 'log out', '*52': 'toggle paused' } as const;
export type FeatureCode = keyof typeof FEATURE_CODES;

export const isFeatureCode = (digits: string): digits is FeatureCode => Object.hasOwn(FEATURE_CODES, digits);

/** What a code sets, given what the agent has now. */
export function presenceAfter(code: FeatureCode, current: AgentPresence): AgentPresence {
  if (code === '*50') return 'available';
  if (code === '*51') return 'logged-out';
  return current === 'paused' ? 'available' : 'paused';
}

/** What the phone hears once the presence is set. */
export const CONFIRMATION: Record<AgentPresence, string> = {
  available: 'You are logged in and available.',
  paused: 'You are paused.',
  'logged-out': 'You are logged out.',
};

/** A device dialled a feature code: device.ts plans it, the switch runs it (runFeatureCode). */
export interface FeatureCodePlan {
  featureCode: FeatureCode;
  user: UserRecord;
}

/** Sets the user's presence as the code says; resolves to the presence now set. */
export async function applyFeatureCode(store: Store, plan: FeatureCodePlan, now = Date.now()): Promise<AgentPresence> {
  const { user } = plan;
  const current = presenceOf(user, await store.getAgentPresence(user.id));
  const presence = presenceAfter(plan.featureCode, current);
  await store.setAgentPresence({ accountId: user.accountId, userId: user.id, presence, since: now });
  return presence;
}

export interface FeatureCodeDeps {
  store: Store;
  media: MediaControl;
  logger: Logger;
  /** A presence was written: the agent pool wakes waiting queue callers and campaigns. */
  presenceChanged?: (accountId: string) => void;
}

/** The longest the confirmation may take before Ringside hangs up anyway. */
const CONFIRMATION_MAX_MS = 8000;

/**
 * Runs one feature-code call to its end: media, presence, 200 OK, the confirmation, BYE. Never rejects.
 * `abort` (Ringside stopping) cuts the confirmation short.
 */
export async function runFeatureCode(deps: FeatureCodeDeps, invite: IncomingInvite, plan: FeatureCodePlan, aborted: Promise<void>): Promise<void> {
  const log = deps.logger.child({ sipCallId: invite.request.callId, featureCode: plan.featureCode, userId: plan.user.id });
  const offer = invite.offer.toString('utf8');
  // RFC 3264 §5: without an offer our 2xx carries one; the phone's answer (in the ACK) is not read, so it
  // hears nothing, but the code still applies.
  const lateOffer = offer.trim() === '';
  let endpointId: string | undefined;
  const close = () => {
    if (endpointId !== undefined) deps.media.closeEndpoint(endpointId).catch((err: unknown) => log.warn({ err }, 'closing a media endpoint failed'));
    endpointId = undefined;
  };
  try {
    let sdp: string;
    try {
      const opened = await deps.media.openEndpoint(`feature-${randomUUID()}`, lateOffer ? undefined : offer, invite.origin);
      endpointId = opened.endpointId;
      sdp = opened.sdp;
    } catch (err) {
      log.warn({ err }, 'feature code: media refused');
      invite.refuse(sipStatusForMediaError(err) ?? 503);
      return;
    }
    if (invite.state !== 'pending') return close();
    let presence: AgentPresence;
    try {
      presence = await applyFeatureCode(deps.store, plan);
    } catch (err) {
      log.error({ err }, 'feature code: presence not stored');
      invite.refuse(500);
      return close();
    }
    log.info({ presence }, 'agent presence set by feature code');
    deps.presenceChanged?.(plan.user.accountId);
    if (invite.state !== 'pending') return close();
    const session = invite.accept({ body: sdp });
    let ended = false;
    void session.ended.then(() => (ended = true));
    if (!(await Promise.race([session.confirmed, aborted.then(() => false)]))) return close();
    if (!lateOffer && !ended) await confirm(deps.media, endpointId!, presence, Promise.race([session.ended.then(() => undefined), aborted]), log);
    if (!ended) await session.bye().catch((err: unknown) => log.warn({ err }, 'feature code: BYE failed'));
    close();
  } catch (err) {
    log.error({ err }, 'feature code call failed');
    invite.refuse(500);
    close();
  }
}

/** Plays the confirmation until it is done, the phone hangs up, or the bound passes. */
async function confirm(media: MediaControl, endpointId: string, presence: AgentPresence, stop: Promise<void>, log: Logger): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const bound = new Promise<void>((r) => (timer = setTimeout(r, CONFIRMATION_MAX_MS)));
  const play = async (items: PlayItem[]) => (await (await media.play(endpointId, items)).done) === 'done';
  try {
    const spoken = Promise.race([play([{ silenceMs: 300 }, { speak: CONFIRMATION[presence] }]), stop.then(() => true), bound.then(() => true)]);
    // No text to speech here: a beep says it was done.
    if (!(await spoken)) await Promise.race([play([{ prompt: 'beep' }]), stop, bound]);
  } catch (err) {
    log.warn({ err }, 'feature code: no confirmation played');
  } finally {
    clearTimeout(timer);
  }
}
