/**
 * DTMF carried in SIP INFO bodies (RFC 6086 transport; the bodies are de-facto formats):
 * - `application/dtmf-relay`: `Signal=5\r\nDuration=160\r\n` (Duration in ms);
 * - `application/dtmf`: the digit alone, or its RFC 4733 event number (`11` for `#`).
 * The SIP layer hands the body here and answers 415 on UnsupportedFormatError.
 */
import { UnsupportedFormatError } from './errors.js';
import { digitForEvent } from './dtmf-rfc4733.js';

export interface SipInfoDigit {
  digit: string;
  durationMs: number;
}

export const DTMF_INFO_CONTENT_TYPES = ['application/dtmf-relay', 'application/dtmf'] as const;

const DEFAULT_DURATION_MS = 160;

function toDigit(value: string): string | null {
  const v = value.trim().toUpperCase();
  if (/^[0-9*#A-D]$/.test(v)) return v;
  // Numeric event codes, as some gateways send (10 = *, 11 = #, 12-15 = A-D).
  if (/^1[0-5]$/.test(v)) return digitForEvent(Number(v));
  return null;
}

export function parseSipInfoDtmf(contentType: string, body: string): SipInfoDigit {
  const type = contentType.split(';')[0]!.trim().toLowerCase();
  if (type === 'application/dtmf-relay') {
    const fields = new Map<string, string>();
    for (const line of body.split(/\r?\n/)) {
      const m = /^\s*([A-Za-z-]+)\s*=\s*(.*?)\s*$/.exec(line);
      if (m) fields.set(m[1]!.toLowerCase(), m[2]!);
    }
    const digit = toDigit(fields.get('signal') ?? '');
    if (!digit) throw new UnsupportedFormatError(`application/dtmf-relay body has no valid Signal= line: ${JSON.stringify(body.slice(0, 80))}`);
    const d = Number(fields.get('duration'));
    return { digit, durationMs: Number.isFinite(d) && d > 0 ? Math.round(d) : DEFAULT_DURATION_MS };
  }
  if (type === 'application/dtmf') {
    const digit = toDigit(body);
    if (!digit) throw new UnsupportedFormatError(`application/dtmf body is not a digit: ${JSON.stringify(body.slice(0, 80))}`);
    return { digit, durationMs: DEFAULT_DURATION_MS };
  }
  throw new UnsupportedFormatError(`INFO body type '${type}' does not carry DTMF (expected ${DTMF_INFO_CONTENT_TYPES.join(' or ')})`);
}
