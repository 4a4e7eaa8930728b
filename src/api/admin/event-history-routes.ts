/**
 * Event history over REST and Server-Sent Events (docs/webhooks.md, "Event history"): any dialect's wire
 * events of the principal's account, from a cursor (the log position), so a client that missed webhooks or
 * was offline can catch up and resume.
 *
 * - `GET /events?dialect=&after=&limit=&session_id=&name=` → `{events:[{position,…,payload}], next, more}`.
 * - `GET /events/stream?dialect=&after=&session_id=&name=` → `text/event-stream` (sse-stream.ts).
 *   `Last-Event-ID` (sent by EventSource on reconnect) takes precedence over `after`; with neither, the
 *   stream starts live.
 *
 * Visibility: elevated principals see the whole account; other users see events whose audience includes
 * them (the realtime user-stream rule, ARCHITECTURE.md "Delivery guarantees").
 */
import type { FastifyInstance } from 'fastify';
import type { EventFilter, EventLog } from '../../events/log/event-log.js';
import { hasElevatedRole, type Principal } from '../../auth/principal.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { principalOf } from '../shared/auth-plugin.js';
import { pageBody } from '../shared/success-body.js';
import { ANY_ACCOUNT_PRINCIPAL } from './admin-auth.js';
import { LOGGED_EVENT_SCHEMA_ID, loggedEventView } from './logged-event-view.js';
import { SseStream } from './sse-stream.js';

export interface EventStreamOptions {
  /** Interval of SSE keep-alive comments, default 15 000 ms. */
  keepAliveMs?: number;
  /** Bytes an SSE client may fall behind once live before it is disconnected, default 1 MiB. */
  maxBufferBytes?: number;
}

export interface EventHistoryRouteOptions extends EventStreamOptions {
  events: EventLog;
}

const baseQuery = {
  dialect: { enum: ['realtime', 'teltel', 'bandwidth'] },
  // Bounded: ajv counts `1e309` (Infinity) as an integer, which SQLite cannot bind (found by test/fuzz).
  after: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER },
  session_id: { type: 'string', minLength: 1, maxLength: 128 },
  name: { type: 'string', minLength: 1, maxLength: 2000, description: 'event name, or several separated by commas' },
} as const;

type Query = { dialect?: string; after?: number; limit?: number; session_id?: string; name?: string };

function filterFor(p: Principal, q: Query): EventFilter {
  const f: EventFilter = { accountId: p.accountId };
  if (p.kind === 'user' && !hasElevatedRole(p)) f.userId = String(p.user.id);
  if (q.dialect) f.dialects = [q.dialect];
  if (q.session_id) f.sessionId = q.session_id;
  if (q.name) f.names = q.name.split(',').map((n) => n.trim()).filter(Boolean);
  return f;
}

export async function eventHistoryRoutes(app: FastifyInstance, options: EventHistoryRouteOptions): Promise<void> {
  const { events } = options;
  const keepAliveMs = options.keepAliveMs ?? 15_000;
  const maxBuffer = options.maxBufferBytes ?? 1024 * 1024;
  const streams = new Set<SseStream>();
  const config = { auth: ANY_ACCOUNT_PRINCIPAL };

  app.get(
    '/events',
    {
      config,
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: { ...baseQuery, limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } } },
        response: {
          200: pageBody('events', { $ref: `${LOGGED_EVENT_SCHEMA_ID}#` }),
          ...errorReplies,
        },
      },
    },
    async (req) => {
      const q = req.query as Query;
      const after = q.after ?? 0;
      const limit = q.limit ?? 100;
      const page = await events.read(after, filterFor(principalOf(req), q), limit);
      return { success: true, events: page.map(loggedEventView), next: page.at(-1)?.position ?? after, more: page.length === limit };
    },
  );

  app.get(
    '/events/stream',
    {
      config,
      schema: {
        querystring: { type: 'object', additionalProperties: false, properties: baseQuery },
        headers: { type: 'object', properties: { 'last-event-id': { type: 'string', description: 'the position to resume after (EventSource sends it on reconnect); wins over after' } } },
        response: {
          200: {
            description: 'text/event-stream: `id:` = position, `event:` = event name, `data:` = payload JSON; keep-alive comments',
            content: { 'text/event-stream': { schema: { type: 'string' } } },
          },
          ...errorReplies,
        },
      },
    },
    async (req, reply) => {
      const q = req.query as Query;
      let after = q.after;
      const lastEventId = req.headers['last-event-id'];
      if (typeof lastEventId === 'string' && lastEventId.trim() !== '') {
        if (!/^\d+$/.test(lastEventId.trim())) throw new ApiError(400, 'bad_request', `Last-Event-ID '${lastEventId}' is not a position (a non-negative integer)`);
        after = Number(lastEventId.trim());
      }
      const filter = filterFor(principalOf(req), q);
      const start = after ?? (await events.lastPosition());
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive', 'x-accel-buffering': 'no' });
      res.write(`: ringside event stream from position ${start}\nretry: 2000\n\n`);
      const stream = new SseStream({ res, events, filter, after: start, keepAliveMs, maxBuffer, onClosed: () => streams.delete(stream) });
      streams.add(stream);
      void stream.run();
    },
  );

  // Open streams would keep the server from closing: end them first.
  app.addHook('preClose', (done) => {
    for (const s of streams) s.close(': server shutting down\n\n');
    done();
  });
}
