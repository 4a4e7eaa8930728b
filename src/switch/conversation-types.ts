/**
 * What a conversation (conversation.ts) is given by the session it belongs to, and what a blind transfer
 * out of it hands to the session that continues the call.
 */
import type { Party, UserRef } from '../events/model/facts.js';
import type { InviteSession } from '../sip/index.js';
import type { SessionStart } from './session-facts.js';

/** The session a conversation belongs to, and what that session asks of it. */
export interface ConversationOptions {
  sessionId: string;
  /** The session's start: a transfer continues it (routing/transfer.ts). */
  start: SessionStart;
  /** Ringside as a party, for the hangups it decides (the DID on inbound calls, spec teltel §6 rule 7). */
  localParty: Party;
  /** Record the conversation: two channels, the first leg that joined left, the second right. */
  record?: boolean;
  /** The longest the conversation may last; then Ringside hangs up every member. */
  timeLimitMs?: number;
}

/** The party a blind transfer moves: the other member of the transferor's conversation. */
export interface Transferee {
  party: Party;
  user?: UserRef;
  /** `out` when Ringside had dialled it. */
  direction: 'in' | 'out';
}

/** A REFER in a conversation: the session it came from, for whom, and to go where. */
export interface TransferRequest extends ConversationOptions {
  /** The Refer-To URI's user part: an extension, PIN or number. */
  target: string;
  transferee: Transferee;
}

/** The caller of a session that continues a transferred call: already answered, with media in place. */
export interface TransferredCaller {
  session: InviteSession;
  endpointId: string;
}

/** Blind transfer (RFC 3515 REFER), as the switch offers it to conversations. */
export interface TransferService {
  /** The session that would continue the call with the request's target, ready to start with the
   *  transferee as its caller; undefined when the target names nobody (the REFER gets 404). */
  prepare(request: TransferRequest): Promise<((caller: TransferredCaller) => void) | undefined>;
}
