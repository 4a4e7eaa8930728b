/**
 * Reports (spec realtime §5.6): `GET /reports/call-data?start_date&end_date` and a single entry by its
 * call id (= an event's `uniqueId`). Entries are texts (docs/messaging.md) and calls, which the switch
 * records when a call session ends (docs/realtime-api.md, "Call report entries"); listed together by time.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { CallRecord, MessageRecord, ReportEntry, Store } from '../store/store.js';
import { authenticate, hasElevatedRole, type Principal } from './authenticate.js';
import { params, missing } from './request-params.js';
import { fail } from './reply.js';

const MAX_ENTRIES = 10_000;

export function registerReportRoutes(app: FastifyInstance, store: Store): void {
  app.get('/reports/call-data', async (req, reply) => {
    const principal = await authenticate(req, store);
    const p = params(req);
    const absent = missing(p, ['start_date', 'end_date']);
    if (absent.length) return fail(reply, 400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    const from = day(p.start_date!);
    const to = day(p.end_date!);
    if (from === undefined || to === undefined) return fail(reply, 400, 'bad_parameter', 'start_date and end_date must be dates YYYY-MM-DD');
    if (to < from) return fail(reply, 400, 'bad_parameter', 'end_date is before start_date');
    const accountId = p.account_id ?? principal.accountId;
    if (accountId !== principal.accountId) return fail(reply, 403, 'forbidden', `no access to account ${accountId}`);
    // end_date is inclusive: the whole day.
    const entries = await store.listReportEntries(accountId, from, to + 86_400_000, MAX_ENTRIES);
    return { success: true, data: entries.filter((e) => visible(principal, e)).map(reportView) };
  });

  const single = async (req: FastifyRequest<{ Params: { account_id?: string; call_id: string } }>, reply: FastifyReply) => {
    const principal = await authenticate(req, store);
    const accountId = req.params.account_id ?? params(req).account_id ?? principal.accountId;
    if (accountId !== principal.accountId) return fail(reply, 403, 'forbidden', `no access to account ${accountId}`);
    const entry = await store.getReportEntry(accountId, req.params.call_id);
    if (!entry || !visible(principal, entry)) return fail(reply, 404, 'not_found', `no report entry ${req.params.call_id}`);
    return { success: true, data: [reportView(entry)] };
  };
  app.get('/reports/call-data/:call_id', single);
  app.get('/reports/call-data/:account_id/:call_id', single);
}

/** Users restricted to their own records see only entries tied to them (a call: its user, who answered,
 *  or any user it rang or concerned). */
function visible(p: Principal, e: ReportEntry): boolean {
  if (p.kind === 'api' || hasElevatedRole(p) || !p.user.ownRecordsOnly) return true;
  if (e.kind === 'message') return e.message.userId === p.user.id;
  return e.call.userId === p.user.id || e.call.answeredByUserId === p.user.id || e.call.userIds.includes(p.user.id);
}

/** The wire shape of a report entry (texts: docs/messaging.md; calls: docs/realtime-api.md). */
export function reportView(e: ReportEntry): Record<string, unknown> {
  return e.kind === 'message' ? messageView(e.message) : callView(e.call);
}

const wireTime = (ms: number): string => new Date(ms).toISOString().slice(0, 19) + '+00:00';

function messageView(m: MessageRecord): Record<string, unknown> {
  return {
    call_id: m.id,
    type: m.medium,
    direction: m.direction,
    from: m.from,
    to: m.to,
    date: wireTime(m.createdAt),
    message: m.body,
    status: m.status,
    ...(m.error ? { error: m.error } : {}),
    line_id: m.lineId ?? null,
    user_id: m.userId ?? null,
    components: m.components,
  };
}

function callView(c: CallRecord): Record<string, unknown> {
  return {
    call_id: c.id,
    type: 'voicecall',
    direction: c.direction,
    from: c.from,
    to: c.to,
    date: wireTime(c.startedAt),
    tracking_id: c.sessionId,
    ...(c.parentId !== undefined ? { parent_call_id: c.parentId } : {}),
    line_id: c.lineId ?? null,
    line_name: c.lineName ?? null,
    line_number: c.lineNumber ?? null,
    campaign_id: c.lineId ?? null,
    campaign_name: c.lineName !== undefined && c.lineNumber !== undefined ? `${c.lineName} ${c.lineNumber}` : null,
    user_id: c.userId ?? null,
    answered_by_user_id: c.answeredByUserId ?? null,
    user_ids: c.userIds,
    start_time: wireTime(c.startedAt),
    answer_time: c.answeredAt !== undefined ? wireTime(c.answeredAt) : null,
    end_time: wireTime(c.endedAt),
    duration: c.duration,
    billable_seconds: c.billableSeconds,
    disposition: c.disposition,
    is_missed_call: c.answeredAt === undefined,
    has_voicemail: c.hasVoicemail,
    voicemail_url: c.voicemailUrl ?? null,
    recording_url: c.recordingUrl ?? null,
    hangup_by: { kind: c.hangupBy.kind, number: c.hangupBy.number, user_id: c.hangupBy.userId ?? null },
    hangup_cause: c.cause,
    ...(c.callback
      ? {
          callback: {
            leg_1_phone_number: c.callback.leg1Number,
            leg_1_caller_id: c.callback.leg1CallerId,
            leg_2_phone_number: c.callback.leg2Number,
            leg_2_caller_id: c.callback.leg2CallerId,
            trace_id: c.callback.traceId ?? null,
          },
        }
      : {}),
    legs: c.legs.map((l) => ({
      leg_id: l.legId,
      role: l.role,
      direction: l.direction,
      party_type: l.partyKind,
      number: l.number,
      name: l.name ?? null,
      user_id: l.userId ?? null,
      caller_id: l.callerId ?? null,
      result: l.result ?? null,
      sip_status: l.sipStatus ?? null,
      cause: l.cause ?? null,
      ended_by: l.endedBy ?? null,
      start_time: wireTime(l.createdAt),
      answer_time: l.answeredAt !== undefined ? wireTime(l.answeredAt) : null,
      end_time: l.endedAt !== undefined ? wireTime(l.endedAt) : null,
    })),
  };
}

function day(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : t;
}
