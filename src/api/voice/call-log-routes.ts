/**
 * A call's history (spec bandwidth §3.6, §3.2): its event log — every callback event of the call, read
 * from the event log as the bandwidth dialect projected it (`[{id, time, name, data}]`, `data` being the
 * event as sent) — and its recordings.
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/store.js';
import type { EventLog, LogEntry } from '../../events/log/event-log.js';
import { contextOf } from './voice-context.js';
import { notFound } from './voice-error.js';
import { linkNext, readPage, type PageParams } from './voice-paging.js';
import { listQuery, pathParams } from './voice-schemas.js';
import { callEventSchema, callEventView, recordingSchema, recordingView } from './voice-views.js';
import { ok, okList } from './voice-replies.js';
import { findCall } from './call-routes.js';

/** Events read from the log per request. */
const READ_BATCH = 500;

type CallParams = { userId: string; callId: string };

export async function callLogRoutes(app: FastifyInstance, { store, events }: { store: Store; events: EventLog }): Promise<void> {
  const config = { auth: { schemes: ['basic-api'] as const } };

  /** The call's events: its session's bandwidth events whose `callId` is this call (a session may hold
   *  several calls: a transfer's new call, a bridge's other leg). */
  const callEvents = async (accountId: string, callId: string): Promise<LogEntry[]> => {
    const call = await findCall(store, accountId, callId);
    const out: LogEntry[] = [];
    for (let after = 0; ; ) {
      const batch = await events.read(after, { accountId, sessionId: call.sessionId, dialects: ['bandwidth'] }, READ_BATCH);
      out.push(...batch.filter((e) => e.payload.callId === call.id));
      if (batch.length < READ_BATCH) return out;
      after = batch[batch.length - 1]!.position;
    }
  };

  app.get('/:userId/calls/:callId/events', { config, schema: { params: pathParams('callId'), response: okList(callEventSchema) } }, async (req) => {
    const c = contextOf(req);
    return (await callEvents(c.accountId, (req.params as CallParams).callId)).map(callEventView);
  });

  app.get('/:userId/calls/:callId/events/:eventId', { config, schema: { params: pathParams('callId', 'eventId'), response: ok(callEventSchema) } }, async (req) => {
    const c = contextOf(req);
    const { callId, eventId } = req.params as CallParams & { eventId: string };
    const e = (await callEvents(c.accountId, callId)).find((x) => x.id === eventId);
    if (!e) throw notFound('call-event-not-found', 'call event', eventId);
    return callEventView(e);
  });

  app.get('/:userId/calls/:callId/recordings', { config, schema: { params: pathParams('callId'), querystring: listQuery(), response: okList(recordingSchema) } }, async (req, reply) => {
    const c = contextOf(req);
    const call = await findCall(store, c.accountId, (req.params as CallParams).callId);
    const p = req.query as PageParams;
    const { items, more } = await readPage(p, (page, size) => store.listVoiceResources(c.accountId, 'recording', { callId: call.id, page, size }));
    linkNext(req, reply, c, p, more);
    return items.map((r) => recordingView(c, r));
  });
}
