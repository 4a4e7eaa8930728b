import { Dialog } from '../dialog/dialog.js';
import { InviteSession } from '../dialog/invite-session.js';
import { SipHeaders } from '../message/headers.js';
import { SipRequest, type SipResponse } from '../message/sip-message.js';
import type { Destination } from '../transport/transport-types.js';
import type { UserAgentCore } from './user-agent-core.js';

/**
 * The 2xx responses to an INVITE that already has its result, which its transaction passes up for 64*T1
 * (RFC 6026 §7.2): a retransmission of the answer taken is ACKed again (§13.2.2.4); any other — another
 * fork, or an answer that crossed our CANCEL — gets its own dialog, an ACK, and a BYE.
 *
 * It holds only what that needs (the INVITE's Request-URI, From, Call-ID, CSeq and body; the session; the
 * next hop), so the lingering transaction keeps neither the OutgoingInvite nor its result.
 */
export class LateAnswers {
  readonly #core: UserAgentCore;
  readonly #invite: SipRequest;
  readonly #dest: Destination;
  readonly #flow: boolean;
  readonly #session: InviteSession | undefined;

  constructor(core: UserAgentCore, invite: SipRequest, dest: Destination, flow: boolean, session: InviteSession | undefined) {
    this.#core = core;
    this.#invite = dialogFacts(invite);
    this.#dest = dest;
    this.#flow = flow;
    this.#session = session;
  }

  receive(res: SipResponse): void {
    const invite = this.#invite;
    const session = this.#session;
    if (session && session.dialog.id.remoteTag === res.toTag) {
      session.resendAck(invite.cseq.seq);
      return;
    }
    ackAndHangUp(this.#core, invite, res, this.#dest, this.#flow);
  }
}

/** §13.2.2.4: a 2xx nobody wants is ACKed, then ended with BYE (§15). */
export function ackAndHangUp(core: UserAgentCore, invite: SipRequest, res: SipResponse, dest: Destination, flow: boolean): void {
  const session = new InviteSession(core, Dialog.fromUac(invite, res), dest.protocol, invite.body, res.body, flow ? dest : undefined);
  session
    .nextHop()
    .then((hop) => {
      session.sendInitialAck(invite.cseq.seq, hop);
      session.bye().catch(() => {});
    })
    .catch((err) => core.log.warn({ err, callId: invite.callId }, 'sip cannot route ACK'));
}

/** The INVITE as Dialog.fromUac reads it (§12.1.2): Request-URI, From, Call-ID, CSeq, and the body. */
function dialogFacts(invite: SipRequest): SipRequest {
  const h = new SipHeaders();
  for (const name of ['from', 'call-id', 'cseq']) {
    const v = invite.headers.get(name);
    if (v !== undefined) h.append(name, v);
  }
  return new SipRequest('INVITE', invite.uri, h, invite.body);
}
