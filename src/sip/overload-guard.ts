/**
 * Explicit overload shedding: when the event loop falls behind, or a queue the application names (the
 * event log's appends waiting for disk) grows past its bound, new calls get 503 Service Unavailable with
 * Retry-After (RFC 3261 §21.5.4, §20.33) at once, instead of being accepted and then timing out because
 * their 180/200 wait behind the backlog. Calls already up, in-dialog requests and CANCELs are never shed.
 *
 * The loop delay is how late a 20 ms timer fires; the figure compared with the bound jumps to each new
 * lateness and decays by a fifth per tick (~0.5 s to fade), so a backlog sheds for as long as it lasts
 * and one slow turn sheds only for a few ticks. The loop delay alone misses a saturated thread: libuv
 * reads a bounded batch of datagrams per turn, so timers stay punctual while the backlog grows in the
 * socket's receive buffer until the kernel drops. So the event loop's utilisation (the share of time it
 * was busy, over the last `UTILIZATION_WINDOW_MS`) is bounded too. Both loop figures count only under
 * traffic (at least `minTransactions` live SIP transactions): a loop busy with start-up or with a demo's
 * simulated phones in the same process is not an overloaded switch, and shedding its first call helps no one.
 *
 * A saturated loop is also caught from outside: a UAC retransmits an INVITE that no response answered
 * (Timer A: after 0.5 s, 1.5 s, 3.5 s…, RFC 3261 §17.1.1.2), and the stack answers 100 Trying as it reads
 * an INVITE, so a third copy of an INVITE still unanswered means INVITEs wait ≥ 1.5 s unread in the
 * receive buffer: calls are about to time out. More such late INVITEs in the last second than
 * `maxLateInvitesPerSecond` shed new calls until the backlog drains. (A second copy alone is not enough:
 * a cold process at its first load step keeps INVITEs half a second and still completes every call.)
 *
 * Late INVITEs are seen only after 1.5 s, when the receive buffer already holds a second or more of traffic
 * and the kernel is about to drop: too late. So the guard also watches the SIP UDP socket itself: a probe
 * (transport/receive-delay-probe.ts) measures how long a datagram now waits there unread. While that wait
 * passes `maxSocketDelayMs`, a share of new INVITEs is refused, growing with the excess (all of them at
 * twice the bound). A refusal costs a parse and one datagram out, a call many times more, so the queue
 * drains: the switch admits what it can carry and refuses the rest at once, instead of queueing
 * everything until it times out.
 */
const TICK_MS = 20;
const DECAY = 0.8;
const UTILIZATION_WINDOW_MS = 500;
/** The late-INVITE window: four buckets of 250 ms. */
const BUCKET_MS = 250;
const BUCKETS = 4;

export interface OverloadGuardOptions {
  /** Shed while the event loop runs this late (ms; see above). */
  maxLoopDelayMs: number;
  /** Shed while the event loop was busy more than this share (0–1) of the last window; omitted = 1 (never). */
  maxUtilization?: number;
  /** The loop bounds apply only with at least this many live SIP transactions (default 500). */
  minTransactions?: number;
  /** A queue depth and its bound (e.g. log appends not yet durable); omitted = loop delay only. */
  queue?: { depth(): number; max: number };
  /** Shed while more INVITEs than this arrived a third time unanswered in the last second; omitted or 0 = never. */
  maxLateInvitesPerSecond?: number;
  /** Shed while a datagram waits longer than this (ms) unread in a watched SIP socket; omitted or 0 = never. */
  maxSocketDelayMs?: number;
  /** Retry-After on the 503 (s). */
  retryAfterSeconds: number;
}

/** The wait in a socket's receive buffer (transport/receive-delay-probe.ts). */
export interface SocketDelay {
  readonly delayMs: number;
}

export interface OverloadStatus {
  shedding: boolean;
  loopDelayMs: number;
  /** Event-loop utilisation of the last window (0–1). */
  utilization: number;
  queueDepth: number;
  /** INVITEs received a third time, still unanswered, over the last second. */
  lateInvites: number;
  /** How long a datagram now waits unread in the SIP UDP socket's buffer (ms; the longest of the watched sockets). */
  socketDelayMs: number;
  /** New INVITEs refused with 503 since start. */
  shed: number;
}

export class OverloadGuard {
  readonly #options: OverloadGuardOptions;
  readonly #timer: NodeJS.Timeout;
  #delayMs = 0;
  #utilization = 0;
  #shed = 0;
  /** Live SIP transactions at the last decision (what `status` judges the loop bounds by). */
  #transactions = 0;
  /** Late INVITEs per 250 ms bucket; index 0 is the current one. */
  readonly #late: number[] = new Array<number>(BUCKETS).fill(0);
  #bucketStart = performance.now();
  readonly #sockets: SocketDelay[] = [];
  /** Accumulated share of INVITEs to refuse for the socket delay: one is refused each time it reaches 1. */
  #credit = 0;

  constructor(options: OverloadGuardOptions) {
    this.#options = options;
    let expected = performance.now() + TICK_MS;
    let window = performance.eventLoopUtilization();
    let windowStart = expected - TICK_MS;
    this.#timer = setInterval(() => {
      const now = performance.now();
      this.#delayMs = Math.max(now - expected, this.#delayMs * DECAY);
      expected = now + TICK_MS;
      if (now - this.#bucketStart >= BUCKET_MS) this.#rotate(now);
      if (now - windowStart >= UTILIZATION_WINDOW_MS) {
        this.#utilization = performance.eventLoopUtilization(window).utilization;
        window = performance.eventLoopUtilization();
        windowStart = now;
      }
    }, TICK_MS);
    this.#timer.unref();
  }

  #rotate(now: number): void {
    // A stalled loop may skip buckets: clear every one that passed.
    const passed = Math.min(BUCKETS, Math.floor((now - this.#bucketStart) / BUCKET_MS));
    for (let i = 0; i < passed; i++) {
      this.#late.pop();
      this.#late.unshift(0);
    }
    this.#bucketStart += passed * BUCKET_MS;
  }

  /** Watches a socket's receive queue (the SIP stack registers its UDP socket). */
  watchSocket(socket: SocketDelay): void {
    this.#sockets.push(socket);
  }

  #socketDelayMs(): number {
    let ms = 0;
    for (const s of this.#sockets) ms = Math.max(ms, s.delayMs);
    return ms;
  }

  /** The stack read a third copy of an INVITE it has not answered with a final response yet. */
  noteLateInvite(): void {
    this.#late[0]!++;
  }

  get retryAfterSeconds(): number {
    return this.#options.retryAfterSeconds;
  }

  /** Why a new call should be refused now, or undefined to take it. Counts the refusal.
   *  `transactions`: the SIP stack's live transactions (the traffic the loop bounds need). */
  shouldShed(transactions = Infinity): string | undefined {
    this.#transactions = transactions;
    const reason = this.#reason(transactions, true);
    if (reason) this.#shed++;
    return reason;
  }

  /** `decide`: a real INVITE is waiting for the answer (the socket-delay share is spent on it). */
  #reason(transactions: number, decide = false): string | undefined {
    const q = this.#options.queue;
    if (q && q.depth() > q.max) return `queue depth ${q.depth()} > ${q.max}`;
    const maxDelay = this.#options.maxSocketDelayMs ?? 0;
    if (maxDelay > 0 && this.#sockets.length > 0) {
      // A share of new calls in proportion to the excess: none at the bound, all at twice it. A wait that
      // only touches the bound (a GC pause, a burst) costs a few calls instead of every call for a while.
      const delay = this.#socketDelayMs();
      const share = Math.min(1, (delay - maxDelay) / maxDelay);
      if (share > 0) {
        const why = `datagrams wait ${delay.toFixed(0)} ms unread in the SIP socket > ${maxDelay} ms: ${Math.ceil(share * 100)} % of new calls refused`;
        if (!decide) return why;
        this.#credit += share;
        if (this.#credit >= 1) {
          this.#credit -= 1;
          return why;
        }
      }
    }
    const late = this.#lateInvites();
    const maxLate = this.#options.maxLateInvitesPerSecond ?? 0;
    if (maxLate > 0 && late > maxLate) return `${late} INVITEs arrived a third time unanswered in the last second (> ${maxLate}): they waited ≥ 1.5 s unread`;
    if (transactions < (this.#options.minTransactions ?? 500)) return undefined;
    if (this.#delayMs > this.#options.maxLoopDelayMs) return `event-loop delay ${this.#delayMs.toFixed(0)} ms > ${this.#options.maxLoopDelayMs} ms`;
    const maxU = this.#options.maxUtilization ?? 1;
    if (maxU < 1 && this.#utilization > maxU) return `event loop ${(this.#utilization * 100).toFixed(0)} % busy > ${(maxU * 100).toFixed(0)} %`;
    return undefined;
  }

  get status(): OverloadStatus {
    return { shedding: this.#reason(this.#transactions) !== undefined, loopDelayMs: Math.round(this.#delayMs), utilization: Math.round(this.#utilization * 100) / 100, queueDepth: this.#options.queue?.depth() ?? 0, lateInvites: this.#lateInvites(), socketDelayMs: Math.round(this.#socketDelayMs()), shed: this.#shed };
  }

  #lateInvites(): number {
    let n = 0;
    for (const v of this.#late) n += v;
    return n;
  }

  close(): void {
    clearInterval(this.#timer);
  }
}
