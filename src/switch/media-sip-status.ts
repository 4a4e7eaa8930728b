/**
 * The SIP status the switch answers with when the media engine refuses something (ARCHITECTURE.md: media
 * knows nothing of SIP; the switch maps its errors). One table, coded once:
 *
 * | media error                                   | SIP status                                           |
 * |-----------------------------------------------|------------------------------------------------------|
 * | CodecMismatchError, SdpError                  | 488 Not Acceptable Here (RFC 3261 §21.4.26, RFC 3264 §6) |
 * | PortsExhaustedError                           | 503 Service Unavailable (RFC 3261 §21.5.4)           |
 * | UnsupportedFormatError, on a DTMF INFO whose Content-Type the engine does not read | 415 Unsupported Media Type (RFC 3261 §21.4.13, RFC 6086 §4.2.2) |
 * | anything else                                 | undefined: the caller picks its default              |
 *
 * A DTMF INFO of a type the engine reads but whose body holds no digit is undefined here: the switch
 * answers it 400 (docs/switch.md, "In a bridged call").
 *
 * The errors cross the media worker's thread boundary: media-rpc.ts rebuilds the class by name, so
 * `instanceof` holds; an error that was not rebuilt still carries the class's name.
 */
import { CodecMismatchError, PortsExhaustedError, SdpError, UnsupportedFormatError } from '../media/errors.js';
import { DTMF_INFO_CONTENT_TYPES } from '../media/dtmf-sip-info.js';

/** What the request that met the error was, when that changes the answer. */
export interface MediaErrorContext {
  /** A SIP INFO carrying DTMF (RFC 6086), with its Content-Type. */
  dtmfInfo?: { contentType: string };
}

type ErrorClass = abstract new (...args: never[]) => Error;

/** `instanceof`, else the name the class gives its errors (MediaError sets `name` to the class's name). */
function is(err: unknown, cls: ErrorClass, name: string): boolean {
  return err instanceof cls || (err instanceof Error && err.name === name);
}

const readsType = (contentType: string): boolean => (DTMF_INFO_CONTENT_TYPES as readonly string[]).includes(contentType.split(';')[0]!.trim().toLowerCase());

export function sipStatusForMediaError(err: unknown, context: MediaErrorContext = {}): number | undefined {
  if (is(err, CodecMismatchError, 'CodecMismatchError') || is(err, SdpError, 'SdpError')) return 488;
  if (is(err, PortsExhaustedError, 'PortsExhaustedError')) return 503;
  if (context.dtmfInfo && is(err, UnsupportedFormatError, 'UnsupportedFormatError') && !readsType(context.dtmfInfo.contentType)) return 415;
  return undefined;
}
