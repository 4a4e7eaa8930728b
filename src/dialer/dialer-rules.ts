/**
 * The rules the campaign runner dials by (campaign-runner.ts `DialerRules`), made of the pure pieces: the
 * calling window (calling-window.ts), each contact's attempt rules (attempt-rules.ts) and, for predictive
 * campaigns, one Pacer per campaign (pacing.ts), which learns from every attempt that ends here.
 */
import type { Campaign } from './campaign-types.js';
import { afterAttempt, dueNow, windowTimezone } from './attempt-rules.js';
import { inWindow } from './calling-window.js';
import { Pacer, type PacingStats } from './pacing.js';
import type { DialerRules } from './campaign-runner.js';

export interface CampaignRules extends DialerRules {
  /** A predictive campaign's pacing as measured here (ratio, answer and abandon rates); undefined when it
   *  has not dialled in this process. */
  pacing(campaign: Campaign, now: number): PacingStats | undefined;
}

export function campaignRules(): CampaignRules {
  const pacers = new Map<string, { settings: string; pacer: Pacer }>();
  const pacer = (c: Campaign): Pacer => {
    const key = `${c.accountId}/${c.id}`;
    const settings = JSON.stringify(c.pacing ?? {});
    let p = pacers.get(key);
    // Edited pacing settings start a fresh pacer (the ratio starts from 1 again: the safe side).
    if (!p || p.settings !== settings) pacers.set(key, (p = { settings, pacer: new Pacer({ ...(c.pacing?.ratio !== undefined ? { ratio: c.pacing.ratio } : {}), ...(c.pacing?.maxAbandonPercent !== undefined ? { maxAbandonPercent: c.pacing.maxAbandonPercent } : {}) }) }));
    return p.pacer;
  };
  return {
    open: (c, timezone, now) => inWindow(c.window, windowTimezone(c, timezone), now),
    due: (c, contact, timezone, now) => dueNow(c, contact, timezone, now),
    after: (c, contact, outcome) => afterAttempt(c, contact, outcome),
    ended: (c, result, at) => {
      if (c.mode === 'predictive') pacer(c).record(result === 'answered' ? 'answered' : result === 'abandoned' ? 'abandoned' : 'unanswered', at);
    },
    pace: (c, s) => pacer(c).dialsNow({ freeAgents: s.freeAgents, ringing: s.ringing, waiting: s.waiting, now: s.now }),
    pacing: (c, now) => (pacers.has(`${c.accountId}/${c.id}`) ? pacer(c).stats(now) : undefined),
  };
}
