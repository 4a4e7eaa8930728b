/**
 * `POST /messages` `media` (spec bandwidth §3.10): a list of URLs. The texts engine carries media as parts
 * (bytes with a type), so each URL is fetched here, once, when the message is sent — bounded by the
 * engine's own MMS limits (text-limits.ts: 10 parts, 5 MiB each) and a 10 s timeout per URL — and the
 * parts go out as an MMS like any other. Credentials in a URL (`https://user:pass@host/…`, as spec
 * bandwidth §1.3 allows for callbacks) are sent as HTTP Basic, since fetch refuses them in the URL.
 */
import { TEXT_LIMITS, type MediaPart } from '../../messaging/text-limits.js';
import { VoiceApiError } from './voice-error.js';

/** Per URL, connection to last byte. */
export const MEDIA_FETCH_TIMEOUT_MS = 10_000;

export async function fetchMedia(urls: readonly string[], timeoutMs = MEDIA_FETCH_TIMEOUT_MS): Promise<MediaPart[]> {
  if (urls.length > TEXT_LIMITS.maxParts) throw mediaError(urls.length - 1, urls.at(-1) ?? '', 'too-many-media', `${urls.length} media URLs; at most ${TEXT_LIMITS.maxParts} are allowed`);
  const parts: MediaPart[] = [];
  for (const [i, raw] of urls.entries()) parts.push(await fetchOne(i, raw, timeoutMs));
  return parts;
}

async function fetchOne(i: number, raw: string, timeoutMs: number): Promise<MediaPart> {
  const url = new URL(raw);
  const headers: Record<string, string> = {};
  if (url.username || url.password) {
    headers.authorization = 'Basic ' + Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64');
    url.username = '';
    url.password = '';
  }
  let res: Response;
  try {
    res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs) });
  } catch (err) {
    throw mediaError(i, raw, 'media-fetch-failed', `media[${i}] ${raw} could not be fetched: ${reason(err)}`);
  }
  if (!res.ok) {
    await res.body?.cancel();
    throw mediaError(i, raw, 'media-fetch-failed', `media[${i}] ${raw} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > TEXT_LIMITS.maxPartBytes) {
    await res.body?.cancel();
    throw tooLarge(i, raw);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res.body ?? []) {
      size += chunk.length;
      // Leaving the loop cancels the body.
      if (size > TEXT_LIMITS.maxPartBytes) throw tooLarge(i, raw);
      chunks.push(Buffer.from(chunk));
    }
  } catch (err) {
    if (err instanceof VoiceApiError) throw err;
    throw mediaError(i, raw, 'media-fetch-failed', `media[${i}] ${raw} could not be read: ${reason(err)}`);
  }
  const name = decodeURIComponent(url.pathname.split('/').pop() ?? '');
  return { contentType: res.headers.get('content-type') ?? 'application/octet-stream', data: Buffer.concat(chunks), ...(name ? { filename: name } : {}) };
}

function tooLarge(i: number, raw: string): VoiceApiError {
  return mediaError(i, raw, 'media-too-large', `media[${i}] ${raw} is larger than ${TEXT_LIMITS.maxPartBytes} bytes`);
}

function mediaError(i: number, url: string, code: string, message: string): VoiceApiError {
  return new VoiceApiError(400, 'bad-request', code, message, [{ name: `media[${i}]`, value: url }]);
}

function reason(err: unknown): string {
  const e = err as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return 'timed out';
  return e.cause?.code ?? e.cause?.message ?? e.message ?? String(err);
}
