/**
 * The multipart bodies MMS travels in over SIP MESSAGE (RFC 2046 §5.1 multipart/mixed or /related, as
 * carriers send them): the text/plain part is the message text, every other part a media part.
 */
import { randomBytes } from 'node:crypto';
import { baseType, type MediaPart } from './text-limits.js';

export interface ParsedBody {
  text: string;
  parts: MediaPart[];
}

/** Splits a MESSAGE body by its Content-Type. A non-multipart text body is the text itself. */
export function parseMessageBody(contentType: string | undefined, body: Buffer): ParsedBody {
  const type = baseType(contentType ?? 'text/plain');
  if (!type.startsWith('multipart/')) {
    if (type === 'text/plain' || type === '') return { text: body.toString('utf8'), parts: [] };
    return { text: '', parts: [{ contentType: contentType!, data: body }] };
  }
  const boundary = /boundary\s*=\s*(?:"([^"]+)"|([^;\s]+))/i.exec(contentType ?? '');
  const b = boundary?.[1] ?? boundary?.[2];
  if (!b) throw new Error('multipart body without a boundary parameter');
  const delimiter = Buffer.from(`--${b}`);
  const out: ParsedBody = { text: '', parts: [] };
  const texts: string[] = [];
  let pos = body.indexOf(delimiter);
  if (pos < 0) throw new Error('multipart body without its boundary');
  for (;;) {
    pos += delimiter.length;
    if (body.subarray(pos, pos + 2).toString() === '--') break;
    const next = body.indexOf(delimiter, pos);
    if (next < 0) throw new Error('multipart body not closed by its boundary');
    // The CRLF before a delimiter belongs to the delimiter (RFC 2046 §5.1.1).
    let part = body.subarray(pos, next);
    if (part.subarray(0, 2).toString() === '\r\n') part = part.subarray(2);
    else if (part[0] === 0x0a) part = part.subarray(1);
    if (part.subarray(-2).toString() === '\r\n') part = part.subarray(0, -2);
    else if (part.at(-1) === 0x0a) part = part.subarray(0, -1);
    const split = headerEnd(part);
    const headers = parseHeaders(part.subarray(0, split.at).toString('latin1'));
    let data = part.subarray(split.at + split.len);
    if ((headers.get('content-transfer-encoding') ?? '').toLowerCase() === 'base64') data = Buffer.from(data.toString('latin1').replace(/\s+/g, ''), 'base64');
    const ct = headers.get('content-type') ?? 'text/plain';
    const filename = /filename\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(headers.get('content-disposition') ?? '') ?? /name\s*=\s*(?:"([^"]*)"|([^;\s]+))/i.exec(ct);
    const name = filename?.[1] ?? filename?.[2];
    if (baseType(ct) === 'text/plain' && !name) texts.push(data.toString('utf8'));
    else if (baseType(ct) !== 'application/smil') out.parts.push({ contentType: ct, data, ...(name ? { filename: name } : {}) });
    pos = next;
  }
  out.text = texts.join('\n');
  return out;
}

/** Builds a multipart/mixed MMS body: the text first, then each media part, base64-encoded. */
export function buildMessageBody(text: string, parts: readonly MediaPart[]): { contentType: string; body: Buffer } {
  if (parts.length === 0) return { contentType: 'text/plain;charset=UTF-8', body: Buffer.from(text, 'utf8') };
  const boundary = `ringside-${randomBytes(12).toString('hex')}`;
  const chunks: Buffer[] = [];
  const add = (headers: string[], data: Buffer) => {
    chunks.push(Buffer.from(`--${boundary}\r\n${headers.join('\r\n')}\r\n\r\n`, 'latin1'), data, Buffer.from('\r\n'));
  };
  if (text !== '') add(['Content-Type: text/plain;charset=UTF-8'], Buffer.from(text, 'utf8'));
  for (const p of parts) {
    const name = p.filename ? `; filename="${p.filename.replace(/["\r\n]/g, '_')}"` : '';
    add([`Content-Type: ${baseType(p.contentType)}`, 'Content-Transfer-Encoding: base64', `Content-Disposition: attachment${name}`], Buffer.from(p.data.toString('base64').replace(/.{76}/g, '$&\r\n')));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { contentType: `multipart/mixed;boundary="${boundary}"`, body: Buffer.concat(chunks) };
}

function headerEnd(part: Buffer): { at: number; len: number } {
  const crlf = part.indexOf('\r\n\r\n');
  if (crlf >= 0) return { at: crlf, len: 4 };
  const lf = part.indexOf('\n\n');
  if (lf >= 0) return { at: lf, len: 2 };
  // A part with no headers starts with its blank line.
  if (part.subarray(0, 2).toString() === '\r\n') return { at: 0, len: 2 };
  return { at: 0, len: 0 };
}

function parseHeaders(text: string): Map<string, string> {
  const m = new Map<string, string>();
  for (const line of text.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const i = line.indexOf(':');
    if (i > 0) m.set(line.slice(0, i).trim().toLowerCase(), line.slice(i + 1).trim());
  }
  return m;
}
