/**
 * Node liveness and session takeover in a cluster (docs/scale-out.md, "When a node dies"). Each node holds
 * the lease `node/<id>` in PostgreSQL, renewed every `intervalMs`; every node also looks, at the same
 * rate, for open sessions on the shared event log whose starting node holds no lease any more. The first
 * survivor to take the lease `takeover/<id>` closes them as a restart would (BYE from the stored dialogs,
 * end facts in every dialect: crash-recovery.ts), so calls in progress on a node that died get their end
 * events within the lease's lifetime plus one interval, and a node restarting under the same id finds
 * nothing left to close.
 */
import type { Logger } from '../log/logger.js';

export interface LeaseStore {
  acquire(name: string, holder: string, ttlMs: number): Promise<boolean>;
  release(name: string, holder: string): Promise<void>;
  holder(name: string): Promise<string | undefined>;
}

export interface SessionTakeoverOptions {
  nodeId: string;
  /** This process (node id, pid, random): a restarted node is a new holder. */
  holder: string;
  leases: LeaseStore;
  /** Open sessions on the shared log by the node that started them. */
  openSessionsByNode(): Promise<Map<string, string[]>>;
  /** Closes a dead node's sessions; resolves with how many were closed. */
  close(sessionIds: readonly string[]): Promise<number>;
  logger: Logger;
  /** Node lease lifetime (default 15 s); renewals and scans every third of it. */
  ttlMs?: number;
}

export class DuplicateNodeError extends Error {
  override readonly name = 'DuplicateNodeError';
}

export class SessionTakeover {
  readonly #o: SessionTakeoverOptions;
  readonly #ttlMs: number;
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> = Promise.resolve();
  #stopped = false;
  /** Sessions closed for dead nodes since start. */
  takenOver = 0;

  constructor(o: SessionTakeoverOptions) {
    this.#o = o;
    this.#ttlMs = o.ttlMs ?? 15_000;
  }

  get #nodeLease(): string {
    return `node/${this.#o.nodeId}`;
  }

  /** Takes this node's lease. A previous process of the same node id that died still holds it until it
   *  expires: wait that long. Still held after that: another live process runs under this id. */
  async join(): Promise<void> {
    const deadline = Date.now() + this.#ttlMs + 2_000;
    while (!(await this.#o.leases.acquire(this.#nodeLease, this.#o.holder, this.#ttlMs))) {
      if (Date.now() > deadline) throw new DuplicateNodeError(`node id '${this.#o.nodeId}' is in use by a running node (${(await this.#o.leases.holder(this.#nodeLease)) ?? 'unknown'}): give each node its own --node-id`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }

  /** Renews and scans every third of the lease's lifetime. */
  start(): void {
    const every = Math.max(100, Math.floor(this.#ttlMs / 3));
    this.#timer = setInterval(() => {
      this.#round = this.#round.then(() => this.tick());
    }, every);
    this.#timer.unref();
  }

  /** One round: renew this node's lease, then close the sessions of nodes that hold none. */
  async tick(): Promise<void> {
    if (this.#stopped) return;
    const log = this.#o.logger;
    try {
      if (!(await this.#o.leases.acquire(this.#nodeLease, this.#o.holder, this.#ttlMs))) log.error({ nodeId: this.#o.nodeId }, 'this node lost its lease: another process holds its node id');
      const byNode = await this.#o.openSessionsByNode();
      for (const [node, sessions] of byNode) {
        if (node === this.#o.nodeId || node === '' || sessions.length === 0 || this.#stopped) continue;
        if ((await this.#o.leases.holder(`node/${node}`)) !== undefined) continue;
        const lease = `takeover/${node}`;
        if (!(await this.#o.leases.acquire(lease, this.#o.holder, 4 * this.#ttlMs))) continue;
        try {
          const closed = await this.#o.close(sessions);
          this.takenOver += closed;
          log.warn({ deadNode: node, openSessions: sessions.length, closed }, 'closed the calls of a node that stopped renewing its lease');
        } finally {
          await this.#o.leases.release(lease, this.#o.holder);
        }
      }
    } catch (err) {
      log.error({ err }, 'session takeover round failed');
    }
  }

  /** Stops and releases this node's lease: a graceful stop leaves no session open to take over. */
  async close(): Promise<void> {
    this.#stopped = true;
    if (this.#timer) clearInterval(this.#timer);
    await this.#round;
    await this.#o.leases.release(this.#nodeLease, this.#o.holder).catch(() => undefined);
  }
}
