import type { Destination } from '../transport/transport-types.js';

/**
 * One registered contact of a user (RFC 3261 §10.3): where the user's device said it can be reached, and
 * where its REGISTER really came from (for NAT traversal, RFC 3581: requests go to `source`).
 */
export interface Binding {
  /** The provisioned user this device authenticated as. */
  userId: string;
  /** Address-of-record (`sip:alice@example.com`), from the To header. */
  aor: string;
  /** The Contact URI as registered (the Request-URI of requests to this device). */
  contact: string;
  /** Where the REGISTER came from: protocol, IP and port as seen by us (`received`/`rport`). */
  source: Destination;
  /** Epoch milliseconds when the binding lapses. */
  expiresAt: number;
  /** §10.3 step 7: the Call-ID and CSeq of the REGISTER that last refreshed this binding. */
  callId: string;
  cseq: number;
  /** Contact `q` preference, 0–1 (default 1). */
  q: number;
  userAgent?: string;
  /** RFC 3327 §5.3: the REGISTER's Path header field values, in order (the proxies between us and the
   *  device, e.g. Kamailio in front of a cluster). Requests to the device carry them as preloaded Routes. */
  path?: string[];
}

/**
 * Persistence for bindings. Small on purpose: the SQLite/PostgreSQL stores implement these three calls.
 * `save` upserts by (userId, contact); `remove` deletes one binding; `load` returns the user's bindings
 * (expired ones may be included: the registrar filters and removes them).
 */
export interface BindingStore {
  load(userId: string): Promise<Binding[]>;
  save(binding: Binding): Promise<void>;
  remove(userId: string, contact: string): Promise<void>;
}

/** In-memory BindingStore, for tests and single-process use without persistence. */
export class MemoryBindingStore implements BindingStore {
  #byUser = new Map<string, Map<string, Binding>>();

  async load(userId: string): Promise<Binding[]> {
    return [...(this.#byUser.get(userId)?.values() ?? [])].map((b) => ({ ...b, source: { ...b.source }, ...(b.path ? { path: [...b.path] } : {}) }));
  }

  async save(binding: Binding): Promise<void> {
    let m = this.#byUser.get(binding.userId);
    if (!m) this.#byUser.set(binding.userId, (m = new Map()));
    m.set(binding.contact, { ...binding, source: { ...binding.source }, ...(binding.path ? { path: [...binding.path] } : {}) });
  }

  async remove(userId: string, contact: string): Promise<void> {
    const m = this.#byUser.get(userId);
    m?.delete(contact);
    if (m && m.size === 0) this.#byUser.delete(userId);
  }
}
