/**
 * Who a voice-API request acts for and where its URLs point, set once per request by voice-api.ts after
 * authentication: the account, its voice user id (`/v1/users/{userId}`), and the public origin that
 * resources' URLs and `Location` headers use — the server's `publicUrl` when configured, else the
 * request's own protocol and Host (so a client reaching Ringside at any address gets URLs it can follow).
 */
import type { FastifyRequest } from 'fastify';
import { VoiceApiError } from './voice-error.js';

export interface VoiceContext {
  accountId: string;
  userId: string;
  /** `https://host[/prefix]`, no trailing slash. */
  origin: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the voice API's hook (voice-api.ts) before its handlers run. */
    voiceContext: VoiceContext | null;
  }
}

export function contextOf(req: FastifyRequest): VoiceContext {
  const c = req.voiceContext;
  if (!c) throw new VoiceApiError(401, 'authentication', 'not-authenticated', 'not authenticated');
  return c;
}

/** The origin URLs are built on: `publicUrl` when set, else the request's protocol and Host, else (an
 *  HTTP/1.0 request without Host) the address and port the request arrived on. */
export function originOf(req: FastifyRequest, publicUrl: string | undefined): string {
  if (publicUrl) return publicUrl.replace(/\/+$/, '');
  return `${req.protocol}://${req.host || arrivedAt(req)}`;
}

function arrivedAt(req: FastifyRequest): string {
  const address = (req.socket.localAddress ?? '').replace(/^::ffff:/, '');
  return `${address.includes(':') ? `[${address}]` : address}:${req.socket.localPort ?? ''}`;
}

/** `{origin}/v1/users/{userId}/a/b…`, each segment URL-encoded. */
export function userUrl(c: VoiceContext, ...segments: string[]): string {
  return `${c.origin}/v1/users/${encodeURIComponent(c.userId)}${segments.map((s) => '/' + encodeURIComponent(s)).join('')}`;
}
