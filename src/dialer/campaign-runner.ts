/**
 * The autodialer (issue 14; docs/call-centre.md "Autodialer"): every running campaign is looked at each
 * tick; inside its calling window, contacts that are due are claimed and dialled as the campaign's mode
 * says (switch/dialer-call.ts runs each attempt):
 *
 * - `operator-contact`: one attempt per free agent (reserved in the agent pool first), the agent rung first;
 * - `predictive`: as many contacts as the pacing says for the free agents, the ringing calls and the recent
 *   answer and abandon rates (pacing.ts); an answered contact gets the first free agent;
 * - `contact-callflow`: up to the campaign's concurrency, each answered contact runs the campaign's flow.
 *
 * Restart safety: a contact is written `dialling` before its INVITE is sent, and written again with the
 * attempt's result when it ends. A contact found `dialling` at start was being dialled when the previous
 * process died (crash recovery closed its session, docs/reliability.md): the attempt counts as `failed`
 * and the retry rules decide when it is tried again. So no contact is dialled twice at once and none is
 * forgotten. Pausing a campaign stops new attempts only: calls in progress go on to their end.
 *
 * One process dials: contacts are claimed by read-then-write, which is safe against this process's own
 * ticks but not against a second node (docs/compatibility.md, "Autodialer").
 */
import type { Campaign, Contact, Store } from '../store/store.js';
import type { Logger } from '../log/logger.js';
import type { AttemptResult } from './campaign-types.js';
import type { DialerOutcome } from '../switch/dialer-call.js';
import type { AgentSource } from '../switch/dialer-plan.js';
import type { DialerAttemptInput } from '../switch/routing/dialer-routing.js';
import type { DialerSwitch } from '../switch/dialer-attempts.js';

/** The dialling rules the runner applies (attempt-rules.ts, pacing.ts). */
export interface DialerRules {
  /** The contact may be dialled at `now` (inside the window, its not-before time passed). */
  due(campaign: Campaign, contact: Contact, now: number): boolean;
  /** The campaign's window is open at `now`. */
  open(campaign: Campaign, now: number): boolean;
  /** The contact after an attempt with this result. */
  after(campaign: Campaign, contact: Contact, result: AttemptResult, now: number): Contact;
  /** Predictive: how many more contacts to dial now. */
  pace(campaign: Campaign, state: PacingState): number;
}

/** What the pacing sees of a predictive campaign. */
export interface PacingState {
  freeAgents: number;
  /** Attempts of the campaign whose contact has not answered yet. */
  ringing: number;
  /** Attempts answered and waiting for an agent. */
  waiting: number;
  /** Recent attempts, newest last (answered / abandoned / not answered), for the answer and abandon rates. */
  recent: readonly AttemptResult[];
  now: number;
}

export interface CampaignRunnerOptions {
  store: Store;
  dialer: DialerSwitch;
  rules: DialerRules;
  logger: Logger;
  now?: () => number;
  tickMs?: number;
  /** Attempts one contact-callflow campaign runs at once. */
  flowConcurrency?: number;
  /** Predictive: how long an answered contact waits for an agent before it is abandoned. */
  abandonAfterMs?: number;
}

interface CampaignLive {
  inFlight: Map<string, { answered: boolean }>;
  recent: AttemptResult[];
}

const RECENT = 50;
const PAGE = 100;

export class CampaignRunner {
  readonly #o: CampaignRunnerOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #live = new Map<string, CampaignLive>();
  readonly #attempts = new Set<Promise<void>>();
  #timer?: NodeJS.Timeout;
  #ticking?: Promise<void>;
  #stopped = false;

  constructor(options: CampaignRunnerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'dialer' });
    this.#now = options.now ?? Date.now;
  }

  /** Recovers attempts a dead process left `dialling`, then ticks until `stop`. */
  async start(): Promise<void> {
    await this.recover();
    this.#timer = setInterval(() => void this.tick(), this.#o.tickMs ?? 500);
    this.#timer.unref();
  }

  /** Stops starting attempts. Those in progress go on: their results are written when they end (the
   *  switch ends them when it closes, after this). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#ticking;
  }

  /** Resolves when every attempt in progress has ended and its result is written. */
  async settled(): Promise<void> {
    while (this.#attempts.size > 0) await Promise.all(this.#attempts);
  }

  /** `stop` for a service list (app/ringside.ts). */
  close(): Promise<void> {
    return this.stop();
  }

  /** Contacts left `dialling` by a previous process: that attempt failed (its call was cut). */
  async recover(): Promise<number> {
    const { store } = this.#o;
    let recovered = 0;
    for (const account of await store.listAccounts()) {
      for (const campaign of await store.listCampaigns(account.id)) {
        for (;;) {
          const page = await store.listContacts(account.id, campaign.id, { state: 'dialling', offset: 0, limit: PAGE });
          if (page.contacts.length === 0) break;
          for (const contact of page.contacts) {
            await store.updateContact(this.#o.rules.after(campaign, contact, 'failed', this.#now()));
            recovered += 1;
          }
        }
      }
    }
    if (recovered > 0) this.#log.warn({ recovered }, 'contacts being dialled when Ringside stopped: counted as failed attempts');
    return recovered;
  }

  /** One pass over every running campaign (ticks never overlap). */
  tick(): Promise<void> {
    if (this.#stopped || this.#ticking) return this.#ticking ?? Promise.resolve();
    this.#ticking = this.#tick()
      .catch((err: unknown) => this.#log.error({ err }, 'dialer tick failed'))
      .finally(() => (this.#ticking = undefined));
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const { store } = this.#o;
    for (const account of await store.listAccounts()) {
      for (const campaign of await store.listCampaigns(account.id)) {
        if (this.#stopped) return;
        if (campaign.state !== 'running') continue;
        await this.#run(campaign);
      }
    }
  }

  #liveOf(campaign: Campaign): CampaignLive {
    const key = `${campaign.accountId}/${campaign.id}`;
    let l = this.#live.get(key);
    if (!l) this.#live.set(key, (l = { inFlight: new Map(), recent: [] }));
    return l;
  }

  async #run(campaign: Campaign): Promise<void> {
    const now = this.#now();
    const live = this.#liveOf(campaign);
    const due = this.#o.rules.open(campaign, now) ? await this.#due(campaign, live, now) : [];
    if (due.length === 0) {
      if (live.inFlight.size === 0) await this.#finishIfDone(campaign);
      return;
    }
    const { dialer } = this.#o;
    if (campaign.mode === 'operator-contact') {
      for (const contact of due) {
        const agent = await dialer.reserveAgent(campaign, contact);
        if (!agent) break;
        await this.#start(campaign, contact, live, { agent });
      }
      return;
    }
    let room: number;
    if (campaign.mode === 'predictive') {
      const ringing = [...live.inFlight.values()].filter((a) => !a.answered).length;
      room = this.#o.rules.pace(campaign, { freeAgents: await dialer.freeAgents(campaign), ringing, waiting: live.inFlight.size - ringing, recent: live.recent, now });
    } else room = (this.#o.flowConcurrency ?? 5) - live.inFlight.size;
    for (const contact of due.slice(0, Math.max(0, room))) {
      await this.#start(campaign, contact, live, { agents: this.#agentsFor(campaign, contact), abandonAfterMs: this.#o.abandonAfterMs });
    }
  }

  /** An answered predictive contact's agents: the first free one each time it asks. */
  #agentsFor(campaign: Campaign, contact: Contact): AgentSource {
    return { next: () => this.#o.dialer.reserveAgent(campaign, contact) };
  }

  /** Contacts of the campaign that may be dialled now, oldest first, none already in flight here. */
  async #due(campaign: Campaign, live: CampaignLive, now: number): Promise<Contact[]> {
    const due: Contact[] = [];
    for (let offset = 0; due.length < PAGE; offset += PAGE) {
      const page = await this.#o.store.listContacts(campaign.accountId, campaign.id, { state: 'pending', offset, limit: PAGE });
      for (const c of page.contacts) if (!live.inFlight.has(c.id) && this.#o.rules.due(campaign, c, now)) due.push(c);
      if (offset + PAGE >= page.total) break;
    }
    return due;
  }

  /** Claims the contact (written `dialling` before anything is sent) and runs its attempt. */
  async #start(campaign: Campaign, contact: Contact, live: CampaignLive, extra: Omit<DialerAttemptInput, 'campaign' | 'contact'>): Promise<void> {
    const { store, dialer } = this.#o;
    const claimed: Contact = { ...contact, state: 'dialling' };
    delete claimed.nextAttemptAt;
    if (!(await store.updateContact(claimed))) {
      extra.agent?.release();
      return;
    }
    const state = { answered: false };
    live.inFlight.set(contact.id, state);
    let outcome: Promise<DialerOutcome>;
    let sessionId: string;
    try {
      ({ sessionId, outcome } = await dialer.attempt({ campaign, contact, ...extra }, { answered: () => (state.answered = true) }));
    } catch (err) {
      // Not placed (no trunk, the caller ID gone): the contact goes back as it was; the campaign goes on.
      this.#log.warn({ err, campaignId: campaign.id, contactId: contact.id }, 'attempt not placed');
      extra.agent?.release();
      live.inFlight.delete(contact.id);
      await store.updateContact(contact);
      return;
    }
    this.#log.info({ campaignId: campaign.id, contactId: contact.id, sessionId, mode: campaign.mode }, 'dialling a contact');
    const done = outcome
      .catch((): DialerOutcome => 'failed')
      .then(async (result) => {
        const now = this.#now();
        const after: Contact = result === 'not-dialled' ? { ...contact } : this.#o.rules.after(campaign, claimed, result, now);
        if (result !== 'not-dialled') {
          live.recent.push(result);
          if (live.recent.length > RECENT) live.recent.shift();
        }
        await store.updateContact(after);
        this.#log.info({ campaignId: campaign.id, contactId: contact.id, sessionId, result, state: after.state }, 'attempt over');
      })
      .catch((err: unknown) => this.#log.error({ err, contactId: contact.id }, 'storing an attempt result failed'))
      .finally(() => {
        live.inFlight.delete(contact.id);
        this.#attempts.delete(done);
      });
    this.#attempts.add(done);
  }

  /** A running campaign with no contact left to dial (none pending or dialling) is finished. */
  async #finishIfDone(campaign: Campaign): Promise<void> {
    const { store } = this.#o;
    for (const state of ['pending', 'dialling'] as const) {
      if ((await store.listContacts(campaign.accountId, campaign.id, { state, offset: 0, limit: 1 })).total > 0) return;
    }
    const current = await store.getCampaign(campaign.accountId, campaign.id);
    if (current?.state !== 'running') return;
    await store.putCampaign({ ...current, state: 'finished', updatedAt: this.#now() });
    this.#log.info({ campaignId: campaign.id }, 'campaign finished: every contact reached a final state');
  }
}
