/**
 * The HTTP API: every route of the live app (api-routes.ts), each input built from the route's schemas
 * (json-schema-gen.ts) and then damaged — body, query string, path parameters, content type, auth header,
 * body size — and one input in ten written as raw, malformed HTTP/1.1 on a socket. Rules checked on each
 * answer: no 5xx for any of it, every 4xx a structured error (`{success:false, error, message}`, JSON), and
 * an answer within 10 s (else a hang).
 */
import { request, Agent } from 'node:http';
import { connect } from 'node:net';
import type { Prng } from './prng.js';
import { SchemaValues } from './json-schema-gen.js';
import type { ApiRoute } from './api-routes.js';
import { TargetStats, statusClass, type FuzzTarget } from './target.js';

export interface HttpCredentials {
  adminToken: string;
  userToken: string;
  /** Voice-API credentials `token:secret` (Basic). */
  api: string;
  /** A user's login `email:password` (Basic). */
  login: string;
  /** The voice API's user id of the account the `api` credentials are (the `{userId}` of its paths). */
  voiceUser?: string;
}

export interface HttpTargetOptions {
  host: string;
  port: number;
  routes: ApiRoute[];
  credentials: HttpCredentials;
  /** Local addresses: the second one is the carrier trunk's (the carrier routes authenticate by it). */
  from: string[];
  rngs: Prng[];
  /** Paths no write (anything but GET/HEAD) is sent to: what the campaign's real calls need (their user,
   *  line, number, presence and the trunks), as the SIP targets aim at another user and line. */
  protectedPaths?: RegExp[];
}

interface HttpInput {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  localAddress: string;
  /** Streams (SSE) are closed after the first bytes. */
  stream: boolean;
}

const TIMEOUT_MS = 10_000;
/** Values that reach past the routes' own checks (the provider's parameters are untyped in the schema).
 *  Never user 101 or +15550100: those ring the real calls' phone (campaign.ts). */
const HINTS: Record<string, unknown[]> = {
  username: ['alice@demo.test', 'bob@demo.test'],
  password: ['alice-pass', 'bob-pass'],
  to_number: ['+15557654321', '5557654321', '+15550101'],
  number: ['+15557654321', '5557654321'],
  payload: ['hello', 'STOP', 'x'.repeat(2000)],
  caller: ['102', '1102', '+15557654321'],
  callee: ['+15557654321', '102', '+15550101'],
  user_id: ['501', '502', '1'],
  start_date: [new Date().toISOString().slice(0, 10), '2020-01-01'],
  end_date: [new Date().toISOString().slice(0, 10), '2030-12-31'],
  from: ['+15557654321'],
  to: ['+15550101'],
  text: ['hi', 'STOP', 'START'],
  account_id: ['demo'],
  dialect: ['realtime', 'teltel', 'bandwidth'],
};
const ODD_SEGMENTS = ['', '%', '%zz', '%00', '%2e%2e', '..', '.', 'a'.repeat(5000), '%F0%9F%98%80', '%ED%A0%80', '%C0%AF', 'null', '-1', '0', '99999999999999999999', 'x.wav', '..%2f..%2fetc%2fpasswd', '%20', '+', ';', 'a;b=c', '*'];
const ODD_QUERY = ['after=-1', 'after=1e9', 'after=abc', 'after=99999999999999999999', 'limit=0', 'limit=-5', 'limit=100000', 'limit=', 'dialect=none', 'dialect=', 'dialect[]=realtime', 'session_id=', 'name=' + 'x'.repeat(5000), '%', '%zz=1', 'a=%00', '&&&', '=', 'a[b][c][d]=1', '__proto__[x]=1', 'constructor[prototype][x]=1', 'date_from=2026-13-45', 'date_to=yesterday', 'page=-1', 'per_page=1e9', 'account_id=other', 'account_id=', 'auth_only=1'];
const ODD_AUTH = ['', 'Bearer', 'Bearer ', 'Bearer x', 'bearer ' + 'a'.repeat(8000), 'Basic', 'Basic !!!!', 'Basic ' + Buffer.from('nocolon').toString('base64'), 'Basic ' + Buffer.from(':').toString('base64'), 'Basic ' + Buffer.from('bob@demo.test:wrong').toString('base64'), 'Digest username="x"', 'Token abc', '  Bearer  spaced  ', 'Bearer \u00e9t\u00e9', 'Basic ' + Buffer.from('\u0000:\u0000').toString('base64')];
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'application/x-www-form-urlencoded', 'text/plain', 'application/xml', 'multipart/form-data; boundary=fuzz', 'multipart/form-data', 'application/json; charset=utf-16', 'application/jsonx', '', '*/*', 'application/octet-stream'];
const BAD_JSON = ['{', '}', '[', '{"a":}', '{"a":1,}', 'nul', '\ufeff{}', '{"a":1}{"b":2}', '"\\ud800"', '{"a":"\\u00"}', '1e99999', '{"__proto__":{"x":1}}', '{"a":1,"a":2}', '\u0000', ' '];

/** encodeURIComponent that takes lone surrogates too (as their UTF-8 replacement, which is what goes on the wire). */
function enc(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) out += /[A-Za-z0-9\-_.!~*'()]/.test(String.fromCharCode(b)) ? String.fromCharCode(b) : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  return out;
}

function encodeForm(v: unknown): string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return String(v);
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => `${enc(k)}=${enc(typeof x === 'object' ? JSON.stringify(x) : String(x))}`)
    .join('&');
}

function encodeQuery(v: unknown, r: Prng): string {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return '';
  return Object.entries(v as Record<string, unknown>)
    .map(([k, x]) => {
      const vals = Array.isArray(x) ? x : [x];
      return vals.map((y) => `${enc(k)}=${r.chance(0.9) ? enc(typeof y === 'object' ? JSON.stringify(y) : String(y)) : String(y)}`).join('&');
    })
    .join('&');
}

export class HttpTarget implements FuzzTarget {
  readonly stats = new TargetStats('http');
  readonly #o: HttpTargetOptions;
  readonly #agent = new Agent({ keepAlive: true, maxSockets: 8 });
  /** Ids seen in answers (webhooks, calls, dead letters): path parameters that exist. */
  readonly #known: string[] = [];

  constructor(o: HttpTargetOptions) {
    this.#o = o;
  }

  async run(deadline: () => number): Promise<void> {
    try {
      await Promise.all(this.#o.rngs.map((r) => this.#worker(r, deadline)));
    } finally {
      this.#agent.destroy();
    }
  }

  async #worker(r: Prng, deadline: () => number): Promise<void> {
    while (Date.now() < deadline()) {
      const index = this.stats.sent++;
      if (r.chance(0.1)) {
        await this.#raw(r, index);
        continue;
      }
      const route = r.pick(this.#o.routes);
      const input = this.#build(route, r, new SchemaValues(r, (ref) => route.shared.get(ref.replace(/#.*$/, '')), HINTS));
      const path = input.path.split('?')[0]!;
      if (input.method !== 'GET' && input.method !== 'HEAD' && this.#o.protectedPaths?.some((p) => p.test(path))) {
        this.stats.count('protected-skip');
        continue;
      }
      await this.#send(input, index, route);
    }
  }

  #auth(route: ApiRoute, r: Prng): string | undefined {
    const c = this.#o.credentials;
    const k = r.next();
    // The voice API takes only its Basic credentials: most of its requests carry them, to get past the door.
    if (route.url.startsWith('/v1/users/') && k < 0.6) return `Basic ${Buffer.from(c.api).toString('base64')}`;
    if (k < 0.45) return `Bearer ${c.adminToken}`;
    if (k < 0.6) return `Bearer ${c.userToken}`;
    // Basic is checked with scrypt (slow by design): a few.
    if (k < 0.63) return `Basic ${Buffer.from(c.api).toString('base64')}`;
    if (k < 0.65) return `Basic ${Buffer.from(c.login).toString('base64')}`;
    if (k < 0.8 || route.auth === 'public') return undefined;
    return r.pick(ODD_AUTH);
  }

  #build(route: ApiRoute, r: Prng, values: SchemaValues): HttpInput {
    const paramValues = values.valid(route.schema.params) as Record<string, unknown> | undefined;
    const path = route.url.replace(/:([A-Za-z_]+)/g, (_m, name: string) => {
      const voiceUser = this.#o.credentials.voiceUser;
      if (name === 'userId' && voiceUser !== undefined && r.chance(0.8)) return voiceUser;
      if (this.#known.length && r.chance(0.3)) return enc(r.pick(this.#known));
      if (r.chance(0.3)) return r.pick(ODD_SEGMENTS);
      const v = paramValues && typeof paramValues === 'object' ? paramValues[name] : undefined;
      return enc(String(v ?? 'x'));
    });
    const q = r.chance(0.7) ? encodeQuery(values.damaged(route.schema.querystring, values.valid(route.schema.querystring)), r) : '';
    const extra = r.chance(0.3) ? r.pick(ODD_QUERY) : '';
    const query = [q, extra].filter(Boolean).join('&');
    const headers: Record<string, string> = {};
    const auth = this.#auth(route, r);
    if (auth !== undefined) headers.authorization = auth;
    if (r.chance(0.1)) headers.accept = r.pick(['text/event-stream', 'application/xml', '*/*', 'audio/wav', '']);
    if (route.url.endsWith('/stream') || r.chance(0.05)) {
      const lastId = r.pick(['0', '1', '-1', '99999999', 'abc', '', '1e3', ' 5', '%00', 'x'.repeat(3000), '18446744073709551616']);
      if (r.chance(0.6)) headers['last-event-id'] = lastId;
    }
    let body: Buffer | undefined;
    if (route.method !== 'GET' && route.method !== 'DELETE' ? r.chance(0.95) : r.chance(0.1)) {
      const schema = route.schema.body;
      const value = values.damaged(schema, values.valid(schema ?? { type: 'object', properties: {} }));
      const kind = r.next();
      if (kind < 0.65) {
        body = Buffer.from(JSON.stringify(value) ?? 'null');
        headers['content-type'] = r.chance(0.9) ? 'application/json' : r.pick(CONTENT_TYPES);
      } else if (kind < 0.8) {
        body = Buffer.from(encodeForm(value));
        headers['content-type'] = r.chance(0.9) ? 'application/x-www-form-urlencoded' : r.pick(CONTENT_TYPES);
      } else if (kind < 0.88) {
        body = Buffer.from(r.pick(BAD_JSON));
        headers['content-type'] = 'application/json';
      } else if (kind < 0.94) {
        const b = r.pick(['fuzz', 'other', '']);
        body = Buffer.from(r.pick([`--${b}\r\nContent-Disposition: form-data; name="to"\r\n\r\n+15557654321\r\n--${b}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\nContent-Type: image/png\r\n\r\n\x89PNG\r\n--${b}--\r\n`, `--${b}\r\n\r\n`, `--${b}--`, 'garbage', `--${b}\r\nContent-Disposition: form-data; name="${'n'.repeat(5000)}"\r\n\r\nv\r\n--${b}--\r\n`]), 'latin1');
        headers['content-type'] = `multipart/form-data; boundary=${r.chance(0.8) ? 'fuzz' : '"x"'}`;
      } else if (kind < 0.97) {
        body = Buffer.alloc(r.pick([1024 * 1024 + 1, 2 * 1024 * 1024]), 0x41);
        headers['content-type'] = r.pick(['application/json', 'application/x-www-form-urlencoded', 'text/plain']);
      } else {
        body = r.bytes(r.int(2000));
        headers['content-type'] = r.pick(CONTENT_TYPES);
      }
      if (headers['content-type'] === '') delete headers['content-type'];
    }
    const localAddress = route.auth !== 'public' && route.auth.schemes.includes('carrier') && r.chance(0.7) ? this.#o.from[1] ?? this.#o.from[0]! : this.#o.from[0]!;
    return { method: route.method, path: `${path}${query ? `?${query}` : ''}`, headers, ...(body ? { body } : {}), localAddress, stream: route.url.endsWith('/stream') || headers.accept === 'text/event-stream' };
  }

  #describe(input: HttpInput): string {
    return `${input.method} ${input.path} ${JSON.stringify(input.headers)} ${input.body ? input.body.subarray(0, 300).toString('latin1') : ''}`;
  }

  #send(input: HttpInput, index: number, route: ApiRoute): Promise<void> {
    return new Promise((resolve) => {
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        this.stats.count('timeout');
        this.stats.find('hang', `${route.method} ${route.url}: no answer in ${TIMEOUT_MS} ms`, this.#describe(input), index);
        req.destroy();
        finish();
      }, TIMEOUT_MS);
      let req: ReturnType<typeof request>;
      try {
        req = request({ host: this.#o.host, port: this.#o.port, method: input.method, path: input.path, headers: input.headers, agent: this.#agent, localAddress: input.localAddress }, (res) => {
          const status = res.statusCode ?? 0;
          this.stats.count(statusClass(status));
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (d: Buffer) => {
            if (size < 4_000_000) chunks.push(d);
            size += d.length;
            if (input.stream && status < 300) res.destroy();
          });
          const end = () => {
            this.#check(status, String(res.headers['content-type'] ?? ''), Buffer.concat(chunks), input, index, route);
            finish();
          };
          res.on('end', end);
          res.on('close', end);
          res.on('error', () => undefined);
        });
      } catch (err) {
        // Node refused to write the request (a header value it will not send): not an input.
        this.stats.count('unsendable');
        void err;
        finish();
        return;
      }
      req.on('error', (err: NodeJS.ErrnoException) => {
        if (done) return;
        // A refused body (413) may close the connection while we still write: the answer was counted.
        this.stats.count(`conn-${err.code ?? 'error'}`);
        finish();
      });
      if (input.body) req.end(input.body);
      else req.end();
    });
  }

  #check(status: number, contentType: string, body: Buffer, input: HttpInput, index: number, route: ApiRoute): void {
    if (status >= 200 && status < 300) this.#learn(body);
    if (status < 400) return;
    const where = `${route.method} ${route.url}`;
    let parsed: { success?: unknown; error?: unknown; message?: unknown; category?: unknown; code?: unknown; errors?: unknown } | undefined;
    try {
      parsed = JSON.parse(body.toString('utf8')) as typeof parsed;
    } catch {
      parsed = undefined;
    }
    // The voice API's routes answer in its provider's error shape (spec bandwidth §0), every other in Ringside's.
    const voiceShape = /^(?:[A-Z]+ )?\/v1\/users\//.test(route.url) && !!parsed && typeof parsed.category === 'string' && typeof parsed.code === 'string' && typeof parsed.message === 'string';
    const ringsideShape = !!parsed && parsed.success === false && typeof parsed.error === 'string' && typeof parsed.message === 'string';
    // The call-centre family's v2 routes answer `{"errors":[{"title","detail"}…]}` (spec teltel §7).
    const teltelShape = /^(?:[A-Z]+ )?\/v2\//.test(route.url) && !!parsed && Array.isArray(parsed.errors) && parsed.errors.length > 0 && parsed.errors.every((e: unknown) => typeof (e as { title?: unknown })?.title === 'string');
    const structured = (voiceShape || ringsideShape || teltelShape) && contentType.includes('application/json');
    // A gateway status naming its cause is Ringside's documented answer when a peer fails, not a fault of
    // its own: the fuzz setup's carrier never answers, so a valid `/sms/send` gets 502 carrier_failed.
    const gateway = (status === 502 || status === 504) && structured;
    if (status >= 500 && !gateway) this.stats.find('5xx', `${where} → ${status} ${parsed && typeof parsed.error === 'string' ? parsed.error : parsed && typeof parsed.code === 'string' ? parsed.code : body.subarray(0, 100).toString()}`, this.#describe(input), index);
    else if (!structured && !gateway) this.stats.find('unstructured-error', `${where} → ${status} ${contentType} ${body.subarray(0, 120).toString()}`, this.#describe(input), index);
  }

  #learn(body: Buffer): void {
    if (body.length > 100_000) return;
    const text = body.toString('utf8');
    for (const m of text.matchAll(/"(?:id|callId|call_id|webhookId)":"([^"]{1,64})"/g)) {
      if (this.#known.length >= 200) this.#known.splice(0, 1);
      this.#known.push(m[1]!);
    }
  }

  /** Malformed HTTP/1.1 on a raw socket: what fastify's client-error handler answers. */
  #raw(r: Prng, index: number): Promise<void> {
    const route = r.pick(this.#o.routes);
    const path = route.url.replace(/:([A-Za-z_]+)/g, 'x');
    const auth = `Bearer ${this.#o.credentials.adminToken}`;
    const variants = [
      `${route.method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\nAuthorization: ${auth}\r\n\r\n0123456789`,
      `${route.method} ${path} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Type: application/json\r\nAuthorization: ${auth}\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
      `${route.method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`,
      `${route.method} ${path} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\nContent-Type: application/json\r\nAuthorization: ${auth}\r\n\r\n{"a":`,
      `${route.method} ${path}\r\n\r\n`,
      `${route.method}  ${path} HTTP/1.1\r\n\r\n`,
      `GET / HTTP/9.9\r\nHost: x\r\n\r\n`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nBad Header: y\r\n\r\n`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\nX: ${'a'.repeat(20_000)}\r\n\r\n`,
      `GET ${path} HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 3000 }, (_, i) => `X-${i}: y`).join('\r\n')}\r\n\r\n`,
      `GET /${'a'.repeat(100_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
      `GET ${path} HTTP/1.1\nHost: x\n\n`,
      `\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03`,
      `GET / HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      `GET /nope HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nAuthorization: ${auth}\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n{}`,
      r.bytes(r.int(3000)).toString('latin1'),
    ];
    const text = r.pick(variants);
    return new Promise((resolve) => {
      const sock = connect({ host: this.#o.host, port: this.#o.port });
      let got = '';
      const timer = setTimeout(() => sock.destroy(), 1000);
      sock.on('data', (d: Buffer) => {
        if (got.length < 100_000) got += d.toString('latin1');
      });
      sock.on('error', () => undefined);
      sock.on('close', () => {
        clearTimeout(timer);
        const m = /^HTTP\/1\.1 (\d{3})/.exec(got);
        if (!m) this.stats.count(got === '' ? 'raw-closed' : 'raw-other');
        else {
          const status = Number(m[1]);
          this.stats.count(statusClass(status));
          const sep = got.indexOf('\r\n\r\n');
          const head = got.slice(0, sep < 0 ? got.length : sep);
          let body = sep < 0 ? '' : got.slice(sep + 4);
          // The first answer only (a keep-alive connection may carry a second one for the leftover bytes).
          const length = /content-length: *(\d+)/i.exec(head);
          if (length) body = body.slice(0, Number(length[1]));
          else if (/transfer-encoding: *chunked/i.test(head)) body = body.replace(/^[0-9a-f]+\r\n/i, '').replace(/\r\n0\r\n\r\n[\s\S]*$/, '').replace(/\r\n$/, '');
          const ct = /content-type: *([^\r\n]*)/i.exec(head)?.[1] ?? '';
          // 101 (a valid upgrade), and the WebSocket server's plain 404/400 for an upgrade it refuses, are not REST answers.
          if (status !== 101 && !/upgrade/i.test(text.slice(0, 300))) this.#check(status, ct, Buffer.from(body, 'latin1'), { method: 'RAW', path, headers: {}, body: Buffer.from(text, 'latin1'), localAddress: '', stream: false }, index, { ...route, method: 'RAW', url: `${route.method} ${route.url}` });
        }
        resolve();
      });
      sock.write(Buffer.from(text, 'latin1'));
      // Half-close so a server waiting for more body sees the end.
      setTimeout(() => sock.end(), 50);
    });
  }
}
