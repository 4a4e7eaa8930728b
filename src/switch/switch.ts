/**
 * The switch's front door (docs/switch.md): every new INVITE comes here (SipStack.onInvite), is planned by
 * the planner for where it comes from, and runs as a Call:
 *
 * - from a carrier trunk (source address in `trunks[].inboundAddresses`, else `host`): routing/carrier.ts;
 * - from anyone else, a user's device: routing/device.ts (digest-authenticated like REGISTER).
 *
 * A carrier call to a line whose ring strategy is `flow` runs as a FlowCall (flow-call.ts) instead: the
 * line's call flow, with the agent pool and the call queues built here (docs/call-centre.md "Call flows").
 *
 * `originate` plans a click-to-call (routing/originate.ts, spec realtime §5.3) and runs it as an
 * Originate; a blind transfer out of any conversation is planned by routing/transfer.ts and continues as
 * a new Call. `close` ends everything in progress.
 */
import type { FactSink } from '../events/model/fact-sink.js';
import type { IncomingInvite, Registrar, SipStack } from '../sip/index.js';
import type { Store } from '../store/store.js';
import type { MediaControl } from '../media/media-control.js';
import type { Logger } from '../log/logger.js';
import { Call } from './call.js';
import { Originate } from './originate.js';
import { trunkForSource } from './dial-plan.js';
import { CarrierRouting, dialledNumber } from './routing/carrier.js';
import type { Transcriber } from '../media/transcriber.js';
import { VoiceCalls } from './voice/voice-calls.js';
import { DeviceRouting, type DeviceAuth } from './routing/device.js';
import { OriginateRefused, OriginateRouting, type OriginateRequest, type OriginateResult } from './routing/originate.js';
import { TransferRouting } from './routing/transfer.js';
import type { RoutingDeps } from './routing/targets.js';
import type { TransferService } from './conversation-types.js';
import type { SessionDeps } from './session-deps.js';
import type { OriginatePlan } from './originate-plan.js';
import { LiveSessions } from './live-sessions.js';
import { runFeatureCode } from './routing/feature-codes.js';
import { FlowCall, type FlowCallDeps } from './flow-call.js';
import { DialOrder } from './call-flow/dial-order.js';
import { AgentPool } from './agents/agent-pool.js';
import { CallQueues } from './call-flow/call-queue.js';
import { DialerCall } from './dialer-call.js';
import { DialerAttempts } from './dialer-attempts.js';
import { DialerRouting } from './routing/dialer-routing.js';

export type { OriginateRequest, OriginateResult } from './routing/originate.js';

export interface SwitchOptions {
  stack: SipStack;
  registrar: Registrar;
  store: Store;
  media: MediaControl;
  facts: FactSink;
  /** The SIP service's digest settings: devices authenticate INVITE exactly as they do REGISTER. */
  auth: DeviceAuth;
  logger: Logger;
  /** The URL a recording is served at (call recordings and voicemail, teltel `audio_url`). */
  recordingUrl: (recordingId: string) => string;
  /** How long outgoing and internal calls ring before Ringside gives up (default 60 s); also each side
   *  of an originate, unless the request says otherwise, and a transfer's target. */
  outgoingRingSeconds?: number;
  /** How long an inbound voice-API call without `autoAnswer` waits for its application (default 30 s). */
  voiceAnswerTimeoutMs?: number;
  /** Speech to text for voice-API transcriptions (default: pocketsphinx, media/transcriber.ts). */
  transcriber?: Transcriber;
  /** The switch's clock in ms (default Date.now): what call flows' `time` nodes judge office hours by,
   *  and the agents' idle clock. Tests set it to route the same call open or closed. */
  now?: () => number;
  /** Where call flows read their `{ file }` prompts and hold music (Ringside: `<data>/media`). */
  mediaDir?: string;
}

export class Switch {
  readonly #o: SwitchOptions;
  readonly #log: Logger;
  readonly #carrier: CarrierRouting;
  readonly #device: DeviceRouting;
  readonly #originate: OriginateRouting;
  readonly #transfer: TransferRouting;
  readonly #calls = new Set<Call | Originate | DialerCall | FlowCall>();
  /** Call flows' hunt order (round-robin rotations, longest-idle clocks). */
  readonly #dialOrder = new DialOrder();
  readonly #routing: RoutingDeps;
  /** Feature-code calls in progress (routing/feature-codes.ts): resolved when Ringside stops. */
  readonly #features = new Set<Promise<void>>();
  #stopFeatures!: () => void;
  readonly #featuresAborted = new Promise<void>((r) => (this.#stopFeatures = r));
  /** Voice-API calls: carrier calls to application numbers, and `POST /calls` (spec bandwidth §3). */
  readonly voice: VoiceCalls;
  /** The sessions in progress, as a snapshot (live-sessions.ts): every session records its facts through it. */
  readonly live: LiveSessions;
  /** Which agents may be offered a call now (queues, the autodialer): one offer per agent at a time. */
  readonly agents: AgentPool;
  /** The callers waiting in call-flow queues. */
  readonly queues: CallQueues;
  /** The autodialer's attempts (src/dialer/ drives them). */
  readonly dialer: DialerAttempts;
  #closed = false;

  constructor(options: SwitchOptions) {
    this.#o = options;
    this.#log = options.logger;
    this.live = new LiveSessions(options.facts);
    const now = options.now ?? Date.now;
    this.agents = new AgentPool({ store: options.store, live: this.live, now, log: options.logger });
    this.queues = new CallQueues({ pool: this.agents, now, log: options.logger.child({ component: 'queues' }) });
    const routing: RoutingDeps = {
      store: options.store,
      registrar: options.registrar,
      publicHost: options.stack.publicHost,
      logger: options.logger,
      outgoingRingMs: (options.outgoingRingSeconds ?? 60) * 1000,
    };
    this.#routing = routing;
    this.#carrier = new CarrierRouting(routing);
    this.#device = new DeviceRouting(routing, options.auth);
    this.#originate = new OriginateRouting(routing);
    this.#transfer = new TransferRouting(routing);
    this.dialer = new DialerAttempts({ store: options.store, routing: new DialerRouting(routing), pool: this.agents, session: () => this.#callDeps(), run: (call) => this.#run(call), flowDeps: () => this.#flowDeps() });
    this.voice = new VoiceCalls({
      session: this.#callDeps(),
      store: options.store,
      publicHost: options.stack.publicHost,
      ...(options.voiceAnswerTimeoutMs !== undefined ? { answerTimeoutMs: options.voiceAnswerTimeoutMs } : {}),
      ...(options.transcriber ? { transcriber: options.transcriber } : {}),
    });
    options.stack.onInvite((invite) => this.#onInvite(invite));
  }

  /** Calls in progress (voice-API calls included). */
  get activeCalls(): number {
    return this.#calls.size + this.voice.activeCalls;
  }

  async #onInvite(invite: IncomingInvite): Promise<void> {
    if (this.#closed) return void invite.refuse(503);
    let plan;
    try {
      const trunk = trunkForSource(await this.#o.store.listTrunks(), invite.origin);
      if (trunk && (await this.#application(invite))) return;
      plan = trunk ? await this.#carrier.plan(invite) : await this.#device.plan(invite);
    } catch (err) {
      this.#log.error({ err, sipCallId: invite.request.callId }, 'routing an INVITE failed');
      invite.refuse(500);
      return;
    }
    if (!plan || invite.state !== 'pending') return;
    if ('featureCode' in plan) {
      const run = runFeatureCode({ store: this.#o.store, media: this.#o.media, logger: this.#log, presenceChanged: (accountId) => this.agents.presenceChanged(accountId) }, invite, plan, this.#featuresAborted);
      this.#features.add(run);
      void run.finally(() => this.#features.delete(run));
      return;
    }
    this.#run(plan.flow ? new FlowCall(this.#flowDeps(), invite, plan) : new Call(this.#callDeps(), invite, plan));
  }

  /** A carrier call to a number linked to a voice-API application is that application's: true when
   *  VoiceCalls took it. */
  async #application(invite: IncomingInvite): Promise<boolean> {
    const store = this.#o.store;
    const number = await store.findNumber(dialledNumber(invite));
    if (number?.application === undefined) return false;
    const account = await store.getAccount(number.accountId);
    return account !== undefined && (await this.voice.takeInbound(invite, number, account));
  }

  /**
   * Validates an originate request and starts it: returns at once with the session id (realtime
   * `trackingId`), or why it was refused. Nothing is recorded for a refused request.
   */
  async originate(req: OriginateRequest): Promise<OriginateResult> {
    if (this.#closed) return { ok: false, status: 503, error: 'shutting_down', message: 'Ringside is stopping' };
    let plan: OriginatePlan;
    try {
      plan = await this.#originate.plan(req);
    } catch (err) {
      if (err instanceof OriginateRefused) return { ok: false, status: err.status, error: err.error, message: err.message, ...(err.field ? { field: err.field } : {}) };
      throw err;
    }
    const o = new Originate(this.#callDeps(), plan);
    this.#run(o);
    return { ok: true, sessionId: o.sessionId, callId: plan.start.callId };
  }

  /**
   * Ringside hangs up one of the account's live sessions on request (the console): a ringing call is
   * refused, an answered one gets BYE on every leg. False when no such session is live in this process.
   */
  hangUp(accountId: string, sessionId: string): boolean {
    if (!this.live.get(accountId, sessionId)) return false;
    const call = [...this.#calls].find((c) => c.sessionId === sessionId);
    if (call) call.hangUp();
    else if (!this.voice.hangUpSession(accountId, sessionId)) return false;
    this.live.markEnding(sessionId);
    return true;
  }

  /**
   * Blind transfer of a live session's caller (an originate's contact) to `target`, as its other party's
   * REFER would ask (routing/transfer.ts): `moved` once the new session rings the target; `nobody` when
   * the target names nobody reachable; `unanswered` when the session has no two-party conversation;
   * `application` for a voice-API call (its application steers it); `gone` when it is not live here.
   */
  async transfer(accountId: string, sessionId: string, target: string): Promise<'moved' | 'nobody' | 'gone' | 'unanswered' | 'application'> {
    if (!this.live.get(accountId, sessionId)) return 'gone';
    const call = [...this.#calls].find((c) => c.sessionId === sessionId);
    return call ? call.transfer(target) : 'application';
  }

  /** Stops taking calls and ends the ones in progress (ringing: 503; answered: BYE), waiting up to 2 s. */
  async close(): Promise<void> {
    this.#closed = true;
    this.queues.close();
    const calls = [...this.#calls];
    for (const c of calls) c.abort();
    this.#stopFeatures();
    let timer: NodeJS.Timeout | undefined;
    await Promise.all([
      Promise.race([Promise.all([...calls.map((c) => c.done), ...this.#features]), new Promise<void>((r) => (timer = setTimeout(r, 2000)))]),
      this.voice.close(),
    ]);
    if (timer) clearTimeout(timer);
    this.agents.close();
  }

  #run(call: Call | Originate | DialerCall | FlowCall): void {
    this.#calls.add(call);
    void call.run().finally(() => {
      this.#calls.delete(call);
      this.live.forget(call.sessionId);
    });
  }

  /** What calls and originates run with. */
  #callDeps(): SessionDeps {
    const o = this.#o;
    return { stack: o.stack, media: o.media, facts: this.live, logger: this.#log, recordingUrl: o.recordingUrl, transfer: this.#transferService };
  }

  /** What flow calls run with: a call's, and routing, the hunt order, the queues, the clock, the media dir. */
  #flowDeps(): FlowCallDeps {
    const o = this.#o;
    return {
      ...this.#callDeps(),
      routing: this.#routing,
      dialOrder: this.#dialOrder,
      queues: this.queues,
      now: o.now ?? Date.now,
      mediaDir: o.mediaDir ?? 'media',
    };
  }

  /**
   * Blind transfer (REFER, RFC 3515) out of any conversation: the session that continues the call is
   * planned (routing/transfer.ts) and, once the REFER is accepted, runs as a Call whose caller is the
   * transferee.
   */
  readonly #transferService: TransferService = {
    prepare: async (request) => {
      const plan = await this.#transfer.plan(request);
      if (!plan) return undefined;
      return (caller) => {
        if (this.#closed) return void caller.session.bye().catch(() => undefined);
        this.#run(new Call(this.#callDeps(), caller, plan));
      };
    },
  };
}
