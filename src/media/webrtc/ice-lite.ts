/**
 * ICE-lite (RFC 8445 §2.5, RFC 8839 §5.2): Ringside has one host candidate (the advertised media address and
 * the endpoint's RTP port), never sends checks, is always the controlled agent, and answers the peer's STUN
 * Binding requests (RFC 5389 §7.3) with message-integrity under our ice-pwd (short-term credentials, RFC 8445
 * §7.3). The address a valid check with USE-CANDIDATE came from is where media goes (§7.3.1.5); before any
 * nomination the first valid check's source is used, so media can start with aggressive nomination too.
 * The STUN codec is werift's; the logic here is small enough that a full (non-lite) agent is not needed.
 */
import { randomBytes } from 'node:crypto';
import { Message, classes, methods, parseMessage } from 'werift';
import type { Address } from '../rtp-session.js';

/** ice-char is ALPHA / DIGIT / "+" / "/" (RFC 8839 §5.4): base64 without padding fits. */
function iceToken(bytes: number): string {
  return randomBytes(bytes).toString('base64').replace(/=+$/, '');
}

export interface IceCheckResult {
  /** The datagram to send back to `from`. */
  response: Buffer;
  /** The check carried USE-CANDIDATE: the peer nominated this pair. */
  nominated: boolean;
}

export class IceLite {
  /** ice-ufrag: 4-256 chars, ice-pwd: 22-256 chars (RFC 8839 §5.4). */
  readonly ufrag = iceToken(6);
  readonly pwd = iceToken(18);
  remoteUfrag: string | null = null;
  /** Where a valid check came from last (nominated wins). */
  selected: Address | null = null;
  #nominated = false;
  checks = 0;

  /**
   * A STUN datagram on the RTP port. Returns the response for a valid Binding request, or null for anything
   * to drop silently (bad credentials, not a request, not ours: RFC 5389 §10.1.2 says 401, but an unknown
   * sender gets nothing from us).
   */
  handle(data: Buffer, from: Address): IceCheckResult | null {
    const msg = parseMessage(data, Buffer.from(this.pwd, 'utf8'));
    if (!msg || msg.messageMethod !== methods.BINDING || msg.messageClass !== classes.REQUEST) return null;
    const username = msg.getAttributeValue('USERNAME') as string | undefined;
    // USERNAME is "<our ufrag>:<their ufrag>" in a check sent to us (RFC 8445 §7.2.2).
    if (typeof username !== 'string' || username.split(':')[0] !== this.ufrag) return null;
    if (this.remoteUfrag && username.split(':')[1] !== this.remoteUfrag) return null;
    this.checks++;
    const nominated = msg.attributesKeys.includes('USE-CANDIDATE');
    if (nominated || !this.#nominated) this.selected = { ...from };
    if (nominated) this.#nominated = true;
    const response = new Message(methods.BINDING, classes.RESPONSE, msg.transactionId)
      .setAttribute('XOR-MAPPED-ADDRESS', [from.address, from.port])
      .addMessageIntegrity(Buffer.from(this.pwd, 'utf8'))
      .addFingerprint();
    return { response: response.bytes, nominated };
  }
}
