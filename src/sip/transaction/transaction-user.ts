import type { SipTransportError } from '../errors.js';
import type { SipRequest, SipResponse } from '../message/sip-message.js';

/**
 * The contract between a client transaction and its user (RFC 3261 §17.1): responses are passed up; a
 * timeout (Timer B or F) is to be treated as a 408 and a transport failure as a 503 (§8.1.3.1).
 */
export interface ClientTransactionUser {
  /** A response the transaction passes up: provisional, the final one, and (INVITE, RFC 6026 §7.2) 2xx
   *  retransmissions in the Accepted state so the dialog can re-send its ACK. */
  receiveResponse(response: SipResponse): void;
  /** Timer B or Timer F fired: no final response arrived. Treat as 408 Request Timeout. */
  onRequestTimeout(): void;
  /** The transport could not send the request. Treat as 503 Service Unavailable. */
  onTransportError(error: SipTransportError): void;
  onTerminated?(): void;
}

/** The contract between a server transaction and its user (RFC 3261 §17.2). */
export interface ServerTransactionUser {
  /** The transport could not send a response (§17.2.4: the TU is informed). */
  onTransportError?(error: SipTransportError): void;
  /** INVITE: Timer H fired; the ACK for a non-2xx final response never came (§17.2.1). */
  onAckTimeout?(): void;
  /** INVITE: a CANCEL matched this transaction (§9.2); the TU should answer the INVITE with 487. */
  onCancel?(cancel: SipRequest): void;
  onTerminated?(): void;
}

/** Builds the response a timeout or transport error stands for (§8.1.3.1), for users that want one path. */
export type SyntheticStatus = 408 | 503;
