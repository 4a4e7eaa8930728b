/**
 * The one way the console talks to Ringside: `fetch` with the bearer token from `/auth/login`, one retry
 * after `/auth/refresh` when a call answers 401, and every failure turned into an `ApiFailure` carrying the
 * server's `{error, message}` (src/api/shared/api-error.ts) so screens can show it as it is.
 */
import { tokens, type Tokens } from './tokens';

export class ApiFailure extends Error {
  override readonly name = 'ApiFailure';
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export interface ApiResponse<T> {
  status: number;
  body: T;
  headers: Headers;
}

export interface RequestOptions {
  method?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Called when the session cannot be refreshed: the app shows the login screen. */
let onSignedOut: () => void = () => undefined;
export function whenSignedOut(fn: () => void): void {
  onSignedOut = fn;
}

let refreshing: Promise<boolean> | null = null;

/** Trades the refresh token for new tokens once, however many requests saw the 401 at the same time. */
export function refreshTokens(): Promise<boolean> {
  refreshing ??= (async () => {
    const current = tokens.get();
    if (!current) return false;
    const res = await fetch('/auth/refresh', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refresh_token: current.refreshToken }),
    }).catch(() => null);
    if (!res?.ok) return false;
    const body = (await res.json()) as { token: string; refreshToken: string };
    tokens.set({ token: body.token, refreshToken: body.refreshToken });
    return true;
  })().finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function failureOf(res: Response): Promise<ApiFailure> {
  const text = await res.text().catch(() => '');
  try {
    const j = JSON.parse(text) as { error?: unknown; message?: unknown };
    // The REST families answer {"error": "code", "message": …}; fastify's own errors may nest it.
    const code = typeof j.error === 'string' ? j.error : typeof j.error === 'object' && j.error && 'code' in j.error ? String((j.error as { code: unknown }).code) : `http_${res.status}`;
    const message = typeof j.message === 'string' ? j.message : text;
    return new ApiFailure(res.status, code, message || res.statusText);
  } catch {
    return new ApiFailure(res.status, `http_${res.status}`, text || res.statusText);
  }
}

function authHeaders(t: Tokens | null): Record<string, string> {
  return t ? { authorization: `Bearer ${t.token}` } : {};
}

/** A raw authenticated fetch (used for streams and media blobs); refreshes once on 401. */
export async function authFetch(path: string, init: RequestInit = {}): Promise<Response> {
  const send = () => fetch(path, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...authHeaders(tokens.get()) } });
  let res = await send();
  if (res.status === 401 && tokens.get()) {
    if (await refreshTokens()) res = await send();
    else {
      tokens.clear();
      onSignedOut();
    }
  }
  return res;
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
  const init: RequestInit = { method: options.method ?? 'GET', headers };
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    init.body = JSON.stringify(options.body);
  }
  let res: Response;
  try {
    res = await authFetch(path, init);
  } catch (err) {
    throw new ApiFailure(0, 'network_error', `could not reach Ringside: ${String(err)}`);
  }
  if (!res.ok) throw await failureOf(res);
  const text = res.status === 204 ? '' : await res.text();
  return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : undefined) as T };
}

export async function get<T>(path: string): Promise<T> {
  return (await request<T>(path)).body;
}

export async function post<T>(path: string, body?: unknown): Promise<T> {
  return (await request<T>(path, { method: 'POST', body })).body;
}
