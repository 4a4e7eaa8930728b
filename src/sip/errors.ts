/**
 * Named errors of the SIP stack, in one place. Each carries what a caller needs to act on it.
 */

/** A message that does not follow the RFC 3261 §25 grammar (or breaks a §8/§20 rule checked at parse time).
 *  `partial` holds whatever could be read, so the transport can still answer a request with 400 (§21.4.1). */
export class SipParseError extends Error {
  // Typed as string, not the literal, so SipLimitError can name itself.
  override readonly name: string = 'SipParseError';
  constructor(
    message: string,
    readonly partial?: { startLine: string; headers: Array<[string, string]> },
  ) {
    super(message);
  }
}

/** A message larger than the configured limit (64 KiB by default) or with too many header fields. Still a
 *  SipParseError, so the transport treats it as malformed; it never carries `partial` (the limits are
 *  checked before the headers are read), so the transport drops it and counts it (`malformed`, `dropped`)
 *  rather than answering — no 513 Message Too Large (§21.5.14) is sent. */
export class SipLimitError extends SipParseError {
  override readonly name: string = 'SipLimitError';
}

/** Sending failed at the transport (socket error, connection refused). The transaction user treats it as
 *  503 (RFC 3261 §8.1.3.1). */
export class SipTransportError extends Error {
  override readonly name = 'SipTransportError';
  constructor(
    message: string,
    readonly destination?: { host: string; port: number; protocol: string },
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export { InvalidStateError } from '../util/errors.js';

/** A request could not be built (bad URI, missing header). */
export class SipRequestError extends Error {
  override readonly name = 'SipRequestError';
}

/** The stack is closed; every pending operation is rejected with this. */
export class SipStackClosedError extends Error {
  override readonly name = 'SipStackClosedError';
  constructor() {
    super('the SIP stack is closed');
  }
}
