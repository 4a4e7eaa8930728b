/**
 * The BXML port (switch/voice/bxml/bxml-port.ts) over the event log and the webhook request builder:
 * a BXML call follows its own session's voice-API events as they are logged, and GETs the ones whose
 * answer is its next document exactly as the webhook engine would send them (query parameters, Basic
 * credentials from the URL, `User-Agent: BandwidthAPI/v1 (…)`: spec bandwidth §1.2, §1.3), but
 * synchronously and once: primary, then fallback; a call cannot wait for retries.
 */
import type { EventLog } from '../events/log/event-log.js';
import { buildRequest } from '../delivery/webhooks/request-builder.js';
import type { BxmlAnswer, BxmlEvent, BxmlPort, BxmlRequestTarget } from '../switch/voice/bxml/bxml-port.js';

export class EventLogBxmlPort implements BxmlPort {
  constructor(
    private readonly events: EventLog,
    private readonly userAgent: string,
  ) {}

  follow(sessionId: string, onEvent: (e: BxmlEvent) => void): { close(): void } {
    return this.events.subscribe({
      filter: { sessionId, dialects: ['bandwidth'] },
      onEntry: (e) => onEvent({ id: e.id, name: e.name, payload: e.payload, ...(e.route?.callId !== undefined ? { callId: e.route.callId } : {}) }),
    });
  }

  async get(target: BxmlRequestTarget, event: BxmlEvent, maxBytes: number): Promise<BxmlAnswer> {
    try {
      return await this.#get(target.url, target.timeoutMs, event, maxBytes);
    } catch (err) {
      if (!target.fallbackUrl) throw err;
      return this.#get(target.fallbackUrl, target.timeoutMs, event, maxBytes);
    }
  }

  async #get(url: string, timeoutMs: number, event: BxmlEvent, maxBytes: number): Promise<BxmlAnswer> {
    const req = buildRequest({ url, method: 'GET', dialect: 'bandwidth' }, { id: event.id ?? '', name: event.name, payload: JSON.stringify(event.payload) }, { timestamp: Math.floor(Date.now() / 1000), attempt: 1, userAgent: this.userAgent });
    const signal = AbortSignal.timeout(timeoutMs);
    const res = await fetch(req.url, { method: 'GET', headers: req.headers, signal, redirect: 'manual' });
    if (res.status < 200 || res.status > 299) {
      await res.body?.cancel().catch(() => undefined);
      throw new Error(`HTTP ${res.status}`);
    }
    return { url, status: res.status, contentType: res.headers.get('content-type') ?? '', body: await readCapped(res, maxBytes + 1) };
  }
}

/** At most `limit` bytes of the body (the rest is not read): an oversized document is refused unread. */
async function readCapped(res: Response, limit: number): Promise<string> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  while (size < limit) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    size += value.byteLength;
  }
  await reader.cancel().catch(() => undefined);
  const all = Buffer.concat(chunks);
  return all.subarray(0, Math.min(all.length, limit)).toString('utf8');
}
