/**
 * Kamailio in front of two Ringside nodes (deploy/kamailio/kamailio.cfg), all on loopback: Kamailio on
 * 127.0.0.10:5060 (outside) and :5070 (facing the nodes, as deployed), node A on 127.0.0.11:5060, node B on
 * 127.0.0.12:5060, the carrier (sipp) on 127.0.0.2,
 * a phone (sipp) on 127.0.0.1. Each node has its own SQLite data directory (the shared PostgreSQL store is
 * another part of issue 17), so a phone is reachable from the node it registered through.
 *
 * One test, in steps, because each step needs the cluster the previous one left:
 * 1. carrier calls through Kamailio are spread over both nodes, and all succeed;
 * 2. node B is killed (-9): calls sent at once still succeed (a timeout fails them over to A, or the
 *    probe has already marked B inactive);
 * 3. after the probe interval every call goes to A, and all succeed;
 * 4. a phone REGISTERs through Kamailio (Path); a carrier call through Kamailio to node A rings it: the
 *    INVITE reaches the phone through Kamailio (its Route came from the Path); the phone hangs up along the
 *    Record-Route, and Ringside's BYE to the carrier follows the carrier dialog's Record-Route too;
 * 5. Kamailio relays onwards only for the nodes: requests from outside routed elsewhere get 403.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket } from 'node:dgram';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { missingTool } from '../support/tools.js';
import type { RunningRingside } from '../support/ringside-process.js';
import { CARRIER_IP, ok, sipp, sleep, type Sipp } from '../support/sipp-calls.js';
import { freePort } from '../sip/support/sipp.js';
import { startClusterNode } from './support/cluster-node.js';
import { INTERNAL_PORT, KAMAILIO, NODE_A, NODE_B, PROXY, SIP_PORT, startKamailio, until } from './support/kamailio.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');
/** Probe every second; a request unanswered for 1 s fails over: the steps stay short. */
const PING_INTERVAL_S = 1;
const FR_TIMER_MS = 1000;

const skip = missingTool('kamailio', 'kamailio') || missingTool('sipp', 'sip-tester') || missingTool('espeak-ng', 'espeak-ng');

type T = { after(fn: () => unknown): void };

function config(carrierPort: number): string {
  return `
trunks:
  - { name: carrier, host: ${CARRIER_IP}, port: ${carrierPort}, inboundAddresses: ["${KAMAILIO}", "${CARRIER_IP}"] }
accounts:
  - id: demo
    accountcode: demo
    name: Demo
    trunk: carrier
    defaultCallerId: "+15550100"
    numbers: [{ number: "+15550100" }, { number: "+15550104" }]
    users:
      - { id: 501, name: Alice, email: alice@demo.test, password: alice-pass, role: admin, extension: "101", pin: "1101", sip: { username: "101", password: alice-sip-101 } }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [501], timeoutSeconds: 10, fallback: hangup } }
      - { id: after-hours, name: After Hours, number: "+15550104", ring: { strategy: voicemail }, voicemail: { enabled: true, mailboxUser: 501, maxSeconds: 20 } }
`;
}

/** Sends one request from the carrier's address to Kamailio and resolves with the first response. */
async function exchange(t: T, requestLine: string, toTag: string, route: string): Promise<string> {
  const sock = createSocket('udp4');
  t.after(() => sock.close());
  const port = await new Promise<number>((r) => sock.bind(0, CARRIER_IP, () => r(sock.address().port)));
  const method = requestLine.split(' ')[0]!;
  const msg = [
    requestLine,
    `Via: SIP/2.0/UDP ${CARRIER_IP}:${port};branch=z9hG4bK-relay-${method}-${port}`,
    'Max-Forwards: 70',
    `From: <sip:probe@${CARRIER_IP}>;tag=p1`,
    `To: <sip:x@192.0.2.9>${toTag}`,
    `Call-ID: relay-${method}-${port}@${CARRIER_IP}`,
    `CSeq: 1 ${method}`,
    `Route: ${route}`,
    'Content-Length: 0',
    '',
    '',
  ].join('\r\n');
  const reply = new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer to ${method}`)), 3000);
    sock.once('message', (m) => {
      clearTimeout(timer);
      resolve(m.toString());
    });
  });
  sock.send(msg, SIP_PORT, KAMAILIO);
  return reply;
}

/** Calls this node has taken so far (its "call started" log lines). */
const callsOn = (n: RunningRingside): number => n.logs.filter((l) => l.msg === 'call started').length;

/** `count` carrier calls through Kamailio to `number`, `rate` per second; all must complete. */
async function carrierCalls(t: T, count: number, rate: number, what: string): Promise<Sipp> {
  const run = await sipp(t, 'carrier-calls.xml', PROXY, {
    dir: SCENARIOS,
    from: CARRIER_IP,
    service: '+15550104',
    extra: ['-m', String(count), '-r', String(rate), '-l', String(count), '-recv_timeout', '15000'],
    timeoutSec: 30,
  });
  // sipp exits 0 only when every call of the run succeeded.
  ok(run, what);
  return run;
}

test('Kamailio dispatcher in front of two nodes: spread, probing, failover, a phone reached through its Path', { skip, timeout: 90_000 }, async (t) => {
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'ringside-kamailio-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const carrierPort = await freePort();
  const file = join(dir, 'ringside.yaml');
  writeFileSync(file, config(carrierPort));
  const node = (host: string, rtpPorts: string) => startClusterNode(t, { config: file, host, rtpPorts });
  const [a, b] = await Promise.all([node(NODE_A, '30000-30999'), node(NODE_B, '31000-31999')]);
  const kam = await startKamailio(t, dir, { nodes: [NODE_A, NODE_B], pingIntervalS: PING_INTERVAL_S, frTimerMs: FR_TIMER_MS });
  // The first probes mark both nodes active.
  await sleep(1500);

  // Both nodes answer the OPTIONS probes (a node that did not would be logged down).
  assert.ok(!kam.stderr().includes('ringside node down'), kam.stderr().slice(-2000));

  // 1. Spread: round-robin over both nodes.
  await carrierCalls(t, 8, 8, 'calls through Kamailio');
  assert.equal(callsOn(a) + callsOn(b), 8, 'each call reached one node');
  assert.ok(callsOn(a) >= 2 && callsOn(b) >= 2, `spread over both nodes (A ${callsOn(a)}, B ${callsOn(b)})`);

  // 2. Node B dies without a word; calls sent at once still succeed.
  const aBefore = callsOn(a);
  await b.stop('SIGKILL');
  await carrierCalls(t, 4, 20, 'calls right after node B died');
  assert.equal(callsOn(a) - aBefore, 4, 'node A took every call');
  const failovers = (kam.stderr().match(/failing over to/g) ?? []).length;

  // 3. By now the probes have marked B inactive: calls go straight to A, none fails over.
  await sleep(PING_INTERVAL_S * 1000 + FR_TIMER_MS + 500);
  // Marked inactive by a probe (dst-down) or by a call that timed out on it (failure_route).
  const bDown = [`ringside node down: sip:${NODE_B}:${SIP_PORT}`, `ringside node sip:${NODE_B}:${SIP_PORT} failed`];
  assert.ok(bDown.some((s) => kam.stderr().includes(s)), `Kamailio noticed node B is down:\n${kam.stderr().slice(-3000)}`);
  const a3 = callsOn(a);
  const failovers3 = (kam.stderr().match(/failing over to/g) ?? []).length;
  await carrierCalls(t, 6, 10, 'calls after the probe interval');
  assert.equal(callsOn(a) - a3, 6, 'node A took every call');
  assert.equal((kam.stderr().match(/failing over to/g) ?? []).length, failovers3, 'no call was sent to node B');

  // 4. A phone registers through Kamailio: its REGISTER reaches node A with a Path.
  const phonePort = await freePort();
  ok(await sipp(t, 'register.xml', PROXY, { port: phonePort, service: '101', extra: ['-au', '101', '-ap', 'alice-sip-101'] }), 'REGISTER through Kamailio');
  await until(() => a.logs.some((l) => l.msg === 'sip registration'), 3000);
  assert.ok(a.logs.some((l) => l.msg === 'sip registration'), `node A registered the phone:\n${kam.stderr().slice(-3000)}`);
  // The binding keeps Kamailio's Path: its inside socket (what the nodes reach) and the phone's address.
  const db = new Database(join(a.dataDir, 'ringside.db'), { readonly: true });
  const stored = (db.prepare('SELECT body FROM sip_bindings').all() as Array<{ body: string }>).map((r) => JSON.parse(r.body) as { path?: string[] });
  db.close();
  assert.equal(stored.length, 1);
  assert.match(stored[0]!.path?.[0] ?? '', new RegExp(`^<sip:${KAMAILIO.replace(/\./g, '\\.')}:${INTERNAL_PORT};lr;received=sip:127\\.0\\.0\\.1(:|%3a)${phonePort}`, 'i'), JSON.stringify(stored));
  const phone = sipp(t, 'phone-answers-hangs-up.xml', '', { dir: SCENARIOS, port: phonePort, timeoutSec: 20 });
  await sleep(300);
  const carrier = await sipp(t, 'carrier-waits-bye.xml', PROXY, { dir: SCENARIOS, from: CARRIER_IP, service: '+15550100', timeoutSec: 20 });
  ok(carrier, 'carrier call to the phone');
  const answered = await phone;
  ok(answered, 'the phone behind Kamailio');
  const invite = /INVITE sip:101@127\.0\.0\.1:\d+ SIP\/2\.0[\s\S]*?\r?\n\r?\n/.exec(answered.messages)?.[0] ?? '';
  assert.match(invite, new RegExp(`^Via: SIP/2\\.0/UDP ${KAMAILIO.replace(/\./g, '\\.')}`, 'mi'), `the INVITE reached the phone through Kamailio:\n${invite}`);
  assert.match(invite, /^Record-Route:/im, 'Kamailio record-routed the INVITE to the phone');
  // Ringside's BYE to the carrier came through Kamailio: it followed the Record-Route of the INVITE.
  const bye = /BYE sip:[^\r\n]*\r?\n[\s\S]*?\r?\n\r?\n/.exec(carrier.messages)?.[0] ?? '';
  assert.match(bye, new RegExp(`^Via: SIP/2\\.0/UDP ${KAMAILIO.replace(/\./g, '\\.')}`, 'mi'), `Ringside's BYE came through Kamailio:\n${bye}`);

  // 5. No open relay: from outside, neither a preloaded Route beyond Kamailio nor a forged in-dialog
  //    request to somewhere other than a node is relayed.
  const beyond = await exchange(t, 'OPTIONS sip:x@192.0.2.9 SIP/2.0', '', `<sip:${PROXY};lr>, <sip:192.0.2.9;lr>`);
  assert.match(beyond, /^SIP\/2\.0 403 /, beyond);
  const forged = await exchange(t, 'BYE sip:x@192.0.2.9 SIP/2.0', ';tag=forged', `<sip:${PROXY};lr>`);
  assert.match(forged, /^SIP\/2\.0 403 /, forged);

  t.diagnostic(`failovers after the kill: ${failovers}; total ${((Date.now() - started) / 1000).toFixed(1)} s`);
});
