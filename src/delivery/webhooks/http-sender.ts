/**
 * Sends one built request and says what came of it, over node:http/https with keep-alive agents (one
 * connection pool per origin; undici's fetch costs about twice the CPU per request here). Redirects are
 * not followed (a signed event must not be forwarded to a host the subscription did not name); the
 * response body is read up to a small limit and discarded. The timeout covers the whole exchange.
 */
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { BuiltRequest } from './request-builder.js';
import { classifyStatus, type AttemptOutcome } from './retry-policy.js';

const MAX_RESPONSE_BYTES = 64 * 1024;

export interface SendResult {
  outcome: AttemptOutcome;
  durationMs: number;
}

/** Keep-alive connection pools, shared by every request of one engine. */
export class HttpSender {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;

  constructor(maxSocketsPerOrigin: number) {
    const opts = { keepAlive: true, maxSockets: maxSocketsPerOrigin, maxFreeSockets: maxSocketsPerOrigin, timeout: 60_000, scheduling: 'lifo' as const };
    this.#http = new HttpAgent(opts);
    this.#https = new HttpsAgent(opts);
  }

  send(req: BuiltRequest, timeoutMs: number, abort: AbortSignal): Promise<SendResult> {
    const started = performance.now();
    const url = new URL(req.url);
    const secure = url.protocol === 'https:';
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));
    return new Promise<SendResult>((resolve) => {
      let settled = false;
      const done = (outcome: AttemptOutcome) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        abort.removeEventListener('abort', onAbort);
        resolve({ outcome, durationMs: Math.round(performance.now() - started) });
      };
      const r = (secure ? httpsRequest : httpRequest)(url, { method: req.method, headers, agent: secure ? this.#https : this.#http }, (res: IncomingMessage) => {
        let n = 0;
        res.on('data', (c: Buffer) => {
          n += c.length;
          if (n > MAX_RESPONSE_BYTES) res.destroy();
        });
        const finish = () => done(classifyStatus(res.statusCode ?? 0, headerValue(res.headers['retry-after']), Date.now()));
        res.on('end', finish);
        res.on('close', finish);
        res.on('error', finish);
      });
      const timer = setTimeout(() => {
        done({ kind: 'retryable', error: `timeout after ${timeoutMs} ms` });
        r.destroy();
      }, timeoutMs);
      const onAbort = () => {
        done({ kind: 'retryable', error: 'aborted: delivery engine stopping' });
        r.destroy();
      };
      if (abort.aborted) return onAbort();
      abort.addEventListener('abort', onAbort, { once: true });
      r.on('error', (err: NodeJS.ErrnoException) => done({ kind: 'retryable', error: `network error: ${err.code ?? err.message}${err.code && err.message ? ` (${err.message})` : ''}` }));
      r.end(req.body);
    });
  }

  close(): void {
    this.#http.destroy();
    this.#https.destroy();
  }
}

function headerValue(v: string | string[] | undefined): string | null {
  if (v === undefined) return null;
  return Array.isArray(v) ? (v[0] ?? null) : v;
}
