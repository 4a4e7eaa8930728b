/**
 * The autodialer's rules for one contact (docs/call-centre.md, "Autodialer: campaigns and contacts"): when
 * it may be dialled next, and what it becomes after an attempt. Pure: records in, records out, the clock
 * passed in; the dialer stores what these return (so a restart resumes from the store).
 *
 * A contact's life: `pending` (never tried, or waiting for a retry: `nextAttemptAt` is the not-before
 * time) → `dialling` while an attempt runs → one of
 * - `done`: the attempt was answered and an agent (or the call flow) took it;
 * - `pending` again with `nextAttemptAt` = the attempt's time + the retry rule for its result (`busy`,
 *   `noAnswer`; `failed`; an `abandoned` attempt — answered, but no agent was free — follows `noAnswer`:
 *   the contact spoke to nobody);
 * - `exhausted`: that was attempt `maxAttempts` (and it was not answered);
 * - `failed`: the number cannot be reached at all (the dialer says so: `permanent`, e.g. the carrier's
 *   404/unallocated); never retried.
 * A `dialling` contact found after a restart (the process died during its attempt) counts one `failed`
 * attempt at the restart time and follows the rules as any other: it is never dialled twice at once (it was
 * not being dialled any more) and never forgotten; its attempts still count towards `maxAttempts`, so a
 * contact that crashes the process cannot be dialled forever.
 *
 * When: the later of now and `nextAttemptAt`, moved to the next opening of the campaign's calling window
 * (calling-window.ts, DST-safe). The window and the retry rules are read at dial time, so editing a
 * campaign applies to contacts already waiting. Whether the campaign runs at all (`state`) is the dialer's
 * business, not a contact's.
 */
import type { AttemptResult, Campaign, Contact, ContactState, RetryRules } from './campaign-types.js';
import { nextOpening } from './calling-window.js';

const MINUTE = 60_000;

/** States a contact never leaves: the campaign is finished once every contact is in one. */
export const FINAL_STATES: readonly ContactState[] = ['done', 'failed', 'exhausted'];
export const isFinal = (state: ContactState): boolean => FINAL_STATES.includes(state);

/** What the dialer learnt from one attempt. */
export interface AttemptOutcome {
  at: number;
  result: AttemptResult;
  /** `failed` only: the number can never be reached (unallocated, refused for good): no retry. */
  permanent?: boolean;
}

/** The timezone the campaign's window is read in: its own, else the account's. */
export function windowTimezone(campaign: Pick<Campaign, 'window'>, accountTimezone: string): string {
  return campaign.window.timezone ?? accountTimezone;
}

/** The retry delay after an attempt with this result, or undefined for an answered one (no retry). */
export function retryDelayMs(rules: RetryRules, result: AttemptResult): number | undefined {
  switch (result) {
    case 'answered':
      return undefined;
    case 'busy':
      return rules.busy.afterMinutes * MINUTE;
    case 'no-answer':
    case 'abandoned':
      return rules.noAnswer.afterMinutes * MINUTE;
    case 'failed':
      return rules.failed.afterMinutes * MINUTE;
  }
}

/**
 * The first instant at or after `now` the contact may be dialled, or undefined when it may not be now or
 * later on its own: a final state, an attempt running (`dialling`), or `maxAttempts` reached already (the
 * campaign's limit lowered since: `afterAttempt` would have made it `exhausted`).
 */
export function nextDialAt(campaign: Pick<Campaign, 'window' | 'retry'>, contact: Pick<Contact, 'state' | 'attempts' | 'nextAttemptAt'>, accountTimezone: string, now: number): number | undefined {
  if (contact.state !== 'pending') return undefined;
  if (contact.attempts.length >= campaign.retry.maxAttempts) return undefined;
  const notBefore = Math.max(now, contact.nextAttemptAt ?? now);
  return nextOpening(campaign.window, windowTimezone(campaign, accountTimezone), notBefore);
}

/** May it be dialled right now? */
export function dueNow(campaign: Pick<Campaign, 'window' | 'retry'>, contact: Pick<Contact, 'state' | 'attempts' | 'nextAttemptAt'>, accountTimezone: string, now: number): boolean {
  return nextDialAt(campaign, contact, accountTimezone, now) === now;
}

/** An attempt starts: `dialling` (stored before the INVITE goes out, so a restart sees it). */
export function startAttempt<C extends Contact>(contact: C): C {
  if (contact.state !== 'pending') throw new Error(`contact ${contact.id} is ${contact.state}: only a pending contact is dialled`);
  return { ...contact, state: 'dialling' };
}

/** The contact after an attempt: the attempt appended, the new state, and the not-before time of a retry. */
export function afterAttempt<C extends Contact>(campaign: Pick<Campaign, 'retry'>, contact: C, outcome: AttemptOutcome): C {
  const { nextAttemptAt: _previous, ...rest } = contact;
  const attempts = [...contact.attempts, { at: outcome.at, result: outcome.result }];
  const base = { ...rest, attempts } as C;
  if (outcome.result === 'answered') return { ...base, state: 'done' };
  if (outcome.result === 'failed' && outcome.permanent) return { ...base, state: 'failed' };
  if (attempts.length >= campaign.retry.maxAttempts) return { ...base, state: 'exhausted' };
  return { ...base, state: 'pending', nextAttemptAt: outcome.at + retryDelayMs(campaign.retry, outcome.result)! };
}

/** A contact left `dialling` by a process that died: one failed attempt at `at` (the restart). Other
 *  states are returned as they are. */
export function recoverInterrupted<C extends Contact>(campaign: Pick<Campaign, 'retry'>, contact: C, at: number): C {
  if (contact.state !== 'dialling') return contact;
  return afterAttempt(campaign, contact, { at, result: 'failed' });
}
