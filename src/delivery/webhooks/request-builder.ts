/**
 * Builds the HTTP request for one event to one URL: pure, so it is tested without sockets.
 *
 * - POST (default): `Content-Type: application/json; charset=utf-8`, body = the payload exactly as logged.
 * - GET: no body; the payload's top-level properties become query parameters, nested objects and arrays
 *   as a JSON string in one parameter (spec bandwidth §1.2). Parameters (the URL's own included) are sorted
 *   by name and encoded with encodeURIComponent: that canonical string is what is sent and signed.
 * - Headers: `X-Ringside-Event`, `X-Ringside-Event-Id`, `X-Ringside-Timestamp` (unix seconds),
 *   `X-Ringside-Signature: sha256=…` when the subscription has a secret, `X-Ringside-Delivery-Attempt`;
 *   teltel subscriptions also get the same values under the `X-TelTel-*` names (spec teltel §1);
 *   voice-API (bandwidth) requests carry `User-Agent: BandwidthAPI/v1 (…)` (spec bandwidth §1.2).
 * - Credentials in the URL (`https://user:pass@host/…`) are sent as `Authorization: Basic …` and removed
 *   from the URL (spec bandwidth §1.3).
 */
import { sign } from './signature.js';

export interface DeliveryTarget {
  url: string;
  method: 'GET' | 'POST';
  dialect: string;
  secret?: string;
}

export interface DeliveryEvent {
  id: string;
  name: string;
  /** JSON text of the payload, exactly as logged. */
  payload: string;
}

export interface BuiltRequest {
  /** The URL without credentials (and, for GET, with the canonical query). */
  url: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  /** What the signature covers after `timestamp.` (body or canonical query). */
  signed: string;
}

export interface BuildOptions {
  /** Unix seconds. */
  timestamp: number;
  attempt: number;
  userAgent: string;
}

export class InvalidTargetError extends Error {
  override readonly name = 'InvalidTargetError';
}

export function buildRequest(target: DeliveryTarget, event: DeliveryEvent, options: BuildOptions): BuiltRequest {
  let url: URL;
  try {
    url = new URL(target.url);
  } catch {
    throw new InvalidTargetError(`webhook URL '${redact(target.url)}' is not a valid URL`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InvalidTargetError(`webhook URL '${redact(target.url)}' is not http(s)`);
  const headers: Record<string, string> = {};
  if (url.username || url.password) {
    const user = decodeURIComponent(url.username);
    const pass = decodeURIComponent(url.password);
    headers['authorization'] = 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');
    url.username = '';
    url.password = '';
  }
  url.hash = '';
  if (target.method === 'GET') {
    const params: [string, string][] = [...url.searchParams.entries()];
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    for (const [k, v] of Object.entries(payload)) params.push([k, queryValue(v)]);
    const query = canonicalQuery(params);
    url.search = '';
    const base = url.toString();
    return finish(query ? `${base}?${query}` : base, query, undefined);
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  return finish(url.toString(), event.payload, event.payload);

  function finish(finalUrl: string, signed: string, body: string | undefined): BuiltRequest {
    const ts = String(options.timestamp);
    headers['user-agent'] = target.dialect === 'bandwidth' ? `BandwidthAPI/v1 (${options.userAgent})` : options.userAgent;
    headers['x-ringside-event'] = event.name;
    headers['x-ringside-event-id'] = event.id;
    headers['x-ringside-timestamp'] = ts;
    headers['x-ringside-delivery-attempt'] = String(options.attempt);
    const signature = target.secret ? sign(target.secret, options.timestamp, signed) : undefined;
    if (signature) headers['x-ringside-signature'] = signature;
    if (target.dialect === 'teltel') {
      headers['x-teltel-event'] = event.name;
      headers['x-teltel-event-id'] = event.id;
      headers['x-teltel-timestamp'] = ts;
      if (signature) headers['x-teltel-signature'] = signature;
    }
    const built: BuiltRequest = { url: finalUrl, method: target.method, headers, signed };
    if (body !== undefined) built.body = body;
    return built;
  }
}

/** A payload property as a query value: strings as they are, numbers and booleans as text, null as
 *  empty, objects and arrays as JSON (spec bandwidth §1.2: `diversion` is sent as a JSON string). */
export function queryValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Sorted by name then value, each side encoded with encodeURIComponent (RFC 3986; space = %20). */
export function canonicalQuery(params: readonly (readonly [string, string])[]): string {
  return [...params]
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
}

/** The URL with its credentials hidden, for logs and REST answers. */
export function redact(url: string): string {
  try {
    const u = new URL(url);
    if (u.username || u.password) {
      u.username = u.username ? '***' : '';
      u.password = u.password ? '***' : '';
    }
    return u.toString();
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}

/** The origin requests are counted against for per-endpoint concurrency. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}
