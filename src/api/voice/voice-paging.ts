/**
 * Lists (spec bandwidth §0): `page` (from 0) and `size` (default 25, max 1000); when a next page exists the
 * answer has `Link: <…?page=N+1&size=S>; rel="next"`, which published clients follow until it is absent.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { VoiceContext } from './voice-context.js';

export const pageQueryProperties = {
  page: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0, description: 'page number, from 0' },
  size: { type: 'integer', minimum: 1, maximum: 1000, default: 25, description: 'items per page (max 1000)' },
} as const;

export interface PageParams {
  page: number;
  size: number;
}

/** A page from a source that reads `size` items at offset `page * size`: the page, and whether one item
 *  exists after it (read as the page of size 1 at that offset). */
export async function readPage<T>(p: PageParams, read: (page: number, size: number) => Promise<T[]>): Promise<{ items: T[]; more: boolean }> {
  const items = await read(p.page, p.size);
  if (items.length < p.size) return { items, more: false };
  const next = await read((p.page + 1) * p.size, 1);
  return { items, more: next.length > 0 };
}

/** A page of an array already in memory. */
export function slicePage<T>(all: readonly T[], p: PageParams): { items: T[]; more: boolean } {
  const start = p.page * p.size;
  return { items: all.slice(start, start + p.size), more: all.length > start + p.size };
}

/** Sets `Link: rel="next"` when `more`: the request's own URL (its filters kept) with the next page. */
export function linkNext(req: FastifyRequest, reply: FastifyReply, c: VoiceContext, p: PageParams, more: boolean): void {
  if (!more) return;
  const url = new URL(req.url, 'http://x');
  url.searchParams.set('page', String(p.page + 1));
  url.searchParams.set('size', String(p.size));
  reply.header('Link', `<${c.origin}${url.pathname}${url.search}>; rel="next"`);
}
