/**
 * The fields and media parts of a text from a request body, for send-MMS (spec realtime §5.5) and the
 * carriers' HTTP inbound endpoint (docs/messaging.md): `multipart/form-data` with file parts, or JSON media
 * as base64. Limits are the text limits (messaging/text-limits.ts), reworded to name the broken rule.
 */
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { TEXT_LIMITS, type MediaPart } from '../../messaging/text-limits.js';
import { ApiError } from './api-error.js';

export async function readMultipart(req: FastifyRequest): Promise<{ fields: Record<string, string | undefined>; files: MediaPart[] }> {
  const fields: Record<string, string | undefined> = {};
  const files: MediaPart[] = [];
  try {
    for await (const part of req.parts({ limits: { fileSize: TEXT_LIMITS.maxPartBytes, files: TEXT_LIMITS.maxParts, fields: 50, fieldSize: 64 * 1024 } })) {
      if (part.type === 'file') {
        const f = part as MultipartFile;
        const data = await f.toBuffer();
        files.push({ contentType: f.mimetype, data, ...(f.filename ? { filename: f.filename } : {}) });
      } else if (typeof part.value === 'string') fields[part.fieldname] = part.value;
    }
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'FST_FILES_LIMIT') throw new ApiError(413, 'too_many_parts', `at most ${TEXT_LIMITS.maxParts} media parts are allowed`);
    if (code === 'FST_REQ_FILE_TOO_LARGE') throw new ApiError(413, 'part_too_large', `a media part is larger than ${TEXT_LIMITS.maxPartBytes} bytes`);
    if (err instanceof ApiError) throw err;
    // Everything else the loop can throw is the body's fault: the part limits, and busboy's refusals of a
    // malformed body ("Unexpected end of form", "Malformed part header"…, no code): 400, not 500.
    throw new ApiError(400, 'bad_multipart', `malformed multipart body: ${(err as Error).message}`);
  }
  return { fields, files };
}

/** JSON `media: [{contentType, filename?, data (base64)}]`. */
export function decodeMediaJson(media: unknown): MediaPart[] {
  if (!Array.isArray(media)) throw new ApiError(400, 'bad_media', '"media" must be an array of {contentType, filename, data (base64)}');
  return media.map((m: unknown, i) => {
    const x = m as { contentType?: unknown; filename?: unknown; data?: unknown };
    if (typeof x?.contentType !== 'string' || typeof x.data !== 'string') throw new ApiError(400, 'bad_media', `media[${i}] needs "contentType" and base64 "data"`);
    return { contentType: x.contentType, data: Buffer.from(x.data, 'base64'), ...(typeof x.filename === 'string' ? { filename: x.filename } : {}) };
  });
}
