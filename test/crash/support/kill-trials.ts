/**
 * The kill -9 harness (docs/reliability.md), shared by the CI test (test/crash/kill-calls.test.ts, a few
 * trials) and the bench (bench/kill-calls.bench.ts, 100). One Ringside child process on one data dir; each
 * trial puts mixed load on it from outside — sipp as the carrier calling a ring-all line (answered by a
 * registered sipp phone) and a voicemail line, originates by the REST API (the phone, then the carrier),
 * texts by the carrier's HTTP API — SIGKILLs it at a random moment, starts it again on the same data dir and
 * then checks, from the log (SQLite, opened read-only), from a WebSocket client on the account stream that
 * resumes by `lastEventId` and from a webhook receiver subscribed to the teltel dialect:
 * - every session that started has exactly one end in every dialect (teltel COMPLETED per session,
 *   realtime `*.end` per call, one realtime event per text) and none is left open: `unclosed`, `duplicated`;
 * - no event id twice in the log or to the WebSocket client; the webhook receiver sees an event again only
 *   if its acknowledgement was not committed at the kill (the outbox still had it, as in
 *   test/webhooks/crash.test.ts): `duplicated`;
 * - per session, each client got events in log order: `misordered`;
 * - every event a client received is in the log with the same id and payload, and every event of the log
 *   reached both clients: `lost`;
 * - the restarted process never exits by itself and stops cleanly at the end: `crashed`.
 */
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { request } from 'node:http';
import { isDeepStrictEqual } from 'node:util';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startRingside, type RunningRingside } from '../../support/ringside-process.js';
import { TestSocket } from '../../support/ws-client.js';
import { Receiver } from '../../webhooks/support.js';
import { CALL_SCENARIOS, CARRIER_IP } from '../../support/sipp-calls.js';
import { freePort, runTool } from '../../sip/support/sipp.js';
import { callConfig, ALICE } from '../../support/call-config.js';
import { SqliteOutbox } from '../../../src/store/sqlite-outbox.js';
import { Cleanup } from '../../support/cleanup.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const RING_ALL = '+15550100';
const VOICEMAIL = '+15550104';
const REMOTE = '+15557654321';

export interface KillTrialsOptions {
  trials: number;
  /** The kill comes this long after the load started, uniformly at random in [min, max]. */
  killAfterMs?: { min: number; max: number };
  /** One line per trial (progress). */
  progress?: (line: string) => void;
}

export interface Figures {
  trials: number;
  /** Sessions started (calls and texts), and the calls the kill cut (open at the restart). */
  sessions: number;
  cut: number;
  /** Recovery BYEs sent for the cut calls' dialogs, and those the peer answered (2xx or 481). */
  byes: number;
  byesAnswered: number;
  /** Calls Alice's phone answered in trials after the first: its registration survived the restarts. */
  phoneAnswersAfterRestart: number;
  events: number;
  lost: number;
  duplicated: number;
  unclosed: number;
  misordered: number;
  crashed: number;
}

export interface KillTrialsResult {
  figures: Figures;
  /** What went wrong, readable (empty when every figure that must be 0 is 0). */
  problems: string[];
}

interface Received {
  id: string;
  payload: Record<string, unknown>;
}


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A long-running sipp (many calls), killed by `stop()` or at cleanup. */
function sippLoad(c: Cleanup, args: string[]): { stop: () => Promise<void> } {
  const cwd = mkdtempSync(join(tmpdir(), 'ringside-kill-sipp-'));
  let kill = (): void => {};
  const done = runTool('sipp', ['-nostdin', '-timeout', '120s', ...args], { timeoutMs: 130_000, cwd, onSpawn: (k) => (kill = k) });
  const stop = async () => {
    kill();
    await done;
    rmSync(cwd, { recursive: true, force: true });
  };
  c.after(stop);
  return { stop };
}

async function http(port: number, method: string, path: string, body: unknown, headers: Record<string, string> = {}, localAddress?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers: { 'content-type': 'application/json', ...headers }, ...(localAddress ? { localAddress } : {}) }, (res) => {
      let b = '';
      res.on('data', (d: Buffer) => (b += d.toString()));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, body: b ? (JSON.parse(b) as Record<string, unknown>) : {} });
        } catch {
          resolve({ status: res.statusCode ?? 0, body: { raw: b } });
        }
      });
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('timeout')));
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** The account stream, resumed after the last event it got; every frame kept in `received`. */
async function accountStream(r: RunningRingside, token: string, received: Received[], lastEventId?: string): Promise<TestSocket> {
  const ws = await TestSocket.open(r.httpPort);
  ws.ws.on('message', (d) => {
    const f = JSON.parse(d.toString()) as Record<string, unknown>;
    if (f.type !== 'accountevent') return;
    const { type: _type, eventId, ...payload } = f;
    received.push({ id: String(eventId), payload });
  });
  const auth = await ws.request({ type: 'authrequest', token }, 'authresponse');
  if (auth.success !== true) throw new Error(`authrequest failed: ${JSON.stringify(auth)}`);
  const started = await ws.request({ type: 'startaccounteventrequest', ...(lastEventId ? { lastEventId } : {}) }, 'startaccounteventresponse');
  if (started.success !== true) throw new Error(`account stream refused: ${JSON.stringify(started)}`);
  return ws;
}

interface LogRow {
  position: number;
  id: string;
  dialect: string;
  name: string;
  session_id: string;
  account_id: string;
  payload: string;
}

/** Runs the trials; never throws for a failed check (it is in `problems`), only for a broken harness. */
export async function runKillTrials(o: KillTrialsOptions): Promise<KillTrialsResult> {
  const c = new Cleanup();
  const killAfter = o.killAfterMs ?? { min: 1500, max: 5000 };
  const problems: string[] = [];
  const fig: Figures = { trials: 0, sessions: 0, cut: 0, byes: 0, byesAnswered: 0, phoneAnswersAfterRestart: 0, events: 0, lost: 0, duplicated: 0, unclosed: 0, misordered: 0, crashed: 0 };
  try {
    const dir = mkdtempSync(join(tmpdir(), 'ringside-kill-'));
    c.after(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const carrierPort = await freePort();
    const phonePort = await freePort();
    const configFile = join(dir, 'config.yaml');
    writeFileSync(
      configFile,
      callConfig(carrierPort, `
    numbers: [{ number: "${RING_ALL}" }, { number: "${VOICEMAIL}" }]
    users:
      - ${ALICE}
    lines:
      - { id: main, name: Main, number: "${RING_ALL}", ring: { strategy: ring-all, users: [501], timeoutSeconds: 3, fallback: voicemail }, voicemail: { mailboxUser: 501 } }
      - { id: after-hours, name: After Hours, number: "${VOICEMAIL}", ring: { strategy: voicemail }, voicemail: { enabled: true, mailboxUser: 501, maxSeconds: 20 } }
`),
    );
    const rtpBase = 30000 + Math.floor(Math.random() * 10) * 2000;
    const args = ['--rtp-ports', `${rtpBase}-${rtpBase + 1999}`];
    let r = await startRingside(c, ['--config', configFile, ...args], { dataDir, timeoutMs: 30_000 });
    const sipPort = () => (r.logs.find((l) => l.msg === 'ringside started') as { sip: { port: number } }).sip.port;
    const login = await http(r.httpPort, 'POST', '/auth/login', { username: 'alice@demo.test', password: 'alice-pass' });
    const token = String(login.body.token);
    const bearer = { authorization: `Bearer ${token}` };
    const rx = await Receiver.start(c);
    const hook = await http(r.httpPort, 'POST', '/webhooks', { url: rx.url(), dialect: 'teltel' }, bearer);
    if (hook.status !== 201) throw new Error(`webhook subscription failed: ${JSON.stringify(hook)}`);
    const webhookId = String((hook.body.webhook as { id?: unknown } | undefined)?.id ?? hook.body.id);
    // Alice's phone: registered once (the binding is in the store and survives restarts), answered by sipp.
    // register.xml asks for 300 s; like a phone, the harness refreshes well before that (RFC 3261 §10.2.4),
    // so a binding that answers after a restart is the stored one, at most two minutes old.
    let registeredAt = 0;
    const register = async () => {
      const reg = await runTool('sipp', ['-nostdin', '-timeout', '10s', '-timeout_error', '-i', '127.0.0.1', '-p', String(phonePort), '-sf', join(CALL_SCENARIOS, 'register.xml'), '-m', '1', '-s', '101', '-au', '101', '-ap', 'alice-sip-101', `127.0.0.1:${sipPort()}`], { timeoutMs: 20_000 });
      if (reg.code !== 0) throw new Error(`REGISTER failed: ${reg.stdout.slice(-1000)}${reg.stderr}`);
      registeredAt = Date.now();
    };
    await register();

    const wsReceived: Received[] = [];
    let ws = await accountStream(r, token, wsReceived);
    const pendingAtKills = new Set<string>();

    for (let trial = 1; trial <= o.trials; trial++) {
      const before = lastFactPosition(dataDir);
      if (Date.now() - registeredAt > 120_000) await register();
      const target = `127.0.0.1:${sipPort()}`;
      const phone = sippLoad(c, ['-i', '127.0.0.1', '-p', String(phonePort), '-sf', join(CALL_SCENARIOS, 'uas-answers.xml'), '-key', 'rtp_port', '9', '-m', '100000']);
      const callee = sippLoad(c, ['-i', CARRIER_IP, '-p', String(carrierPort), '-sf', join(CALL_SCENARIOS, 'uas-answers-hangs-up.xml'), '-key', 'rtp_port', '9', '-m', '100000']);
      await sleep(300);
      const carrier = (number: string) => sippLoad(c, ['-i', CARRIER_IP, '-sf', join(SCENARIOS, 'carrier-calls.xml'), '-s', number, '-key', 'from', REMOTE, '-r', '3', '-l', '30', '-m', '1000', target]);
      const loads = [carrier(RING_ALL), carrier(VOICEMAIL)];
      let running = true;
      const loop = async (everyMs: number, fn: () => Promise<unknown>) => {
        while (running) {
          void fn().catch(() => undefined);
          await sleep(everyMs * (0.5 + Math.random()));
        }
      };
      const port = r.httpPort;
      let texts = 0;
      const loops = [
        loop(700, () => http(port, 'POST', '/voice/originate', { caller: '101', callee: REMOTE }, bearer)),
        loop(400, () => http(port, 'POST', '/carrier/messages', { from: REMOTE, to: RING_ALL, text: `text ${trial}.${++texts}` }, {}, CARRIER_IP)),
      ];

      const killAt = killAfter.min + Math.random() * (killAfter.max - killAfter.min);
      await sleep(killAt);
      if (r.proc.exitCode !== null || r.proc.signalCode !== null) {
        fig.crashed++;
        problems.push(`trial ${trial}: Ringside had exited (${r.proc.exitCode ?? r.proc.signalCode}) before the kill`);
      }
      await r.stop('SIGKILL');
      running = false;
      await Promise.all([...loops, ...loads.map((l) => l.stop())]);
      ws.close();

      // What the dead process had not had acknowledged durably: the only webhook events that may come twice.
      const outbox = new SqliteOutbox(join(dataDir, 'ringside.db'));
      for (let after = 0; ; ) {
        const rows = await outbox.pending('demo', webhookId, after, 1000);
        if (rows.length === 0) break;
        for (const row of rows) pendingAtKills.add(row.eventId);
        after = rows.at(-1)!.id;
      }
      await outbox.close();

      r = await startRingside(c, args, { dataDir, timeoutMs: 30_000 });
      const recovered = r.logs.find((l) => l.msg === 'recovered from an unclean stop') as { openSessions?: number; byes?: number; byesAnswered?: number } | undefined;
      const cut = recovered?.openSessions ?? 0;
      // How each recovery BYE went: a status, or none within the bound (its peer was gone).
      const byeOutcomes = new Map<string, number>();
      for (const l of r.logs) {
        const what = l.msg === 'recovery BYE answered' ? String(l.status) : l.msg === 'no answer to the recovery BYE in time; closing the leg anyway' ? 'none' : l.msg === 'recovery BYE could not be sent' ? 'unsent' : undefined;
        if (what) byeOutcomes.set(what, (byeOutcomes.get(what) ?? 0) + 1);
      }
      fig.byes += recovered?.byes ?? 0;
      fig.byesAnswered += recovered?.byesAnswered ?? 0;
      ws = await accountStream(r, token, wsReceived, wsReceived.at(-1)?.id);

      // Both clients catch up with the log (bounded), then the trial is judged.
      const deadline = Date.now() + 20_000;
      for (;;) {
        const log = readLog(dataDir);
        const realtime = log.events.filter((e) => e.dialect === 'realtime' && e.account_id === 'demo');
        const teltel = log.events.filter((e) => e.dialect === 'teltel' && e.account_id === 'demo');
        const wsIds = new Set(wsReceived.map((x) => x.id));
        const acked = rx.ackedIds();
        if ((realtime.every((e) => wsIds.has(e.id)) && teltel.every((e) => acked.has(e.id))) || Date.now() > deadline) break;
        await sleep(200);
      }
      await Promise.all([phone.stop(), callee.stop()]);
      if (r.proc.exitCode !== null || r.proc.signalCode !== null) {
        fig.crashed++;
        problems.push(`trial ${trial}: the restarted Ringside exited (${r.proc.exitCode ?? r.proc.signalCode})`);
      }

      const judged = judge(readLog(dataDir), wsReceived, rx, pendingAtKills);
      const sessions = sessionsSince(dataDir, before);
      if (trial > 1) fig.phoneAnswersAfterRestart += phoneAnswersSince(dataDir, before);
      fig.trials = trial;
      fig.sessions += sessions;
      fig.cut += cut;
      // Cumulative over the whole log: the trial's figures are what this judgement adds.
      const added = { lost: judged.lost - fig.lost, duplicated: judged.duplicated - fig.duplicated, unclosed: judged.unclosed - fig.unclosed, misordered: judged.misordered - fig.misordered };
      Object.assign(fig, { lost: judged.lost, duplicated: judged.duplicated, unclosed: judged.unclosed, misordered: judged.misordered, events: judged.events });
      for (const p of judged.problems) if (!problems.includes(p)) problems.push(`trial ${trial}: ${p}`);
      o.progress?.(`trial ${trial}/${o.trials}: killed at ${(killAt / 1000).toFixed(1)} s, ${sessions} sessions (${cut} cut, ${recovered?.byesAnswered ?? 0}/${recovered?.byes ?? 0} BYEs answered: ${[...byeOutcomes].map(([k, v]) => `${k}×${v}`).join(' ') || 'none sent'}), lost ${added.lost}, duplicated ${added.duplicated}, unclosed ${added.unclosed}, misordered ${added.misordered}`);
    }
    if (o.trials > 1 && fig.phoneAnswersAfterRestart === 0) problems.push('the phone answered no call after a restart: its registration was lost');
    ws.close();
    const code = await r.stop('SIGTERM');
    if (code !== 0) {
      fig.crashed++;
      problems.push(`the last Ringside stopped with ${code}: ${r.stderr.slice(-20).join('\n')}`);
    }
  } finally {
    await c.run();
  }
  return { figures: fig, problems };
}

function openLog(dataDir: string): Database.Database {
  return new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
}

function lastFactPosition(dataDir: string): number {
  const db = openLog(dataDir);
  try {
    return (db.prepare('SELECT coalesce(max(position), 0) AS p FROM facts').get() as { p: number }).p;
  } finally {
    db.close();
  }
}

/** Sessions (calls and texts) whose first fact came after `position`. */
function sessionsSince(dataDir: string, position: number): number {
  const db = openLog(dataDir);
  try {
    return (db.prepare('SELECT count(*) AS n FROM (SELECT session_id, min(position) AS first FROM facts GROUP BY session_id) WHERE first > ?').get(position) as { n: number }).n;
  } finally {
    db.close();
  }
}

/** Legs to Alice's phone (extension 101) answered after `position`. */
function phoneAnswersSince(dataDir: string, position: number): number {
  const db = openLog(dataDir);
  try {
    const sql = `SELECT count(*) AS n FROM facts a JOIN facts c ON c.type = 'leg.created' AND c.session_id = a.session_id
                 AND json_extract(c.body, '$.legId') = json_extract(a.body, '$.legId')
                 WHERE a.type = 'leg.answered' AND a.position > ? AND json_extract(c.body, '$.party.number') = '101' AND json_extract(c.body, '$.direction') = 'out'`;
    return (db.prepare(sql).get(position) as { n: number }).n;
  } finally {
    db.close();
  }
}

interface LogView {
  events: LogRow[];
  /** First fact type of every session, and the sessions still open. */
  firstFact: Map<string, string>;
  open: string[];
}

function readLog(dataDir: string): LogView {
  const db = openLog(dataDir);
  try {
    const events = db.prepare('SELECT position, id, dialect, name, session_id, account_id, payload FROM events ORDER BY position').all() as LogRow[];
    const firsts = db.prepare('SELECT f.session_id AS s, f.type AS type FROM facts f JOIN (SELECT session_id, min(position) AS p FROM facts GROUP BY session_id) m ON f.position = m.p').all() as { s: string; type: string }[];
    const open = (db.prepare('SELECT session_id FROM sessions WHERE ended_at IS NULL').all() as { session_id: string }[]).map((x) => x.session_id);
    return { events, firstFact: new Map(firsts.map((x) => [x.s, x.type])), open };
  } finally {
    db.close();
  }
}

function judge(log: LogView, wsReceived: readonly Received[], rx: Receiver, pendingAtKills: ReadonlySet<string>): { events: number; lost: number; duplicated: number; unclosed: number; misordered: number; problems: string[] } {
  const problems: string[] = [];
  const n = { lost: 0, duplicated: 0, unclosed: 0, misordered: 0 };
  const count = (kind: keyof typeof n, problem: string): void => {
    n[kind]++;
    problems.push(problem);
  };
  const byId = new Map<string, LogRow>();
  for (const e of log.events) {
    if (byId.has(e.id)) count('duplicated', `event ${e.id} twice in the log`);
    byId.set(e.id, e);
  }
  const bySession = new Map<string, LogRow[]>();
  for (const e of log.events) {
    const list = bySession.get(e.session_id);
    if (list) list.push(e);
    else bySession.set(e.session_id, [e]);
  }

  // Every session that started ends exactly once in every dialect.
  for (const s of log.open) count('unclosed', `session ${s} is still open`);
  for (const [sessionId, first] of log.firstFact) {
    const events = bySession.get(sessionId) ?? [];
    const realtime = events.filter((e) => e.dialect === 'realtime');
    if (first === 'session.started') {
      const completed = events.filter((e) => e.dialect === 'teltel' && e.name === 'COMPLETED').length;
      if (completed === 0) count('unclosed', `session ${sessionId}: no teltel COMPLETED`);
      if (completed > 1) count('duplicated', `session ${sessionId}: ${completed} teltel COMPLETED`);
      const calls = new Map<string, { starts: number; ends: number }>();
      for (const e of realtime) {
        const uniqueId = String(JSON.parse(e.payload).uniqueId);
        const call = calls.get(uniqueId) ?? { starts: 0, ends: 0 };
        if (e.name.endsWith('.start')) call.starts++;
        if (e.name.endsWith('.end')) call.ends++;
        calls.set(uniqueId, call);
      }
      if (calls.size === 0) count('unclosed', `session ${sessionId}: no realtime call`);
      for (const [uniqueId, call] of calls) {
        if (call.ends === 0) count('unclosed', `session ${sessionId} call ${uniqueId}: no realtime end`);
        if (call.ends > 1 || call.starts > 1) count('duplicated', `session ${sessionId} call ${uniqueId}: ${call.starts} starts, ${call.ends} ends`);
      }
    } else if (first.startsWith('message.')) {
      const texts = realtime.filter((e) => e.name.startsWith('messaging.') && !e.name.includes('opt-')).length;
      if (texts === 0) count('unclosed', `text session ${sessionId}: no realtime event`);
      if (texts > 1) count('duplicated', `text session ${sessionId}: ${texts} realtime events`);
    }
  }

  // The WebSocket client: nothing twice, nothing it got missing or changed, everything logged delivered, in order.
  const wsSeen = new Map<string, number>();
  for (const x of wsReceived) wsSeen.set(x.id, (wsSeen.get(x.id) ?? 0) + 1);
  for (const [id, times] of wsSeen) if (times > 1) count('duplicated', `WebSocket: event ${id} received ${times} times`);
  for (const x of wsReceived) {
    const e = byId.get(x.id);
    if (!e) count('lost', `WebSocket: event ${x.id} was received but is not in the log`);
    else if (!isDeepStrictEqual(x.payload, JSON.parse(e.payload))) count('lost', `WebSocket: event ${x.id} differs from the log`);
  }
  for (const e of log.events) if (e.dialect === 'realtime' && e.account_id === 'demo' && !wsSeen.has(e.id)) count('lost', `WebSocket: logged event ${e.id} (${e.name}) never arrived`);
  n.misordered += outOfOrder(wsReceived.map((x) => byId.get(x.id)).filter((e) => e !== undefined), 'WebSocket', problems);

  // The webhook receiver: a repeat only of what was unacknowledged at a kill; acknowledged = in the log.
  const acked = rx.ackedIds();
  for (const q of rx.requests) {
    if (q.seen > 0 && !pendingAtKills.has(q.eventId)) count('duplicated', `webhook: event ${q.eventId} delivered again although its acknowledgement was committed`);
  }
  for (const q of rx.acked) {
    if (q.seen > 0) continue;
    const e = byId.get(q.eventId);
    if (!e) count('lost', `webhook: acknowledged event ${q.eventId} is not in the log`);
    else if (!isDeepStrictEqual(JSON.parse(q.body), JSON.parse(e.payload))) count('lost', `webhook: event ${q.eventId} differs from the log`);
  }
  for (const e of log.events) if (e.dialect === 'teltel' && e.account_id === 'demo' && !acked.has(e.id)) count('lost', `webhook: logged event ${e.id} (${e.name}) never acknowledged`);
  n.misordered += outOfOrder(rx.requests.filter((q) => q.seen === 0).map((q) => byId.get(q.eventId)).filter((e) => e !== undefined), 'webhook', problems);

  return { events: log.events.length, ...n, problems };
}

/** Receipts whose log position goes backwards within their session. */
function outOfOrder(receipts: readonly LogRow[], who: string, problems: string[]): number {
  const last = new Map<string, number>();
  let n = 0;
  for (const e of receipts) {
    const p = last.get(e.session_id) ?? 0;
    if (e.position <= p) {
      n++;
      problems.push(`${who}: event ${e.id} of session ${e.session_id} after a later one`);
    }
    last.set(e.session_id, Math.max(p, e.position));
  }
  return n;
}

/** The figures as the bench prints them. */
export function figuresTable(f: Figures): string {
  return [
    '| trials | sessions | cut by the kill | recovery BYEs (answered) | phone answers after a restart | events | lost | duplicated | unclosed | misordered | crashed |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
    `| ${f.trials} | ${f.sessions} | ${f.cut} | ${f.byes} (${f.byesAnswered}) | ${f.phoneAnswersAfterRestart} | ${f.events} | ${f.lost} | ${f.duplicated} | ${f.unclosed} | ${f.misordered} | ${f.crashed} |`,
  ].join('\n');
}
