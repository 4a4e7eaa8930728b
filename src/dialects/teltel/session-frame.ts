/**
 * What stays the same on every teltel event of one session (spec teltel §6 rule 2): call id, direction,
 * type/subtype, the initiator end of `phase`, whether `leg` is shown, and the constant part of `data`.
 */
import type { PartyKind, SessionStarted } from '../../events/model/facts.js';
import { phaseOf, type CallType, type Direction, type Phase, type PhaseEnd } from './wire-values.js';

export interface SessionFrame {
  callId: string;
  direction: Direction;
  type: CallType;
  subtype?: string;
  /** Who initiates every phase of this session. */
  initiator: PhaseEnd;
  /** Phase of START and of caller events before any dial. */
  startPhase: Phase;
  /** Kind of the first party dialled (`session.to`): `leg` of START and of events about no leg. */
  toKind: PartyKind;
  /** spec teltel §2.2 [DOC]: `leg` only on callback and autodialer calls. */
  showsLeg: boolean;
  /** spec teltel §2.3: `data` repeated on every event ([PROP]); empty for standard/transfer sessions. */
  data: Record<string, unknown>;
}

/**
 * @param firstLegDirection for application sessions, the direction of their first leg, which decides
 *   whether the call is inbound (a caller reached the application) or outbound (the application dialled).
 */
export function sessionFrame(s: SessionStarted, firstLegDirection: 'in' | 'out' | undefined): SessionFrame {
  const inboundApp = s.kind === 'application' && firstLegDirection === 'in';
  // spec teltel §2.1 [PROP]: system-originated calls are `outbound`.
  const direction: Direction = s.kind === 'inbound' || inboundApp ? 'inbound' : 'outbound';
  // spec teltel §2.1 [DOC] `type`; a transfer continues another session (spec teltel §5.8 [PROP]).
  const type: CallType = s.transferOf ? 'transfer' : s.kind === 'originate' ? 'callback' : s.kind === 'dialer' ? 'autodialer' : 'standard';
  const initiator: PhaseEnd =
    s.kind === 'inbound' || inboundApp ? 'did' : s.kind === 'outbound' || s.kind === 'internal' ? 'sip' : 'local';
  const toKind = s.to.kind;
  const frame: SessionFrame = {
    callId: s.transferOf ? s.transferOf.callId : s.callId,
    direction,
    type,
    initiator,
    startPhase: phaseOf(initiator, toKind),
    toKind,
    showsLeg: type === 'callback' || type === 'autodialer',
    data: {},
  };
  if (type === 'autodialer' && s.dialer) {
    // spec teltel §2.1 [DOC]: subtype only with type=autodialer; §2.3: campaign_id/contact_id ([PROP] integers).
    frame.subtype = s.dialer.mode;
    if (Number.isSafeInteger(s.dialer.campaignId)) frame.data.campaign_id = s.dialer.campaignId;
    if (Number.isSafeInteger(s.dialer.contactId)) frame.data.contact_id = s.dialer.contactId;
  }
  if (type === 'callback' && s.callback) {
    // spec teltel §2.3 [DOC]: the five keys of the API request, echoed; trace_id only when supplied.
    const c = s.callback;
    const callback: Record<string, string> = {
      leg_1_phone_number: c.leg1Number,
      leg_1_caller_id: c.leg1CallerId,
      leg_2_phone_number: c.leg2Number,
      leg_2_caller_id: c.leg2CallerId,
    };
    if (c.traceId !== undefined) callback.trace_id = c.traceId;
    frame.data.callback = callback;
  }
  return frame;
}
