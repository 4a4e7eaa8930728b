/**
 * Reports (spec realtime §5.6): `GET /reports/call-data?start_date&end_date` and a single entry by its
 * call id (= an event's `uniqueId`). Texts are entries now; calls join when the switch records them.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReportEntry, Store } from '../store/store.js';
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

/** Users restricted to their own records see only entries tied to them. */
function visible(p: Principal, e: ReportEntry): boolean {
  if (p.kind === 'api' || hasElevatedRole(p) || !p.user.ownRecordsOnly) return true;
  return e.message.userId === p.user.id;
}

/** The wire shape of a report entry (docs/messaging.md). */
export function reportView(e: ReportEntry): Record<string, unknown> {
  const m = e.message;
  return {
    call_id: m.id,
    type: m.medium,
    direction: m.direction,
    from: m.from,
    to: m.to,
    date: new Date(m.createdAt).toISOString().slice(0, 19) + '+00:00',
    message: m.body,
    status: m.status,
    ...(m.error ? { error: m.error } : {}),
    line_id: m.lineId ?? null,
    user_id: m.userId ?? null,
    components: m.components,
  };
}

function day(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : t;
}
