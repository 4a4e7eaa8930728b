/**
 * `GET /metrics`: Prometheus text exposition (ringside-metrics.ts). Who may scrape (docs/security.md):
 * with RINGSIDE_METRICS_TOKEN set, a request bearing `Authorization: Bearer <token>` from anywhere; without
 * it, only a client on loopback. The figures name no account, but they say how busy the switch is and
 * which SIP methods peers send: not for the open internet.
 */
import { timingSafeEqual, createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RingsideMetrics } from './ringside-metrics.js';
import { ApiError, errorReplies } from '../shared/api-error.js';

export interface MetricsApiOptions {
  metrics: RingsideMetrics;
  /** Bearer token required when set; unset: loopback clients only. */
  token?: string;
}

export async function metricsApi(app: FastifyInstance, options: MetricsApiOptions): Promise<void> {
  const expected = options.token === undefined ? undefined : digest(options.token);
  // `public` to the auth plugin: the token (or loopback) is checked here; `security` says so in the OpenAPI document.
  const schema = {
    summary: 'Prometheus metrics',
    security: [{ metricsToken: [] as string[] }, {} as Record<string, string[]>],
    description: 'With `RINGSIDE_METRICS_TOKEN` set: `Authorization: Bearer <token>` from anywhere (else 401). Without it: loopback clients only (else 403).',
    response: { 200: { description: 'Prometheus text exposition format 0.0.4', content: { 'text/plain': { schema: { type: 'string' } } } }, ...errorReplies },
  };
  app.get('/metrics', { config: { auth: 'public' }, schema }, async (req: FastifyRequest, reply: FastifyReply) => {
    if (expected !== undefined) {
      const m = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '');
      // Compared as digests, in constant time: the length of the token is not told either.
      if (!m || !timingSafeEqual(digest(m[1] as string), expected)) {
        throw new ApiError(401, 'unauthorized', 'metrics need Authorization: Bearer <RINGSIDE_METRICS_TOKEN>', { 'www-authenticate': 'Bearer realm="ringside-metrics"' });
      }
    } else if (!isLoopback(req.socket.remoteAddress)) {
      throw new ApiError(403, 'forbidden', 'metrics are served to loopback clients only; set RINGSIDE_METRICS_TOKEN to scrape from elsewhere');
    }
    const body = await options.metrics.scrape();
    return reply.type(options.metrics.contentType).header('cache-control', 'no-store').send(body);
  });
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}

/** 127.0.0.0/8, ::1, and IPv4 loopback mapped into IPv6. */
export function isLoopback(address: string | undefined): boolean {
  if (address === undefined) return false;
  const v4 = address.startsWith('::ffff:') ? address.slice(7) : address;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4) || address === '::1';
}
