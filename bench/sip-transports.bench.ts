/**
 * REGISTER rate per SIP transport: UDP, TCP, TLS and WebSocket (ws and wss) into one registrar with digest
 * (each registration is two transactions: REGISTER → 401, REGISTER with Authorization → 200), and calls
 * (INVITE/200/ACK + BYE/200) per second over UDP, TCP and TLS between two stacks, and over ws/wss from the
 * browser-like phones. Server and clients share
 * this process and its CPU. UDP/TCP/TLS clients are SIP stacks; WebSocket clients are the test suite's
 * browser-like phone (test/support/ws-sip-phone.ts) over the real `ws` package, each its own connection.
 * Run: npm run bench -- sip-transports
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { SipStack } from '../src/sip/sip-stack.js';
import { Registrar } from '../src/sip/registrar/registrar.js';
import { MemoryBindingStore } from '../src/sip/registrar/binding-store.js';
import type { TransportProtocol } from '../src/sip/transport/transport-types.js';
import { SipWebSocketAcceptor } from '../src/app/sip-websocket-acceptor.js';
import { routeUpgrades } from '../src/app/upgrade-router.js';
import { WsSipPhone } from '../test/support/ws-sip-phone.js';

const DURATION_MS = 3000;
const USERS = 200;
const SDP = 'v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 40000 RTP/AVP 0\r\n';

const dir = mkdtempSync(join(tmpdir(), 'ringside-bench-tls-'));
execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-sha256', '-days', '2', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
const cert = readFileSync(join(dir, 'cert.pem'));
const key = readFileSync(join(dir, 'key.pem'));
rmSync(dir, { recursive: true, force: true });
const tls = { cert, key, ca: cert, port: 0 };

async function run(concurrency: number, once: (worker: number) => Promise<boolean>): Promise<{ rate: number; failures: number }> {
  const end = Date.now() + DURATION_MS;
  let done = 0;
  let failures = 0;
  const start = Date.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      while (Date.now() < end) {
        if (await once(worker)) done++;
        else failures++;
      }
    }),
  );
  return { rate: done / ((Date.now() - start) / 1000), failures };
}

const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
const user = (i: number) => `u${i % USERS}`;

// The registrar side: SHA-256 digest (the default), users u0…u199 with password "pw-<name>".
const server = await SipStack.start({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tcp', 'tls', 'ws', 'wss'], tls });
const registrar = new Registrar({
  store: new MemoryBindingStore(),
  realm: 'bench.test',
  credentials: async (username) => (/^u\d+$/.test(username) ? { userId: username, password: `pw-${username}` } : undefined),
  isConnectionOpen: (d) => server.isConnectionOpen(d),
});
server.onRequest('REGISTER', registrar.handle);
server.onInvite((inv) => {
  inv.accept({ body: SDP });
});
const acceptor = new SipWebSocketAcceptor(server);
const http = createHttpServer();
const https = createHttpsServer({ cert, key });
routeUpgrades(http, { '/sip': acceptor.handler('ws') }, (_req, socket) => socket.destroy());
routeUpgrades(https, { '/sip': acceptor.handler('wss') }, (_req, socket) => socket.destroy());
await new Promise<void>((r) => http.listen(0, '127.0.0.1', () => r()));
await new Promise<void>((r) => https.listen(0, '127.0.0.1', () => r()));
const port = (s: typeof http | typeof https): number => (s.address() as { port: number }).port;

/** One row per ws/wss transport and concurrency: each worker its own browser-like phone and connection. */
async function overWebSockets(workload: string, once: (phone: WsSipPhone, worker: number) => Promise<boolean>): Promise<void> {
  for (const transport of ['ws', 'wss'] as const) {
    const url = `${transport}://127.0.0.1:${transport === 'ws' ? port(http) : port(https)}/sip`;
    for (const concurrency of [1, 50]) {
      const phones = await Promise.all(Array.from({ length: concurrency }, () => WsSipPhone.open(url, { ca: cert })));
      const r = await run(concurrency, async (w) => {
        const ok = await once(phones[w]!, w);
        phones[w]!.forget();
        return ok;
      });
      await Promise.all(phones.map((p) => p.close()));
      console.log(`| ${workload} | ${transport.toUpperCase()} | ${concurrency} | ${fmt(r.rate)} | ${r.failures} |`);
    }
  }
}

console.log(`node ${process.version}, ${cpus().length} x ${cpus()[0]?.model ?? 'cpu'}; ${DURATION_MS / 1000} s per row, server and clients in one process\n`);
console.log('| workload | transport | concurrency | per second | failures |');
console.log('|---|---|---:|---:|---:|');

const client = await SipStack.start({ host: '127.0.0.1', port: 0, protocols: ['udp', 'tcp', 'tls'], tls });
for (const transport of ['udp', 'tcp', 'tls'] as TransportProtocol[]) {
  const registrarUri = `sip:127.0.0.1:${transport === 'tls' ? server.tlsPort : server.port};transport=${transport}`;
  for (const concurrency of [1, 50]) {
    const r = await run(concurrency, async (w) => {
      const u = user(w);
      const res = await client.request('REGISTER', { to: `sip:${u}@bench.test`, from: `sip:${u}@bench.test`, requestUri: registrarUri, credentials: { username: u, password: `pw-${u}` }, headers: { expires: '300' } });
      return res.status === 200;
    });
    console.log(`| REGISTER with digest | ${transport.toUpperCase()} | ${concurrency} | ${fmt(r.rate)} | ${r.failures} |`);
  }
}
await overWebSockets('REGISTER with digest', async (phone, w) => (await phone.register(user(w), `pw-${user(w)}`, 'bench.test')).status === 200);
for (const transport of ['udp', 'tcp', 'tls'] as TransportProtocol[]) {
  const target = `sip:bench@127.0.0.1:${transport === 'tls' ? server.tlsPort : server.port};transport=${transport}`;
  for (const concurrency of [1, 50]) {
    const r = await run(concurrency, async () => {
      const res = await (await client.invite({ to: target, body: SDP, transport })).result;
      if (!res.ok) return false;
      return (await res.session.bye()).status === 200;
    });
    console.log(`| call: INVITE/200/ACK + BYE/200 | ${transport.toUpperCase()} | ${concurrency} | ${fmt(r.rate)} | ${r.failures} |`);
  }
}
await overWebSockets('call: INVITE/200/ACK + BYE/200', async (phone, w) => {
  const call = await phone.call('bench', 'bench.test', user(w), `pw-${user(w)}`, SDP);
  return call.final.status === 200 && (await call.bye()).status === 200;
});
await client.close();
await acceptor.close();
await server.close();
http.close();
https.close();
