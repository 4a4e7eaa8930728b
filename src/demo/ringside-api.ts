/**
 * The few REST calls the tour makes, exactly as any client would (docs/realtime-api.md): `GET /health`,
 * `POST /auth/login`, `POST /voice/originate`, `GET /reports/call-data/{call_id}`.
 */
import { RingsideUnreachableError } from './errors.js';
import { sleep } from './wait.js';

export interface RestAnswer {
  status: number;
  body: Record<string, unknown>;
}

export class RingsideApi {
  /** `http://127.0.0.1:8080`, without a trailing slash. */
  readonly baseUrl: string;
  #token?: string;

  constructor(baseUrl: string) {
    this.baseUrl = baseUrl.replace(/\/+$/, '');
  }

  /** The token of the last successful login (for the WebSocket's `authrequest`). */
  get token(): string {
    if (this.#token === undefined) throw new RingsideUnreachableError('not logged in');
    return this.#token;
  }

  /** True when `GET /health` answers `status: ok` within `timeoutMs`. */
  async healthy(timeoutMs = 3000): Promise<boolean> {
    try {
      const res = await fetch(`${this.baseUrl}/health`, { signal: AbortSignal.timeout(timeoutMs) });
      const body = (await res.json()) as { status?: unknown };
      return res.ok && body.status === 'ok';
    } catch {
      return false;
    }
  }

  /** `POST /auth/login`; keeps the token for the calls that follow. */
  async login(username: string, password: string): Promise<string> {
    const res = await this.#call('POST', '/auth/login', { username, password });
    const token = res.body.token;
    if (res.status !== 200 || typeof token !== 'string') {
      throw new RingsideUnreachableError(`login as ${username} failed: ${res.status} ${JSON.stringify(res.body)} (is Ringside running with examples/demo.yaml?)`);
    }
    this.#token = token;
    return token;
  }

  /** `POST /voice/originate` (spec realtime §5.3). */
  originate(params: { caller: string; callee: string; user_id?: string; pin?: string; timeout?: string }): Promise<RestAnswer> {
    return this.#call('POST', '/voice/originate', params);
  }

  /** A call's report entry by its `uniqueId`, waiting up to `waitMs` for the switch to write it (it does
   *  so right after the session ended). Undefined when there is none by then. */
  async reportEntry(callId: string, waitMs = 3000): Promise<Record<string, unknown> | undefined> {
    const deadline = Date.now() + waitMs;
    for (;;) {
      const res = await this.#call('GET', `/reports/call-data/${encodeURIComponent(callId)}`);
      const data = res.body.data;
      if (res.status === 200 && Array.isArray(data) && data.length > 0) return data[0] as Record<string, unknown>;
      if (Date.now() >= deadline) return undefined;
      await sleep(200);
    }
  }

  /**
   * Downloads a file Ringside serves (a voicemail's URL) and returns its status and size in bytes. URLs are
   * built from Ringside's public URL; when that one does not answer here (a config's `server.publicUrl`
   * naming another port), the same path is fetched from the base URL the tour uses, and `via` says so.
   */
  async download(url: string): Promise<{ status: number; bytes: number; contentType: string; via?: string }> {
    const get = async (u: URL) => {
      const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
      const body = Buffer.from(await res.arrayBuffer());
      return { status: res.status, bytes: body.length, contentType: res.headers.get('content-type') ?? '' };
    };
    const target = new URL(url, this.baseUrl);
    try {
      return await get(target);
    } catch (err) {
      const here = new URL(target.pathname + target.search, this.baseUrl);
      if (here.origin === target.origin) throw new RingsideUnreachableError(`GET ${url} failed: ${(err as Error).message}`);
      try {
        return { ...(await get(here)), via: here.origin };
      } catch (err2) {
        throw new RingsideUnreachableError(`GET ${url} failed: ${(err as Error).message}; from ${here.origin} too: ${(err2 as Error).message}`);
      }
    }
  }

  async #call(method: 'GET' | 'POST', path: string, body?: Record<string, unknown>): Promise<RestAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: { ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) },
        ...(body ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(10_000),
      });
    } catch (err) {
      throw new RingsideUnreachableError(`${method} ${this.baseUrl}${path} failed: ${(err as Error).message}`);
    }
    const text = await res.text();
    let parsed: Record<string, unknown>;
    try {
      parsed = JSON.parse(text) as Record<string, unknown>;
    } catch {
      parsed = { text };
    }
    return { status: res.status, body: parsed };
  }
}
