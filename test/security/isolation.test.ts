/**
 * Isolation, as a property (docs/security.md, "Isolation"): for random accounts (2–4), each with random
 * users (admin, manager, user; some "own records only") and voice-API credentials, random sessions (calls
 * with recordings and voicemail, texts — test/support/random-sessions.ts, re-homed into each account) and
 * webhook subscriptions, every principal asks every surface, and gets exactly what it may see:
 *
 * - WebSocket user stream (live, and resumed by `lastEventId`), account stream (elevated only);
 * - event history `GET /events` and `GET /events/stream` (SSE), also filtered by a foreign session id;
 * - webhook subscriptions: list, get/put/delete/ping of another account's id (404), create with another
 *   account's id (made in the caller's account, the other untouched); deliveries reach only the owner;
 *   dead letters list only the account's own;
 * - reports `GET /reports/call-data` and single entries of another account (404/403);
 * - recording URLs appear only in their own account's answers.
 *
 * "May see": an account never sees another account's anything. Events: elevated principals (manager or
 * admin without own-records-only, voice-API credentials) see the whole account, others the events whose
 * audience names them. Reports follow docs/realtime-api.md: only own-records-only users are restricted
 * there (a view-only `user` without that flag reads the account's reports, as on the original platform).
 * Equality is checked (nothing missing either), so the test cannot pass by answering nothing.
 *
 * Bounded: few runs, each a fresh Ringside, time-boxed to about a minute.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, get as httpGet, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import fc from 'fast-check';
import { startInProcess, login } from '../support/in-process.js';
import { TestSocket } from '../support/ws-client.js';
import { randomSession } from '../support/random-sessions.js';
import type { Ringside } from '../../src/app/ringside.js';
import type { Fact } from '../../src/events/model/facts.js';
import type { LogEntry } from '../../src/events/log/event-log.js';
import type { ReportEntry } from '../../src/store/store.js';

type Role = 'admin' | 'manager' | 'user';
interface UserSpec {
  id: number;
  role: Role;
  ownRecordsOnly: boolean;
}
interface AccountSpec {
  users: UserSpec[];
  seeds: number[];
}

interface Account {
  id: string;
  users: (UserSpec & { email: string; password: string })[];
  api: { token: string; secret: string };
  sessions: Fact[][];
  sessionIds: string[];
}

interface Principal {
  account: Account;
  name: string;
  authorization: string;
  /** Bearer token, for users (the WebSocket API takes only those). */
  token?: string;
  userId?: string;
  elevated: boolean;
  ownRecordsOnly: boolean;
}

const arbUser = fc.record({ role: fc.constantFrom<Role>('admin', 'manager', 'user'), ownRecordsOnly: fc.boolean() });
const arbAccounts = fc
  .array(fc.record({ users: fc.array(arbUser, { minLength: 2, maxLength: 4 }), sessions: fc.integer({ min: 2, max: 5 }) }), { minLength: 2, maxLength: 4 })
  .chain((accounts) => {
    const total = accounts.reduce((n, a) => n + a.sessions, 0);
    return fc.uniqueArray(fc.integer({ min: 0, max: 0x7fffffff }), { minLength: total, maxLength: total }).map((seeds) => {
      let next = 0;
      return accounts.map((a, i): AccountSpec => ({
        users: a.users.map((u, j) => ({ ...u, id: (i + 1) * 100 + j + 1 })),
        seeds: seeds.slice(next, (next += a.sessions)),
      }));
    });
  });

/** A random session moved into `account`: its account, its users (the generator's 501–503), unique ids. */
function rehome(facts: Fact[], account: Account): Fact[] {
  const map = ['501', '502', '503'].map((id, k) => [id, account.users[k % account.users.length]!] as const);
  let json = JSON.stringify(facts).replaceAll('"acc-1"', JSON.stringify(account.id)).replaceAll('"accountcode":"demo"', `"accountcode":${JSON.stringify(account.id)}`);
  const names: Record<string, string> = { '501': 'alice@demo.test', '502': 'bob@demo.test', '503': 'carol@demo.test' };
  for (const [from, to] of map) json = json.replaceAll(`"${from}"`, `"${to.id}"`).replaceAll(names[from]!, to.email);
  return JSON.parse(json) as Fact[];
}

function configOf(accounts: Account[], hookBase: string): string {
  const lines = ['accounts:'];
  for (const a of accounts) {
    lines.push(`  - id: ${a.id}`, `    name: ${a.id}`, '    apiCredentials:', `      - { token: ${a.api.token}, secret: ${a.api.secret} }`, '    users:');
    for (const u of a.users) lines.push(`      - { id: ${u.id}, name: U${u.id}, email: ${u.email}, password: ${u.password}, pin: "${1000 + u.id}", role: ${u.role}, ownRecordsOnly: ${u.ownRecordsOnly} }`);
    void hookBase;
  }
  return lines.join('\n') + '\n';
}

/** Webhook receiver: what arrived, by path. */
async function receiver(t: { after(fn: () => unknown): void }) {
  const got = new Map<string, string[]>();
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      const list = got.get(req.url ?? '') ?? [];
      list.push(body);
      got.set(req.url ?? '', list);
      // `…/dead` refuses for good: those events become the account's dead letters.
      res.writeHead(req.url?.endsWith('/dead') ? 404 : 200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return { got, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** SSE from `after`, until `count` events arrived or `ms` passed (then it must be exactly `count`). */
function readSse(port: number, authorization: string, query: string, count: number, ms: number): Promise<{ positions: number[]; text: string }> {
  return new Promise((resolve, reject) => {
    const positions: number[] = [];
    let text = '';
    const req = httpGet({ host: '127.0.0.1', port, path: `/events/stream?${query}`, headers: { authorization } }, (res: IncomingMessage) => {
      if (res.statusCode !== 200) return reject(new Error(`SSE status ${res.statusCode}`));
      let buf = '';
      res.on('data', (c: Buffer) => {
        buf += c.toString();
        text += c.toString();
        let i;
        while ((i = buf.indexOf('\n\n')) >= 0) {
          const block = buf.slice(0, i);
          buf = buf.slice(i + 2);
          const id = /^id: (\d+)$/m.exec(block);
          if (id) positions.push(Number(id[1]));
        }
        // A little past the expected count, so an extra event would still be seen.
        if (positions.length >= count && !grace) grace = setTimeout(finish, 100);
      });
    });
    let grace: NodeJS.Timeout | undefined;
    const finish = () => {
      clearTimeout(timer);
      clearTimeout(grace);
      req.destroy();
      resolve({ positions, text });
    };
    const timer = setTimeout(finish, ms);
    req.on('error', (err) => (req.destroyed ? undefined : reject(err)));
  });
}

const sorted = (xs: Iterable<string | number>) => [...xs].map(String).sort();

async function untilTrue(pred: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!pred() && Date.now() < end) await new Promise((r) => setTimeout(r, 25));
}

async function runOnce(specs: AccountSpec[]): Promise<void> {
  const cleanups: (() => unknown)[] = [];
  const t = { after: (fn: () => unknown) => void cleanups.push(fn) };
  try {
    const t0 = Date.now();
    const phases: string[] = [];
    const phase = (name: string) => phases.push(`${name} ${((Date.now() - t0) / 1000).toFixed(1)}s`);
    const tag = Math.random().toString(16).slice(2, 6);
    const accounts: Account[] = specs.map((s, i) => {
      const id = `acct${i}-${tag}`;
      const account: Account = {
        id,
        users: s.users.map((u) => ({ ...u, email: `u${u.id}@${id}.test`, password: `pass-${u.id}` })),
        api: { token: `tok-${id}`, secret: `secret-${id}` },
        sessions: [],
        sessionIds: [],
      };
      account.sessions = s.seeds.map((seed) => rehome(randomSession(seed), account));
      account.sessionIds = account.sessions.map((f) => f[0]!.sessionId);
      return account;
    });
    const hooks = await receiver(t);
    const r: Ringside = await startInProcess(t, configOf(accounts, hooks.base));
    phase('started');
    const port = r.httpPort;
    const base = `http://127.0.0.1:${port}`;
    const call = async (p: Principal, method: string, path: string, body?: unknown) => {
      const res = await fetch(base + path, { method, headers: { authorization: p.authorization, ...(body ? { 'content-type': 'application/json' } : {}) }, ...(body ? { body: JSON.stringify(body) } : {}) });
      const text = await res.text();
      return { status: res.status, text, json: JSON.parse(text) as Record<string, unknown> };
    };

    // Principals: every user by bearer token, and each account's voice-API credentials.
    const principals: Principal[] = [];
    for (const a of accounts) {
      for (const u of a.users) {
        const token = await login(r, u.email, u.password);
        principals.push({ account: a, name: `user ${u.id} (${u.role}${u.ownRecordsOnly ? ', own records' : ''})`, authorization: `Bearer ${token}`, token, userId: String(u.id), elevated: u.role !== 'user' && !u.ownRecordsOnly, ownRecordsOnly: u.ownRecordsOnly });
      }
      principals.push({ account: a, name: `api ${a.id}`, authorization: `Basic ${Buffer.from(`${a.api.token}:${a.api.secret}`).toString('base64')}`, elevated: true, ownRecordsOnly: false });
    }
    const apiOf = (a: Account) => principals.find((p) => p.account === a && p.token === undefined)!;
    /** Nothing of another account in an answer: its id, its sessions (event ids, recording URLs, legs). */
    const assertOwn = (p: Principal, what: string, text: string) => {
      for (const other of accounts) {
        if (other === p.account) continue;
        assert.ok(!text.includes(other.id), `${p.name} of ${p.account.id}: ${what} shows account ${other.id}`);
        for (const s of other.sessionIds) assert.ok(!text.includes(`"${s}`) && !text.includes(`-${s}`), `${p.name}: ${what} shows ${other.id}'s session ${s}`);
      }
    };

    // Webhooks, made by each account's API credentials before anything happens.
    const hookIds = new Map<Account, string>();
    for (const a of accounts) {
      const made = await call(apiOf(a), 'POST', '/webhooks', { url: `${hooks.base}/${a.id}/realtime`, dialect: 'realtime' });
      assert.equal(made.status, 201, made.text);
      hookIds.set(a, String((made.json.webhook as { id: string }).id));
      assert.equal((await call(apiOf(a), 'POST', '/webhooks', { url: `${hooks.base}/${a.id}/dead`, dialect: 'teltel' })).status, 201);
    }

    // WebSocket streams, live before the facts are recorded.
    const sockets = new Map<Principal, { user?: TestSocket; account?: TestSocket }>();
    for (const p of principals) {
      if (!p.token) continue;
      const entry: { user?: TestSocket; account?: TestSocket } = {};
      for (const kind of ['user', 'account'] as const) {
        const s = await TestSocket.open(port);
        t.after(() => s.close());
        assert.equal((await s.request({ type: 'authrequest', token: p.token }, 'authresponse')).success, true);
        const started = await s.request({ type: `start${kind}eventrequest` }, `start${kind}eventresponse`);
        if (kind === 'account' && !p.elevated) {
          assert.equal(started.success, false, `${p.name}: the account stream needs an elevated role`);
          assert.equal(started.error, 'forbidden');
          s.close();
          continue;
        }
        assert.equal(started.success, true);
        entry[kind] = s;
      }
      sockets.set(p, entry);
    }

    // The facts: every session at once, so accounts interleave in the log.
    const all = accounts.flatMap((a) => a.sessions);
    await Promise.all(all.map((s) => r.recorder.record(...s)));
    await r.reports.flush();

    phase('recorded');
    // Ground truth: the log itself.
    const log: LogEntry[] = await r.events.read(0, {}, 1_000_000);
    const byPosition = new Map(log.map((e) => [e.position, e]));
    const visible = (p: Principal, e: LogEntry) => e.accountId === p.account.id && (p.elevated || (p.userId !== undefined && e.userIds.includes(p.userId)));
    for (const e of log) assert.ok(accounts.some((a) => a.id === e.accountId && a.sessionIds.includes(e.sessionId)), `event ${e.id} is in its session's account`);

    // Every principal asks every surface (concurrently: all of it is reading).
    const check = async (p: Principal): Promise<void> => {
      const mine = log.filter((e) => visible(p, e));
      // WebSocket: live streams carry exactly the realtime events the principal may see.
      const ws = sockets.get(p);
      for (const kind of ['user', 'account'] as const) {
        const s = ws?.[kind];
        if (!s) continue;
        const expected = mine.filter((e) => e.dialect === 'realtime' && (kind === 'account' || e.userIds.includes(p.userId!)));
        const type = `${kind}event` as const;
        await s.until((f) => f.filter((x) => x.type === type).length >= expected.length, 5000, `${p.name} ${kind} stream`).catch(() => undefined);
        await new Promise((res) => setTimeout(res, 50));
        const got = s.events(type);
        assertOwn(p, `${kind} stream`, JSON.stringify(got));
        assert.deepEqual(sorted(got.map((x) => String(x.eventId))), sorted(expected.map((e) => e.id)), `${p.name}: ${kind} stream`);
        // Resume by lastEventId from the middle: exactly what came after it.
        if (expected.length >= 2) {
          const middle = expected[expected.length >> 1]!;
          const again = await TestSocket.open(port);
          t.after(() => again.close());
          await again.request({ type: 'authrequest', token: p.token }, 'authresponse');
          assert.equal((await again.request({ type: `start${kind}eventrequest`, lastEventId: middle.id }, `start${kind}eventresponse`)).success, true);
          const rest = expected.filter((e) => e.position > middle.position);
          await again.until((f) => f.filter((x) => x.type === type).length >= rest.length, 5000, `${p.name} resumed ${kind} stream`).catch(() => undefined);
          await new Promise((res) => setTimeout(res, 50));
          assert.deepEqual(sorted(again.events(type).map((x) => String(x.eventId))), sorted(rest.map((e) => e.id)), `${p.name}: resumed ${kind} stream`);
          again.close();
        }
        // Resuming from another account's event id is refused like an unknown id (it tells nothing).
        const foreign = log.find((e) => e.accountId !== p.account.id);
        if (foreign) {
          const probe = await TestSocket.open(port);
          t.after(() => probe.close());
          await probe.request({ type: 'authrequest', token: p.token }, 'authresponse');
          const answer = await probe.request({ type: `start${kind}eventrequest`, lastEventId: foreign.id }, `start${kind}eventresponse`);
          assert.deepEqual({ success: answer.success, error: answer.error }, { success: false, error: 'unknown_event_id' }, `${p.name}: resume from a foreign event id`);
          probe.close();
        }
      }

      // Event history: every dialect, exactly what the principal may see.
      const history = await call(p, 'GET', '/events?limit=1000');
      assert.equal(history.status, 200, history.text);
      assertOwn(p, 'GET /events', history.text);
      assert.deepEqual(sorted((history.json.events as { id: string }[]).map((e) => e.id)), sorted(mine.map((e) => e.id)), `${p.name}: GET /events`);
      for (const other of accounts) {
        if (other === p.account) continue;
        const foreign = await call(p, 'GET', `/events?session_id=${other.sessionIds[0]}`);
        assert.deepEqual(foreign.json.events, [], `${p.name}: another account's session id finds nothing`);
      }
      // SSE from the start.
      const sse = await readSse(port, p.authorization, 'after=0', mine.length, 1500);
      assertOwn(p, 'SSE', sse.text);
      assert.deepEqual(sorted(sse.positions.map((pos) => byPosition.get(pos)?.id ?? `?${pos}`)), sorted(mine.map((e) => e.id)), `${p.name}: SSE`);

      // Webhook subscriptions.
      const list = await call(p, 'GET', '/webhooks');
      if (!p.elevated) assert.equal(list.status, 403, `${p.name}: webhooks need an elevated role`);
      else {
        assert.equal(list.status, 200);
        assertOwn(p, 'GET /webhooks', list.text);
        assert.ok((list.json.webhooks as { id: string }[]).some((w) => w.id === hookIds.get(p.account)));
      }
      for (const other of accounts) {
        if (other === p.account) continue;
        const id = hookIds.get(other)!;
        for (const [method, body] of [['GET', undefined], ['PUT', { url: `${hooks.base}/${p.account.id}/stolen`, dialect: 'realtime' }], ['DELETE', undefined], ['POST', undefined]] as const) {
          const path = method === 'POST' ? `/webhooks/${id}/ping` : `/webhooks/${id}`;
          const res = await call(p, method, path, body);
          assert.equal(res.status, p.elevated ? 404 : 403, `${p.name}: ${method} ${path} of ${other.id}: ${res.text}`);
          assertOwn(p, `${method} ${path}`, res.text);
        }
      }

      // Reports: the account's entries, own-records-only users only theirs.
      const report = await call(p, 'GET', '/reports/call-data?start_date=2024-05-01&end_date=2024-05-31');
      assert.equal(report.status, 200, report.text);
      assertOwn(p, 'reports', report.text);
      const entries: ReportEntry[] = await r.store.listReportEntries(p.account.id, 0, Date.UTC(2100, 0), 100_000);
      const uid = Number(p.userId);
      const mayRead = (e: ReportEntry) =>
        !p.ownRecordsOnly || (e.kind === 'message' ? e.message.userId === uid : e.call.userId === uid || e.call.answeredByUserId === uid || e.call.userIds.includes(uid));
      assert.deepEqual(sorted((report.json.data as { call_id: string }[]).map((e) => e.call_id)), sorted(entries.filter(mayRead).map((e) => (e.kind === 'message' ? e.message.id : e.call.id))), `${p.name}: reports`);
      for (const other of accounts) {
        if (other === p.account) continue;
        const theirs = await r.store.listReportEntries(other.id, 0, Date.UTC(2100, 0), 1);
        const id = theirs[0] ? (theirs[0].kind === 'message' ? theirs[0].message.id : theirs[0].call.id) : 'none';
        const single = await call(p, 'GET', `/reports/call-data/${encodeURIComponent(id)}`);
        // A call id may recur in another account (ids are per account); then it is the caller's own entry.
        if (single.status === 200) assert.ok(entries.some((e) => (e.kind === 'message' ? e.message.id : e.call.id) === id), `${p.name}: another account's entry ${id}`);
        else assert.equal(single.status, 404);
        assertOwn(p, 'single report entry', single.text);
        const named = await call(p, 'GET', `/reports/call-data/${other.id}/${encodeURIComponent(id)}`);
        assert.equal(named.status, 403, `${p.name}: naming another account`);
      }
    };
    // Settled, not raced: a failure must not leave other checks running into the shutdown.
    const failed = (await Promise.allSettled(principals.map(check))).find((x) => x.status === 'rejected');
    if (failed) throw (failed as PromiseRejectedResult).reason;

    phase('queried');
    // Creating a subscription with another account's id makes one in the caller's account; theirs stays.
    const [a0, a1] = accounts as [Account, Account];
    const clash = await call(apiOf(a0), 'POST', '/webhooks', { id: hookIds.get(a1), url: `${hooks.base}/${a0.id}/clash`, dialect: 'teltel' });
    assert.equal(clash.status, 201, clash.text);
    const theirs = await call(apiOf(a1), 'GET', `/webhooks/${hookIds.get(a1)}`);
    assert.equal((theirs.json.webhook as { url: string; dialect: string }).url, `${hooks.base}/${a1.id}/realtime`);
    assert.equal((await call(apiOf(a0), 'DELETE', `/webhooks/${hookIds.get(a1)}`)).status, 200);
    assert.equal((await call(apiOf(a1), 'GET', `/webhooks/${hookIds.get(a1)}`)).status, 200, 'deleting the namesake leaves theirs');

    // Webhook deliveries: each account's receiver gets exactly its account's realtime events.
    for (const a of accounts) {
      const expected = log.filter((e) => e.accountId === a.id && e.dialect === 'realtime').length;
      await untilTrue(() => (hooks.got.get(`/${a.id}/realtime`)?.length ?? 0) >= expected, 8000);
    }
    await new Promise((res) => setTimeout(res, 100));
    phase('delivered');
    // Dead letters: each elevated principal lists its own account's, and some exist to be listed.
    for (const p of principals.filter((x) => x.elevated)) {
      const hasTeltel = log.some((e) => e.accountId === p.account.id && e.dialect === 'teltel');
      let dead = await call(p, 'GET', '/webhooks/dead-letters?limit=1000');
      for (let i = 0; i < 40 && hasTeltel && (dead.json.deadLetters as unknown[]).length === 0; i++) {
        await new Promise((res) => setTimeout(res, 100));
        dead = await call(p, 'GET', '/webhooks/dead-letters?limit=1000');
      }
      assert.equal(dead.status, 200);
      if (hasTeltel) assert.ok((dead.json.deadLetters as unknown[]).length > 0, `${p.name}: dead letters of its account`);
      assertOwn(p, 'dead letters', dead.text);
    }
    for (const [path, bodies] of hooks.got) {
      const a = accounts.find((x) => path.startsWith(`/${x.id}/`))!;
      assert.ok(a, `a delivery to ${path}`);
      const p = apiOf(a);
      for (const b of bodies) assertOwn(p, `webhook delivery to ${path}`, b);
      if (path.endsWith('/realtime')) assert.equal(bodies.length, log.filter((e) => e.accountId === a.id && e.dialect === 'realtime').length, `deliveries to ${path}`);
    }
    phase('done');
    console.log(`# run: ${accounts.length} accounts, ${principals.length} principals, ${log.length} events; ${phases.join(', ')}`);
  } finally {
    for (const fn of cleanups.reverse()) await fn();
  }
}

test('isolation: no surface shows another account, or to a restricted user another user (property)', { timeout: 120_000 }, async () => {
  const started = Date.now();
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(arbAccounts, async (specs) => {
      runs++;
      // The assertion's own message, before fast-check wraps it into its report.
      await runOnce(specs).catch((err: unknown) => {
        console.log(`# isolation failure: ${(err as Error).message.split('\n')[0]}`);
        throw err;
      });
    }),
    { numRuns: Number(process.env.ISOLATION_RUNS ?? 4), interruptAfterTimeLimit: 60_000, markInterruptAsFailure: false, endOnFailure: true },
  );
  console.log(`# isolation: ${runs} runs in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.ok(runs >= 1);
});
