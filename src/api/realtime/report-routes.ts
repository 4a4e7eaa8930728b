/**
 * Reports (spec realtime §5.6): `GET /reports/call-data?start_date&end_date` and a single entry by its
 * call id (= an event's `uniqueId`). Entries are texts (docs/messaging.md) and calls, which the switch
 * records when a call session ends (docs/realtime-api.md, "Call report entries"); listed together by time.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ReportEntry, Store } from '../../store/store.js';
import { hasElevatedRole, type Principal } from '../../auth/principal.js';
import { ApiError, errorReplies } from '../shared/api-error.js';
import { ACCOUNT_SCHEMES, principalOf } from '../shared/auth-plugin.js';
import { accountIdParam, missing, params, providerParams } from '../shared/request-params.js';
import { successBody } from '../shared/success-body.js';
import { REPORT_ENTRY_SCHEMA_ID, reportView } from './report-entry.js';

const MAX_ENTRIES = 10_000;

export interface ReportRouteOptions {
  store: Store;
}

const entries = successBody({ data: { type: 'array', items: { $ref: `${REPORT_ENTRY_SCHEMA_ID}#` } } });

export async function reportRoutes(app: FastifyInstance, { store }: ReportRouteOptions): Promise<void> {
  const config = { auth: { schemes: ACCOUNT_SCHEMES } };

  const listParams = providerParams({
    start_date: { description: 'YYYY-MM-DD, UTC (required)' },
    end_date: { description: 'YYYY-MM-DD, UTC, inclusive (required)' },
    ...accountIdParam,
  });
  app.get('/reports/call-data', { config, schema: { querystring: listParams.querystring, response: { 200: entries, ...errorReplies } } }, async (req) => {
    const principal = principalOf(req);
    const p = params(req);
    const absent = missing(p, ['start_date', 'end_date']);
    if (absent.length) throw new ApiError(400, 'missing_parameters', `missing required parameter(s): ${absent.join(', ')}`);
    const from = day(p.start_date!);
    const to = day(p.end_date!);
    if (from === undefined || to === undefined) throw new ApiError(400, 'bad_parameter', 'start_date and end_date must be dates YYYY-MM-DD');
    if (to < from) throw new ApiError(400, 'bad_parameter', 'end_date is before start_date');
    const accountId = p.account_id ?? principal.accountId;
    if (accountId !== principal.accountId) throw new ApiError(403, 'forbidden', `no access to account ${accountId}`);
    // end_date is inclusive: the whole day.
    const list = await store.listReportEntries(accountId, from, to + 86_400_000, MAX_ENTRIES);
    return { success: true, data: list.filter((e) => visible(principal, e)).map(reportView) };
  });

  const single = async (req: FastifyRequest<{ Params: { account_id?: string; call_id: string } }>) => {
    const principal = principalOf(req);
    const accountId = req.params.account_id ?? params(req).account_id ?? principal.accountId;
    if (accountId !== principal.accountId) throw new ApiError(403, 'forbidden', `no access to account ${accountId}`);
    const entry = await store.getReportEntry(accountId, req.params.call_id);
    if (!entry || !visible(principal, entry)) throw new ApiError(404, 'not_found', `no report entry ${req.params.call_id}`);
    return { success: true, data: [reportView(entry)] };
  };
  const singleSchema = (withAccount: boolean) => ({
    params: {
      type: 'object',
      required: withAccount ? ['account_id', 'call_id'] : ['call_id'],
      properties: { ...(withAccount ? { account_id: { type: 'string' } } : {}), call_id: { type: 'string', description: "the events' uniqueId" } },
    },
    querystring: providerParams(accountIdParam).querystring,
    response: { 200: entries, ...errorReplies },
  });
  app.get('/reports/call-data/:call_id', { config, schema: singleSchema(false) }, single);
  app.get('/reports/call-data/:account_id/:call_id', { config, schema: singleSchema(true) }, single);
}

/** Users restricted to their own records see only entries tied to them (a call: its user, who answered,
 *  or any user it rang or concerned). */
function visible(p: Principal, e: ReportEntry): boolean {
  if (p.kind === 'api' || hasElevatedRole(p) || !p.user.ownRecordsOnly) return true;
  if (e.kind === 'message') return e.message.userId === p.user.id;
  return e.call.userId === p.user.id || e.call.answeredByUserId === p.user.id || e.call.userIds.includes(p.user.id);
}

function day(s: string): number | undefined {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const t = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(t) ? undefined : t;
}
