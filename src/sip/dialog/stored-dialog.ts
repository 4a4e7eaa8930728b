/**
 * A dialog's state as plain data, kept outside the process (the switch puts it in the `leg.answered` fact)
 * so that a restarted Ringside can end, with BYE, a call its predecessor held when it died (crash
 * recovery, docs/reliability.md). Only what RFC 3261 §12.2.1.1 needs to build a request in the dialog.
 */
import type { SipResponse } from '../message/sip-message.js';
import type { Destination, TransportProtocol } from '../transport/transport-types.js';
import { sendAndWait, type UserAgentCore } from '../user-agent/user-agent-core.js';
import { Dialog } from './dialog.js';
import type { InviteSession } from './invite-session.js';

export interface StoredDialog {
  callId: string;
  localTag: string;
  remoteTag: string;
  localUri: string;
  remoteUri: string;
  remoteTarget: string;
  routeSet: string[];
  /** Our last CSeq number in the dialog when it was stored. */
  localCSeq: number;
  transport: TransportProtocol;
  /** The flow in-dialog requests reused (UDP only: a TCP connection dies with the process). */
  destination?: { host: string; port: number };
  secure?: boolean;
}

/** The state of an answered session, to store. */
export function storedDialogOf(session: InviteSession): StoredDialog {
  const d = session.dialog;
  const flow = session.flow;
  return {
    callId: d.id.callId,
    localTag: d.id.localTag,
    remoteTag: d.id.remoteTag,
    localUri: d.localUri,
    remoteUri: d.remoteUri,
    remoteTarget: d.remoteTarget,
    routeSet: [...d.routeSet],
    localCSeq: d.localSeq,
    transport: session.protocol,
    ...(flow && flow.protocol === 'udp' ? { destination: { host: flow.host, port: flow.port } } : {}),
    ...(d.secure ? { secure: true } : {}),
  };
}

/**
 * Sends BYE in a stored dialog and resolves with the final response (a synthetic 408 on timeout, 503 on a
 * transport error, as for any request). Re-INVITEs and INFOs may have advanced our CSeq after the state was
 * stored; §12.2.1.1 only asks that it be higher than the last one, so the BYE jumps `cseqStep` above it.
 */
export async function sendStoredBye(core: UserAgentCore, stored: StoredDialog, cseqStep = 1000): Promise<SipResponse> {
  const dialog = Dialog.restore({
    id: { callId: stored.callId, localTag: stored.localTag, remoteTag: stored.remoteTag },
    role: 'uac',
    state: 'confirmed',
    localSeq: stored.localCSeq + cseqStep - 1,
    remoteSeq: undefined,
    localUri: stored.localUri,
    remoteUri: stored.remoteUri,
    remoteTarget: stored.remoteTarget,
    routeSet: stored.routeSet,
    secure: stored.secure === true,
  });
  const bye = dialog.createRequest('BYE');
  // The same next hop the live session used (invite-session.ts `nextHop`): the flow when there is no route set.
  const dest: Destination =
    stored.destination && stored.routeSet.length === 0
      ? { protocol: stored.transport, host: stored.destination.host, port: stored.destination.port }
      : await core.resolve(dialog.nextHopUri, stored.transport);
  return sendAndWait(core, bye, dest);
}
