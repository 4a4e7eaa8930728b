/**
 * The autodialer at scale (issue 14), shared by the CI test (test/crash/dialer-kill.test.ts: 200 contacts,
 * one SIGKILL) and the bench (bench/predictive.bench.ts: thousands, no kill). One Ringside child process on
 * one data dir; a predictive campaign made over REST; its contacts reached through a sipp carrier on
 * 127.0.0.2 that answers or refuses by the number dialled (scenarios/carrier-answers-by-number.xml: the
 * last digit 0–6 answers and hangs up after `talkMs`, 7–8 busy, 9 no answer), so the answer rate is the
 * share of numbers made to end in 0–6; the agents are registered sipp phones that answer and wait for the
 * BYE. Optionally Ringside is SIGKILLed once `killAfterAttempts` attempts have ended and started again on the
 * same data dir.
 *
 * Judged after the run, from the contacts (REST) and from the log (SQLite, opened read-only):
 * - every contact is final (done/exhausted/failed) and the campaign `finished`: none forgotten;
 * - every dialer session that started has exactly one `session.ended`, none is open (crash recovery closed
 *   the cut ones);
 * - no two sessions of one contact overlap in time (`session.started.dialer.contactId`): never dialled
 *   twice at once; a contact has as many attempts as sessions, or more by the attempts a kill cut before
 *   the INVITE went out (at most one per kill);
 * - no agent's operator legs overlap (leg.created → leg.ended/failed, per user): one call at a time;
 * - the abandon rate, abandoned / (answered + abandoned) over the contacts' attempts, is under the cap.
 * Figures: attempts by result, abandon rate, agent utilisation (operator legs answered → ended over agents ×
 * the campaign's span), contacts/minute, and Ringside's CPU time (from /proc, every process summed).
 */
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { startRingside, type RunningRingside } from '../../support/ringside-process.js';
import { CALL_SCENARIOS, CARRIER_IP } from '../../support/sipp-calls.js';
import { freePort, runTool } from '../../sip/support/sipp.js';
import { callConfig } from '../../support/call-config.js';
import { Cleanup } from '../../support/cleanup.js';

const SCENARIOS = join(dirname(fileURLToPath(import.meta.url)), '..', 'scenarios');
const CALLER_ID = '+15550100';
const FINAL = ['done', 'exhausted', 'failed'];

export interface PredictiveRunOptions {
  contacts: number;
  agents: number;
  /** Percent of the contacts whose number answers (the rest: two thirds busy, one third no answer). */
  answerPercent: number;
  /** How long an answered contact stays before hanging up. */
  talkMs: number;
  /** The campaign's `pacing.maxAbandonPercent` (default 3). */
  maxAbandonPercent?: number;
  /** The campaign's `retry.maxAttempts`; retries are due at once (afterMinutes 0). Default 2. */
  maxAttempts?: number;
  /** SIGKILL Ringside once this many attempts have ended, then start it again on the same data dir. */
  killAfterAttempts?: number;
  /** The whole run's bound: past it the contacts left are reported, not waited for. */
  timeoutMs: number;
  progress?: (line: string) => void;
}

export interface PredictiveFigures {
  contacts: number;
  agents: number;
  answerPercent: number;
  talkMs: number;
  attempts: number;
  byResult: Record<string, number>;
  byState: Record<string, number>;
  abandonPercent: number;
  /** Operator legs' talk time (answered → ended) over agents × the campaign's span. */
  utilisationPercent: number;
  /** The campaign's span: the first session's start to the last one's end. */
  spanMs: number;
  /** Contacts in a final state per minute of the span. */
  contactsPerMinute: number;
  /** Ringside's CPU time (user + system) over the span, in percent of one core. */
  cpuPercent: number;
  sessions: number;
  kills: number;
  /** Contacts found `dialling` at the restart (counted as failed attempts). */
  recovered: number;
  /** Sessions the kill left open, closed by crash recovery at the restart. */
  cut: number;
}

export interface PredictiveRunResult {
  figures: PredictiveFigures;
  /** What went wrong, readable (empty when every check held). */
  problems: string[];
}

type Json = Record<string, unknown>;


const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A long-running sipp, killed at cleanup. */
function sippLoad(c: Cleanup, args: string[], timeoutSec: number): void {
  const cwd = mkdtempSync(join(tmpdir(), 'ringside-dialer-sipp-'));
  let kill = (): void => {};
  const done = runTool('sipp', ['-nostdin', '-timeout', `${timeoutSec}s`, ...args], { timeoutMs: (timeoutSec + 10) * 1000, cwd, onSpawn: (k) => (kill = k) });
  c.after(async () => {
    kill();
    await done;
    rmSync(cwd, { recursive: true, force: true });
  });
}

/** Agent k (0-based): user 501+k, extension and SIP user 101+k. */
const agent = (k: number) => ({ id: 501 + k, ext: String(101 + k), password: `agent-sip-${101 + k}` });

/** Contact i's number: its last digit says what the carrier does; `answerPercent` of them answer, spread
 *  evenly over the list (i × 37 mod 100 walks all residues). */
export function contactNumber(i: number, answerPercent: number): string {
  const answers = (i * 37) % 100 < answerPercent;
  const digit = answers ? i % 7 : 7 + (i % 3);
  return `+15558${String(i).padStart(5, '0')}${digit}`;
}

/** CPU time (user + system, ms) of a process, from /proc (0 where there is none). */
function cpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return 0;
  }
}

async function http(r: RunningRingside, token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const res = await fetch(r.url(path), { method, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}), signal: AbortSignal.timeout(10_000) });
  return { status: res.status, body: (await res.json().catch(() => ({}))) as Json };
}

async function login(r: RunningRingside): Promise<string> {
  const res = await http(r, undefined, 'POST', '/auth/login', { username: 'agent101@demo.test', password: 'agent-pass' });
  if (res.status !== 200) throw new Error(`login failed: ${JSON.stringify(res.body)}`);
  return String(res.body.token);
}

/** A calling window open now (two hours around the current UTC time). */
function openWindow(): Json {
  const hhmm = (ms: number) => new Date(ms).toISOString().slice(11, 16);
  return { timezone: 'UTC', days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: hhmm(Date.now() - 3_600_000), to: hhmm(Date.now() + 3_600_000) };
}

async function allContacts(r: RunningRingside, token: string, campaignId: string): Promise<Json[]> {
  const out: Json[] = [];
  for (let page = 1; ; page++) {
    const res = await http(r, token, 'GET', `/campaigns/${campaignId}/contacts?pageSize=1000&page=${page}`);
    if (res.status !== 200) throw new Error(`contacts page ${page}: ${res.status} ${JSON.stringify(res.body)}`);
    out.push(...(res.body.contacts as Json[]));
    if (out.length >= Number(res.body.total) || (res.body.contacts as Json[]).length === 0) return out;
  }
}

interface FactRow {
  session_id: string;
  type: string;
  at: number;
  body: string;
}

export async function runPredictive(o: PredictiveRunOptions): Promise<PredictiveRunResult> {
  const c = new Cleanup();
  const problems: string[] = [];
  const progress = o.progress ?? (() => {});
  const fig: PredictiveFigures = { contacts: o.contacts, agents: o.agents, answerPercent: o.answerPercent, talkMs: o.talkMs, attempts: 0, byResult: {}, byState: {}, abandonPercent: 0, utilisationPercent: 0, spanMs: 0, contactsPerMinute: 0, cpuPercent: 0, sessions: 0, kills: 0, recovered: 0, cut: 0 };
  const cap = o.maxAbandonPercent ?? 3;
  const sippSec = Math.ceil(o.timeoutMs / 1000) + 60;
  try {
    const dir = mkdtempSync(join(tmpdir(), 'ringside-dialer-'));
    c.after(() => rmSync(dir, { recursive: true, force: true }));
    const dataDir = join(dir, 'data');
    mkdirSync(dataDir);
    const carrierPort = await freePort();
    const agents = Array.from({ length: o.agents }, (_, k) => agent(k));
    const configFile = join(dir, 'config.yaml');
    writeFileSync(configFile, callConfig(carrierPort, `
    numbers: [{ number: "${CALLER_ID}" }]
    users:
${agents.map((a, k) => `      - { id: ${a.id}, name: Agent ${a.ext}, email: agent${a.ext}@demo.test, password: agent-pass, role: ${k === 0 ? 'admin' : 'user'}, extension: "${a.ext}", pin: "1${a.ext}", sip: { username: "${a.ext}", password: ${a.password} } }`).join('\n')}
`));
    // The carrier's talk time is the BYE wait's timeout in the scenario: this run's copy says `talkMs`.
    const carrierScenario = join(dir, 'carrier.xml');
    writeFileSync(carrierScenario, readFileSync(join(SCENARIOS, 'carrier-answers-by-number.xml'), 'utf8').replace('<recv request="BYE" timeout="1000"', `<recv request="BYE" timeout="${o.talkMs}"`));
    const rtpBase = 30000 + Math.floor(Math.random() * 10) * 2000;
    const args = ['--rtp-ports', `${rtpBase}-${rtpBase + 1999}`];
    let r = await startRingside(c, ['--config', configFile, ...args], { dataDir, timeoutMs: 30_000 });
    const sipPort = () => (r.logs.find((l) => l.msg === 'ringside started') as { sip: { port: number } }).sip.port;
    let token = await login(r);

    // The agents' phones: REGISTER from a fixed port (the binding is stored: it survives the restart), then
    // a UAS on that port answering every call and waiting for the BYE.
    for (const a of agents) {
      const port = await freePort();
      const reg = await runTool('sipp', ['-nostdin', '-timeout', '10s', '-timeout_error', '-i', '127.0.0.1', '-p', String(port), '-sf', join(CALL_SCENARIOS, 'register.xml'), '-m', '1', '-s', a.ext, '-au', a.ext, '-ap', a.password, `127.0.0.1:${sipPort()}`], { timeoutMs: 20_000 });
      if (reg.code !== 0) throw new Error(`REGISTER ${a.ext} failed: ${reg.stdout.slice(-1000)}${reg.stderr}`);
      sippLoad(c, ['-i', '127.0.0.1', '-p', String(port), '-mp', String(await freePort()), '-sf', join(CALL_SCENARIOS, 'uas-answers.xml'), '-key', 'rtp_port', '9', '-m', '1000000'], sippSec);
    }
    sippLoad(c, ['-i', CARRIER_IP, '-p', String(carrierPort), '-mp', String(await freePort()), '-sf', carrierScenario, '-key', 'rtp_port', '9', '-m', '1000000'], sippSec);
    await sleep(500);

    const made = await http(r, token, 'POST', '/campaigns', {
      name: 'Scale', callerId: CALLER_ID, mode: 'predictive', window: openWindow(), agents: agents.map((a) => a.id),
      pacing: { maxAbandonPercent: cap },
      retry: { busy: { afterMinutes: 0 }, noAnswer: { afterMinutes: 0 }, failed: { afterMinutes: 0 }, maxAttempts: o.maxAttempts ?? 2 },
    });
    if (made.status !== 201) throw new Error(`campaign not made: ${JSON.stringify(made.body)}`);
    const id = String(made.body.id);
    for (let from = 0; from < o.contacts; from += 1000) {
      const contacts = Array.from({ length: Math.min(1000, o.contacts - from) }, (_, k) => ({ phoneNumber: contactNumber(from + k, o.answerPercent) }));
      const added = await http(r, token, 'POST', `/campaigns/${id}/contacts`, { contacts });
      if (added.status !== 201) throw new Error(`contacts not added: ${JSON.stringify(added.body)}`);
    }
    const { id: _id, accountId: _a, createdAt: _c, updatedAt: _u, ...fields } = made.body;
    const running = await http(r, token, 'PUT', `/campaigns/${id}`, { ...fields, state: 'running' });
    if (running.status !== 200) throw new Error(`campaign not started: ${JSON.stringify(running.body)}`);
    const startedAt = Date.now();
    progress(`campaign ${id}: ${o.contacts} contacts, ${o.agents} agents, ${o.answerPercent} % answer, talk ${o.talkMs} ms${o.killAfterAttempts !== undefined ? `, SIGKILL after ${o.killAfterAttempts} attempts` : ''}`);

    let cpu = 0;
    let contacts: Json[] = [];
    let lastReport = 0;
    const deadline = startedAt + o.timeoutMs;
    for (;;) {
      contacts = await allContacts(r, token, id);
      const attempts = contacts.reduce((n, x) => n + (x.attempts as Json[]).length, 0);
      const final = contacts.filter((x) => FINAL.includes(String(x.state))).length;
      if (Date.now() - lastReport > 10_000) {
        progress(`${((Date.now() - startedAt) / 1000).toFixed(0)} s: ${attempts} attempts ended, ${final}/${o.contacts} contacts final`);
        lastReport = Date.now();
      }
      if (final === o.contacts) break;
      if (Date.now() > deadline) {
        problems.push(`not finished within ${o.timeoutMs} ms: ${o.contacts - final} contacts not final`);
        break;
      }
      if (o.killAfterAttempts !== undefined && fig.kills === 0 && attempts >= o.killAfterAttempts) {
        if (r.proc.exitCode !== null || r.proc.signalCode !== null) problems.push(`Ringside had exited (${r.proc.exitCode ?? r.proc.signalCode}) before the kill`);
        cpu += cpuMs(r.proc.pid);
        await r.stop('SIGKILL');
        fig.kills++;
        progress(`SIGKILL after ${attempts} attempts (${((Date.now() - startedAt) / 1000).toFixed(1)} s)`);
        r = await startRingside(c, args, { dataDir, timeoutMs: 30_000 });
        token = await login(r);
        const recovered = r.logs.find((l) => l.msg === 'recovered from an unclean stop') as { openSessions?: number } | undefined;
        fig.cut = recovered?.openSessions ?? 0;
        continue;
      }
      await sleep(500);
    }
    cpu += cpuMs(r.proc.pid);
    fig.recovered = r.logs.filter((l) => l.msg === 'contacts being dialled when Ringside stopped: counted as failed attempts').reduce((n, l) => n + Number(l.recovered), 0);

    // The campaign finishes on the tick after the last result.
    let state: unknown;
    for (let i = 0; i < 20 && state !== 'finished'; i++, await sleep(250)) state = (await http(r, token, 'GET', `/campaigns/${id}`)).body.state;
    if (state !== 'finished' && problems.length === 0) problems.push(`campaign ${String(state)}, not finished, with every contact final`);
    // Let the last sessions' facts land, then stop cleanly (SIGTERM: the log is closed, read it after).
    await sleep(1000);
    const code = await r.stop('SIGTERM');
    if (code !== 0) problems.push(`Ringside stopped with ${code}: ${r.stderr.slice(-10).join('\n')}`);

    // The contacts.
    for (const x of contacts) {
      fig.byState[String(x.state)] = (fig.byState[String(x.state)] ?? 0) + 1;
      for (const a of x.attempts as Json[]) fig.byResult[String(a.result)] = (fig.byResult[String(a.result)] ?? 0) + 1;
      if (!FINAL.includes(String(x.state))) problems.push(`contact ${String(x.id)} (${String(x.phoneNumber)}) left ${String(x.state)}`);
    }
    fig.attempts = Object.values(fig.byResult).reduce((a, b) => a + b, 0);
    const answered = fig.byResult.answered ?? 0;
    const abandoned = fig.byResult.abandoned ?? 0;
    fig.abandonPercent = answered + abandoned > 0 ? (100 * abandoned) / (answered + abandoned) : 0;
    if (fig.abandonPercent >= cap) problems.push(`abandon rate ${fig.abandonPercent.toFixed(2)} % (${abandoned} of ${answered + abandoned} live calls), the cap is ${cap} %`);

    // The log.
    const db = new Database(join(dataDir, 'events.db'), { readonly: true, fileMustExist: true });
    let facts: FactRow[];
    let open: number;
    try {
      facts = db.prepare('SELECT session_id, type, at, body FROM facts ORDER BY position').all() as FactRow[];
      open = (db.prepare('SELECT count(*) AS n FROM sessions WHERE ended_at IS NULL').get() as { n: number }).n;
    } finally {
      db.close();
    }
    if (open > 0) problems.push(`${open} sessions open in the log`);
    const sessions = new Map<string, { contactId: string; start: number; ends: number[]; legs: Map<string, { userId?: string; created: number; answered?: number; end?: number }> }>();
    for (const f of facts) {
      const body = JSON.parse(f.body) as Json;
      if (f.type === 'session.started') {
        const dialer = body.dialer as { contactId?: number } | undefined;
        if (body.kind === 'dialer' && dialer) sessions.set(f.session_id, { contactId: String(dialer.contactId), start: f.at, ends: [], legs: new Map() });
        continue;
      }
      const s = sessions.get(f.session_id);
      if (!s) continue;
      if (f.type === 'session.ended') s.ends.push(f.at);
      const legId = String(body.legId);
      if (f.type === 'leg.created' && body.role === 'operator') s.legs.set(legId, { userId: (body.party as Json).userId as string, created: f.at });
      const leg = s.legs.get(legId);
      if (leg && f.type === 'leg.answered') leg.answered = f.at;
      if (leg && (f.type === 'leg.ended' || f.type === 'leg.failed')) leg.end = f.at;
    }
    fig.sessions = sessions.size;
    const byContact = new Map<string, [number, number][]>();
    const byAgent = new Map<string, [number, number][]>();
    let first = Infinity;
    let last = 0;
    let talk = 0;
    for (const [sid, s] of sessions) {
      if (s.ends.length !== 1) problems.push(`session ${sid} (contact ${s.contactId}) has ${s.ends.length} ends`);
      const end = s.ends[0] ?? Infinity;
      first = Math.min(first, s.start);
      last = Math.max(last, Number.isFinite(end) ? end : 0);
      byContact.set(s.contactId, [...(byContact.get(s.contactId) ?? []), [s.start, end]]);
      for (const leg of s.legs.values()) {
        byAgent.set(String(leg.userId), [...(byAgent.get(String(leg.userId)) ?? []), [leg.created, leg.end ?? Infinity]]);
        if (leg.answered !== undefined && leg.end !== undefined) talk += leg.end - leg.answered;
      }
    }
    const overlaps = (spans: [number, number][]): number => {
      const sorted = [...spans].sort((a, b) => a[0] - b[0]);
      let n = 0;
      for (let i = 1; i < sorted.length; i++) if (sorted[i]![0] < sorted[i - 1]![1]) n++;
      return n;
    };
    for (const [contact, spans] of byContact) if (overlaps(spans) > 0) problems.push(`contact ${contact}: two sessions at once (${JSON.stringify(spans)})`);
    for (const [user, spans] of byAgent) if (overlaps(spans) > 0) problems.push(`agent ${user}: ${overlaps(spans)} calls offered while on another`);
    for (const x of contacts) {
      const n = byContact.get(String(x.id))?.length ?? 0;
      const attempts = (x.attempts as Json[]).length;
      // An attempt may have no session: the kill came between the contact's `dialling` and the INVITE.
      if (n > attempts || attempts - n > fig.kills) problems.push(`contact ${String(x.id)}: ${attempts} attempts, ${n} sessions`);
    }
    fig.spanMs = Number.isFinite(first) ? last - first : 0;
    fig.utilisationPercent = fig.spanMs > 0 ? (100 * talk) / (o.agents * fig.spanMs) : 0;
    fig.contactsPerMinute = fig.spanMs > 0 ? (contacts.filter((x) => FINAL.includes(String(x.state))).length * 60_000) / fig.spanMs : 0;
    fig.cpuPercent = fig.spanMs > 0 ? (100 * cpu) / fig.spanMs : 0;
  } finally {
    await c.run();
  }
  return { figures: fig, problems };
}

/** The figures as a Markdown table. */
export function figuresTable(f: PredictiveFigures): string {
  const rows: [string, string][] = [
    ['contacts / agents', `${f.contacts} / ${f.agents}`],
    ['numbers that answer / talk time', `${f.answerPercent} % / ${(f.talkMs / 1000).toFixed(1)} s`],
    ['attempts (by result)', `${f.attempts} (${Object.entries(f.byResult).map(([k, v]) => `${k} ${v}`).join(', ')})`],
    ['contacts (by final state)', Object.entries(f.byState).map(([k, v]) => `${k} ${v}`).join(', ')],
    ['abandon rate', `${f.abandonPercent.toFixed(2)} %`],
    ['agent utilisation (talking)', `${f.utilisationPercent.toFixed(1)} %`],
    ['campaign span', `${(f.spanMs / 1000).toFixed(1)} s`],
    ['contacts per minute', f.contactsPerMinute.toFixed(0)],
    ['Ringside CPU (one core = 100 %)', `${f.cpuPercent.toFixed(0)} %`],
    ['kills / contacts recovered / sessions cut', `${f.kills} / ${f.recovered} / ${f.cut}`],
  ];
  return ['| figure | value |', '|---|---|', ...rows.map(([k, v]) => `| ${k} | ${v} |`)].join('\n');
}
