import { MessagingError } from './errors.js';

/** Bounds on what a text may carry; anything beyond is refused whole, before anything is stored. */
export const TEXT_LIMITS = {
  /** Characters of text: 10 concatenated SMS segments. */
  maxBodyChars: 1600,
  maxParts: 10,
  maxPartBytes: 5 * 1024 * 1024,
  maxTotalBytes: 10 * 1024 * 1024,
} as const;

/** Media types carriers commonly pass through MMS. */
const ALLOWED_TYPES = new Set([
  'image/jpeg', 'image/png', 'image/gif', 'image/bmp', 'image/webp',
  'video/mp4', 'video/3gpp', 'video/quicktime',
  'audio/mpeg', 'audio/mp4', 'audio/amr', 'audio/wav', 'audio/ogg', 'audio/3gpp',
  'text/plain', 'text/vcard', 'text/x-vcard', 'text/calendar',
  'application/pdf', 'application/smil',
]);

export interface MediaPart {
  contentType: string;
  data: Buffer;
  filename?: string;
}

export function baseType(contentType: string): string {
  return contentType.split(';')[0]!.trim().toLowerCase();
}

/** `maxChars`: the text's bound when not the default (voice-API texts: 2048, spec bandwidth §3.10). */
export function checkText(body: string, parts: readonly MediaPart[], maxChars: number = TEXT_LIMITS.maxBodyChars): void {
  if ([...body].length > maxChars) throw new MessagingError('body_too_long', `the text is ${[...body].length} characters; at most ${maxChars} are allowed`, 413);
  if (parts.length > TEXT_LIMITS.maxParts) throw new MessagingError('too_many_parts', `${parts.length} media parts; at most ${TEXT_LIMITS.maxParts} are allowed`, 413);
  let total = 0;
  parts.forEach((p, i) => {
    const type = baseType(p.contentType);
    if (!ALLOWED_TYPES.has(type)) throw new MessagingError('unsupported_media_type', `part ${i + 1}${p.filename ? ` (${p.filename})` : ''}: content type '${type}' is not allowed in an MMS`, 415);
    if (p.data.length > TEXT_LIMITS.maxPartBytes) throw new MessagingError('part_too_large', `part ${i + 1}${p.filename ? ` (${p.filename})` : ''} is ${p.data.length} bytes; at most ${TEXT_LIMITS.maxPartBytes} are allowed`, 413);
    total += p.data.length;
  });
  if (total > TEXT_LIMITS.maxTotalBytes) throw new MessagingError('message_too_large', `media total ${total} bytes; at most ${TEXT_LIMITS.maxTotalBytes} are allowed`, 413);
}

/** `10-digit or E.164` (spec realtime §5.4): ten digits are taken as a North American number. */
export function normalizeNumber(raw: string): string | undefined {
  const s = raw.trim().replace(/[\s().-]/g, '');
  if (/^\+[1-9][0-9]{6,14}$/.test(s)) return s;
  if (/^[2-9][0-9]{9}$/.test(s)) return `+1${s}`;
  if (/^1[2-9][0-9]{9}$/.test(s)) return `+${s}`;
  return undefined;
}
