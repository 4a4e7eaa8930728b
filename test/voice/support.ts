/**
 * What the voice-API end-to-end tests share: Ringside with account `demo` whose voice user is `u-demo`
 * (token `t-demo`, secret `s-demo`) and number +15550104 linked to an application, a real HTTP receiver as
 * the application's callback URL, the REST client the way the provider's client libraries call it
 * (`baseUrl + /v1/users/{userId}/…`, Basic token:secret, JSON), and a small HTTP server for `fileUrl`s.
 */
import { createServer } from 'node:http';
import assert from 'node:assert/strict';
import { startInProcess } from '../support/in-process.js';
import { callConfig } from '../support/call-config.js';
import { freePort } from '../switch/support/harness.js';
import { Receiver } from '../webhooks/support.js';
import { encodePcm16Wav } from '../../src/media/wav.js';
import type { Ringside } from '../../src/app/ringside.js';

type T = Parameters<typeof startInProcess>[0];

export const USER = 'u-demo';
export const APP_NUMBER = '+15550104';
export const CALLER = '+15557654321';

export interface VoiceSetup {
  r: Ringside;
  receiver: Receiver;
  carrierPort: number;
  sipTarget: string;
  api: VoiceApi;
}

/** Starts Ringside with an application on +15550104 (`autoAnswer` as asked) whose callbacks go to a receiver. */
export async function voiceSetup(t: T, o: { autoAnswer?: boolean; callbackHttpMethod?: 'GET' | 'POST'; incomingCallUrl?: string; fallbackUrl?: string } = {}, env: NodeJS.ProcessEnv = {}): Promise<VoiceSetup> {
  const receiver = await Receiver.start(t);
  const carrierPort = await freePort();
  const r = await startInProcess(
    t,
    callConfig(
      carrierPort,
      `
    voiceApi: { userId: ${USER}, apiToken: t-demo, apiSecret: s-demo }
    numbers: [{ number: "+15550100" }, { number: "${APP_NUMBER}", application: a-app }]
    applications:
      - { id: a-app, name: App, incomingCallUrl: "${o.incomingCallUrl ?? receiver.url('/voice')}", ${o.fallbackUrl ? `incomingCallFallbackUrl: "${o.fallbackUrl}", ` : ''}autoAnswer: ${o.autoAnswer ?? false}, callbackHttpMethod: ${o.callbackHttpMethod ?? 'POST'} }
`,
    ),
    { env },
  );
  return { r, receiver, carrierPort, sipTarget: `127.0.0.1:${r.sip.port}`, api: new VoiceApi(`http://127.0.0.1:${r.httpPort}`) };
}

export interface ApiAnswer {
  status: number;
  headers: Headers;
  body: unknown;
}

/** The REST calls as the provider's clients make them. */
export class VoiceApi {
  constructor(
    readonly baseUrl: string,
    readonly auth = 'Basic ' + Buffer.from('t-demo:s-demo').toString('base64'),
  ) {}

  async call(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, raw?: string): Promise<ApiAnswer> {
    const res = await fetch(`${this.baseUrl}/v1/users/${USER}/${path}`, {
      method,
      headers: { authorization: this.auth, ...(body !== undefined || raw !== undefined ? { 'content-type': 'application/json' } : {}) },
      ...(raw !== undefined ? { body: raw } : body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    let parsed: unknown = text;
    try {
      parsed = text ? JSON.parse(text) : undefined;
    } catch {
      // not JSON: kept as text
    }
    return { status: res.status, headers: res.headers, body: parsed };
  }

  /** A create: 201 with a Location whose last segment is the new id (what client libraries read). */
  async create(path: string, body: unknown): Promise<string> {
    const a = await this.call('POST', path, body);
    assert.equal(a.status, 201, `POST ${path}: ${JSON.stringify(a.body)}`);
    const location = a.headers.get('location');
    assert.ok(location, `POST ${path} answered a Location`);
    return location.split('/').pop()!;
  }

  /** An update: 200 (never 204, which the provider's clients treat as an error). */
  async update(path: string, body: unknown): Promise<void> {
    const a = await this.call('POST', path, body);
    assert.equal(a.status, 200, `POST ${path}: ${JSON.stringify(a.body)}`);
  }
}

/** The callbacks a receiver got, parsed (POST JSON bodies, or GET query parameters). */
export function callbacks(receiver: Receiver, callId?: string): Record<string, unknown>[] {
  return receiver.requests
    .filter((q) => q.seen === 0)
    .map((q) => (q.method === 'GET' ? Object.fromEntries(new URL(q.url, 'http://x').searchParams) : (JSON.parse(q.body) as Record<string, unknown>)))
    .filter((e) => callId === undefined || e.callId === callId);
}

export async function waitForCallback(receiver: Receiver, match: (e: Record<string, unknown>) => boolean, what: string, timeoutMs = 15_000): Promise<Record<string, unknown>> {
  let found: Record<string, unknown> | undefined;
  await receiver.waitFor(() => (found = callbacks(receiver).find(match)) !== undefined, timeoutMs, what);
  return found!;
}

/** An HTTP server with one WAV (a 440 Hz tone of `amplitude`, 8 kHz, `seconds` long) at /tone.wav. */
export async function audioServer(t: T, seconds = 1, amplitude = 8000): Promise<string> {
  const samples = new Int16Array(8000 * seconds);
  for (let i = 0; i < samples.length; i++) samples[i] = Math.round(amplitude * Math.sin((2 * Math.PI * 440 * i) / 8000));
  const wav = Buffer.from(encodePcm16Wav(samples, 8000));
  const server = createServer((req, res) => {
    if (req.url === '/tone.wav') res.writeHead(200, { 'content-type': 'audio/wav' }).end(wav);
    else res.writeHead(404).end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.after(() => new Promise((r) => server.close(r)));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}/tone.wav`;
}

