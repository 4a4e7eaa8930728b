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
 * One process dials. Contacts are claimed by read-then-write, safe against this process's own ticks; in a
 * cluster (PostgreSQL) the nodes share a `dialer` lease and only its holder ticks. A node that takes the
 * lease over recovers the `dialling` contacts first: the holder before it stopped renewing for the
 * lease's lifetime, so it is taken to be dead (docs/compatibility.md, "Autodialer").
 */
import type { Campaign, Contact, Store } from '../store/store.js';
import type { Logger } from '../log/logger.js';
import type { AttemptResult } from './campaign-types.js';
import type { AttemptEnd } from '../switch/dialer-call.js';
import type { AgentSource } from '../switch/dialer-plan.js';
import type { DialerAttemptInput } from '../switch/routing/dialer-routing.js';
import type { DialerSwitch } from '../switch/dialer-attempts.js';

/** The dialling rules the runner applies (dialer-rules.ts builds them from attempt-rules.ts and pacing.ts).
 *  `timezone` is the account's (a campaign's window may name its own). */
export interface DialerRules {
  /** The campaign's window is open at `now`. */
  open(campaign: Campaign, timezone: string, now: number): boolean;
  /** The contact may be dialled at `now` (pending, attempts left, not-before passed, window open). */
  due(campaign: Campaign, contact: Contact, timezone: string, now: number): boolean;
  /** The contact after an attempt (`permanent`: a failure no retry can mend, e.g. an unallocated number). */
  after(campaign: Campaign, contact: Contact, outcome: { at: number; result: AttemptResult; permanent?: boolean }): Contact;
  /** An attempt of the campaign ended (predictive pacing learns the answer and abandon rates from it). */
  ended(campaign: Campaign, result: AttemptResult, at: number): void;
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
  /** A cluster's single-dialer lease (storage.ts): renewed every tick; only its holder dials. */
  lease?: { acquire(): Promise<boolean>; release(): Promise<void> };
}

interface CampaignLive {
  /** Contact id → whether its contact answered (an attempt answered and not yet connected is `waiting`,
   *  unless an agent is being rung for it: that agent is not free any more, so it is not waiting for one). */
  inFlight: Map<string, AttemptState>;
}

interface AttemptState {
  answered: boolean;
  connected: boolean;
  /** Agents offered to it and not yet let go (predictive rings every free agent at once). */
  agentsRinging: number;
}

const PAGE = 100;

export class CampaignRunner {
  readonly #o: CampaignRunnerOptions;
  readonly #log: Logger;
  readonly #now: () => number;
  readonly #live = new Map<string, CampaignLive>();
  readonly #attempts = new Set<Promise<void>>();
  #timer?: NodeJS.Timeout;
  #ticking?: Promise<void>;
  /** An agent may have become free during the running tick: tick again right after it. */
  #again = false;
  #unsubscribe?: () => void;
  #stopped = false;
  /** Whether the last tick found a running campaign: an agent freeing up wakes the runner only then (every
   *  call that ends frees its users; with nothing running, the timer's next tick finds a campaign started). */
  #anyRunning = true;
  /** This process holds the lease (always, without one) and has recovered what its predecessor left. */
  #holding = false;

  constructor(options: CampaignRunnerOptions) {
    this.#o = options;
    this.#log = options.logger.child({ component: 'dialer' });
    this.#now = options.now ?? Date.now;
  }

  /** Recovers attempts a dead process left `dialling` (with a lease: once it holds it), then ticks until
   *  `stop`. */
  async start(): Promise<void> {
    if (!this.#o.lease) {
      await this.recover();
      this.#holding = true;
    }
    this.#timer = setInterval(() => void this.tick(), this.#o.tickMs ?? 500);
    this.#timer.unref();
    // Pacing asks again whenever an agent frees up, not only on the next tick (pacing.ts, "The algorithm"):
    // the agent's idle time until the next dial is what predictive dialling exists to cut.
    this.#unsubscribe = this.#o.dialer.onAgentChange?.(() => this.#wake());
  }

  /** Some agent may be free now: a tick at once, or right after the one running (at most one waits). */
  #wake(): void {
    if (this.#stopped || !this.#holding || !this.#anyRunning) return;
    if (this.#ticking) this.#again = true;
    else void this.tick();
  }

  /** Stops starting attempts. Those in progress go on: their results are written when they end (the
   *  switch ends them when it closes, after this). */
  async stop(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#unsubscribe?.();
    await this.#ticking;
    if (this.#o.lease && this.#holding) await this.#o.lease.release().catch((err: unknown) => this.#log.warn({ err }, 'releasing the dialer lease failed'));
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
        // Each page is the first `dialling` ones left, past those whose write found no row (deleted meanwhile).
        for (let skipped = 0; ; ) {
          const page = await store.listContacts(account.id, campaign.id, { state: 'dialling', offset: skipped, limit: PAGE });
          if (page.contacts.length === 0) break;
          for (const contact of page.contacts) {
            if (await store.updateContact(this.#o.rules.after(campaign, contact, { at: this.#now(), result: 'failed' }))) recovered += 1;
            else skipped += 1;
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
      .finally(() => {
        this.#ticking = undefined;
        if (this.#again) {
          this.#again = false;
          void this.tick();
        }
      });
    return this.#ticking;
  }

  async #tick(): Promise<void> {
    const { store, lease } = this.#o;
    if (lease) {
      const held = await lease.acquire();
      if (!held) {
        this.#holding = false;
        return;
      }
      if (!this.#holding) {
        this.#log.info('dialer lease taken: this node dials');
        await this.recover();
        this.#holding = true;
      }
    }
    let anyRunning = false;
    for (const account of await store.listAccounts()) {
      for (const campaign of await store.listCampaigns(account.id)) {
        if (this.#stopped) return;
        if (campaign.state !== 'running') continue;
        anyRunning = true;
        await this.#run(campaign, account.timezone);
      }
    }
    this.#anyRunning = anyRunning;
  }

  #liveOf(campaign: Campaign): CampaignLive {
    const key = `${campaign.accountId}/${campaign.id}`;
    let l = this.#live.get(key);
    if (!l) this.#live.set(key, (l = { inFlight: new Map() }));
    return l;
  }

  async #run(campaign: Campaign, timezone: string): Promise<void> {
    const now = this.#now();
    const live = this.#liveOf(campaign);
    const due = this.#o.rules.open(campaign, timezone, now) ? await this.#due(campaign, live, timezone, now) : [];
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
      const attempts = [...live.inFlight.values()];
      const ringing = attempts.filter((a) => !a.answered).length;
      const waiting = attempts.filter((a) => a.answered && !a.connected && a.agentsRinging === 0).length;
      room = this.#o.rules.pace(campaign, { freeAgents: await dialer.freeAgents(campaign), ringing, waiting, now });
    } else room = (this.#o.flowConcurrency ?? 5) - live.inFlight.size;
    for (const contact of due.slice(0, Math.max(0, room))) {
      await this.#start(campaign, contact, live, { agents: this.#agentsFor(campaign, contact), abandonAfterMs: this.#o.abandonAfterMs });
    }
  }

  /** An answered predictive contact's agents: the first free one each time it asks. */
  #agentsFor(campaign: Campaign, contact: Contact): AgentSource {
    return { next: (refused) => this.#o.dialer.reserveAgent(campaign, contact, refused) };
  }

  /** Contacts of the campaign that may be dialled now, oldest first, none already in flight here. */
  async #due(campaign: Campaign, live: CampaignLive, timezone: string, now: number): Promise<Contact[]> {
    const due: Contact[] = [];
    for (let offset = 0; due.length < PAGE; offset += PAGE) {
      const page = await this.#o.store.listContacts(campaign.accountId, campaign.id, { state: 'pending', offset, limit: PAGE });
      for (const c of page.contacts) if (!live.inFlight.has(c.id) && this.#o.rules.due(campaign, c, timezone, now)) due.push(c);
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
    const state: AttemptState = { answered: false, connected: false, agentsRinging: 0 };
    live.inFlight.set(contact.id, state);
    let outcome: Promise<AttemptEnd>;
    let sessionId: string;
    try {
      ({ sessionId, outcome } = await dialer.attempt({ campaign, contact, ...extra, ...(extra.agents ? { agents: tracked(extra.agents, state) } : {}) }, { answered: () => (state.answered = true), connected: () => (state.connected = true) }));
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
      .catch((): AttemptEnd => ({ result: 'failed' }))
      .then(async ({ result, permanent }) => {
        const now = this.#now();
        const after: Contact = result === 'not-dialled' ? { ...contact } : this.#o.rules.after(campaign, claimed, { at: now, result, ...(permanent ? { permanent } : {}) });
        if (result !== 'not-dialled') this.#o.rules.ended(campaign, result, now);
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

/** The agents an attempt is offered, noted in its state while one rings for it (until released). */
function tracked(source: AgentSource, state: AttemptState): AgentSource {
  return {
    next: async (refused) => {
      const offer = await source.next(refused);
      if (!offer) return undefined;
      state.agentsRinging += 1;
      let released = false;
      return {
        side: offer.side,
        release: () => {
          if (!released) state.agentsRinging -= 1;
          released = true;
          offer.release();
        },
      };
    },
  };
}
