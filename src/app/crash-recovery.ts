/**
 * What Ringside does at start about a predecessor that died (docs/reliability.md): first the call report
 * entries lost between a durable `session.ended` and the report writer's write (report-sweep.ts), then
 * every session the log still shows open is torn down and closed (switch/session-recovery.ts), and the
 * voice-API resources it left unfinished are closed too (switch/voice/voice-recovery.ts). Registrations
 * (the store's SIP bindings) and the webhook outbox need nothing here: both are durable and resume as their
 * services start.
 */
import type { EventLog } from '../events/log/event-log.js';
import type { FactSink } from '../events/model/fact-sink.js';
import type { Logger } from '../log/logger.js';
import type { SipStack } from '../sip/index.js';
import type { Store } from '../store/store.js';
import { sweepMissingReports } from '../dialects/reports/report-sweep.js';
import { recoverSession } from '../switch/session-recovery.js';
import { closeCutVoiceResources } from '../switch/voice/voice-recovery.js';

/** The writer lags a session's end by milliseconds; a minute before the log's last entry covers the loss. */
const REPORT_SWEEP_MARGIN_MS = 60_000;

export interface CrashRecoveryDeps {
  events: EventLog;
  store: Pick<Store, 'getReportEntry' | 'putCall' | 'listUnfinishedVoiceResources' | 'putVoiceResource'>;
  facts: FactSink;
  stack: SipStack;
  logger: Logger;
  byeTimeoutMs?: number;
  /** The sessions this node must close: by default every open one; on a shared log (NATS) only those this
   *  node id started, since the others belong to live nodes (session-takeover.ts closes a dead node's). */
  openSessions?: () => Promise<string[]>;
}

export interface CrashRecoveryOutcome {
  sessionsClosed: number;
  byes: number;
  byesAnswered: number;
  reportsRestored: number;
  /** Voice-API calls, gathers, recordings and bridges the dead process left unfinished. */
  voiceResourcesClosed: number;
}

export async function recoverAfterCrash(d: CrashRecoveryDeps): Promise<CrashRecoveryOutcome> {
  const log = d.logger.child({ component: 'recovery' });
  const last = await d.events.lastPosition();
  const lastEntry = last > 0 ? (await d.events.read(last - 1, {}, 1))[0] : undefined;
  const reportsRestored = lastEntry ? await sweepMissingReports({ events: d.events, store: d.store, sinceMs: lastEntry.loggedAt - REPORT_SWEEP_MARGIN_MS, logger: log }) : 0;
  const open = await (d.openSessions ?? (() => d.events.openSessions()))();
  const closed = await closeCutSessions(open, d, log);
  const voiceResourcesClosed = await closeCutVoiceResources(d.store, Date.now(), d.facts);
  const outcome = {
    sessionsClosed: closed.length,
    byes: closed.reduce((n, o) => n + o.byes, 0),
    byesAnswered: closed.reduce((n, o) => n + o.byesAnswered, 0),
    reportsRestored,
    voiceResourcesClosed,
  };
  if (open.length > 0 || reportsRestored > 0 || voiceResourcesClosed > 0) log.warn({ openSessions: open.length, ...outcome }, 'recovered from an unclean stop');
  return outcome;
}

/** Tears down and closes sessions whose process died: BYE from their stored dialogs, end facts in every
 *  dialect (switch/session-recovery.ts). A session that cannot be closed is logged and left open. */
export async function closeCutSessions(sessionIds: readonly string[], d: Pick<CrashRecoveryDeps, 'events' | 'stack' | 'facts' | 'byeTimeoutMs'>, log: Logger): Promise<{ byes: number; byesAnswered: number }[]> {
  const outcomes = await Promise.all(
    sessionIds.map(async (sessionId) => {
      try {
        return await recoverSession(await d.events.sessionFacts(sessionId), { stack: d.stack, facts: d.facts, log, ...(d.byeTimeoutMs !== undefined ? { byeTimeoutMs: d.byeTimeoutMs } : {}) });
      } catch (err) {
        log.error({ err, sessionId }, 'closing a session cut by a restart failed');
        return undefined;
      }
    }),
  );
  return outcomes.filter((o) => o !== undefined);
}
