/**
 * The console (console/, contract C of issue 16) in headless Chromium against a real Ringside and sipp:
 * log in; a carrier call shows in live calls within 1 s of its INVITE and goes at its BYE; the event view
 * shows its events in order and resumes after a reload without gaps or duplicates; the console hangs up a
 * call; the call's recording plays; a user created in the provisioning screen registers at once; a
 * `user`-role login sees nothing account-wide (DOM and network log); a caller name with `<script>` stays
 * text. SCREENSHOTS=1 also writes docs/console/*.png on the way.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { missingTool } from '../support/tools.js';
import { callConfig, ALICE, BOB } from '../support/call-config.js';
import { startInProcess, login } from '../support/in-process.js';
import { CARRIER_IP, ok, register, sipp, sleep, type Sipp } from '../support/sipp-calls.js';
import { freePort } from '../switch/support/harness.js';
import { answeringScenario, carrierScenario, scenarioDir, type Step } from '../switch/support/scenario-builder.js';
import { ensureConsoleBuilt, REPO } from './support/console-build.js';
import { chromiumMissing, launch, loggedIn, openScreen } from './support/console-page.js';

const skip = missingTool('sipp', 'sip-tester') || chromiumMissing();

const EVIL_NAME = '<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>';
const SHOTS = process.env.SCREENSHOTS === '1' ? join(REPO, 'docs', 'console') : null;

async function shot(page: Page, name: string): Promise<void> {
  if (!SHOTS) return;
  mkdirSync(SHOTS, { recursive: true });
  await sleep(300);
  await page.screenshot({ path: join(SHOTS, `${name}.png`) });
}

/** Records, in the page, when each live-call row appeared and when it went (page clock = Date.now()). */
async function watchRows(page: Page): Promise<void> {
  // A string: this file is type-checked without the DOM library (the page runs it, not Node).
  await page.evaluate(`(() => {
    const rows = {};
    window.__rows = rows;
    const scan = () => {
      const now = Date.now();
      const ids = new Set([...document.querySelectorAll('tr[data-session-id]')].map((e) => e.dataset.sessionId));
      for (const id of ids) rows[id] ??= { appeared: now };
      for (const [id, r] of Object.entries(rows)) if (!ids.has(id) && r.gone === undefined) r.gone = now;
    };
    new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
    scan();
  })()`);
}

const rowsOf = async (page: Page) => (await page.evaluate('window.__rows')) as Record<string, { appeared: number; gone?: number }>;
const pwned = (page: Page) => page.evaluate('window.__pwned');

test('the console in Chromium: live calls, events, hang-up, recordings, provisioning, roles', { skip, timeout: 240_000 }, async (t) => {
  await ensureConsoleBuilt();
  const carrierPort = await freePort();
  const r = await startInProcess(
    t,
    callConfig(
      carrierPort,
      `
    numbers: [{ number: "+15550100" }]
    users:
      - ${ALICE}
      - ${BOB}
    lines:
      - { id: main, name: Main, number: "+15550100", record: true, ring: { strategy: ring-all, users: [501], timeoutSeconds: 20, fallback: hangup } }
`,
    ),
  );
  const base = `http://127.0.0.1:${r.httpPort}`;
  const target = `127.0.0.1:${r.sip.port}`;
  const adminToken = await login(r, 'alice@demo.test', 'alice-pass');
  const browser = await launch(t);

  // Alice's phone: registered once from one port, where each test then runs an answering sipp (a binding
  // per call would leave stale ones that ring-all rings too).
  const phonePort = await freePort();
  await register(t, target, phonePort, '101', 'alice-sip-101');
  /** Alice's phone answering the next call, in the background (on `port`, where she registered). */
  const alicePhone = async (end: 'bye' | 'wait-bye' = 'wait-bye', port = phonePort): Promise<{ done: Promise<Sipp> }> => {
    const dir = scenarioDir(t, { 'phone.xml': answeringScenario({ end }) });
    const done = sipp(t, 'phone.xml', '', { dir, port, extra: ['-mp', String(await freePort())], timeoutSec: 40 });
    // Until sipp listens, an INVITE to the port fails at once (ICMP unreachable: the call is refused 480);
    // 300 ms was once not enough on a loaded machine.
    await sleep(800);
    // Wrapped: an async function returning the promise itself would wait for sipp to exit.
    return { done };
  };
  /** The carrier calling the main line from a caller whose display name is `name`. */
  const carrierCall = (steps: Step[], end: 'bye' | 'wait-bye', name = 'Pat Caller') => {
    const dir = scenarioDir(t, { 'carrier.xml': carrierScenario({ steps, end }).replace('"Pat Caller"', `"${name}"`) });
    return sipp(t, 'carrier.xml', target, { dir, from: CARRIER_IP, service: '+15550100', keys: { from: '+15557654321' }, extra: ['-mp', String(40000 + Math.floor(Math.random() * 10000) * 2)], timeoutSec: 40 });
  };
  const liveCalls = async () => (await (await fetch(`${base}/console/calls`, { headers: { authorization: `Bearer ${adminToken}` } })).json()) as { calls: { sessionId: string; startedAt: number; state: string }[] };

  // --- log in ---------------------------------------------------------------------------------------
  if (SHOTS) {
    const p = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    await p.goto(`${base}/`);
    await p.waitForSelector('form.login');
    await shot(p, 'login');
  }
  const admin = await loggedIn(browser, base, 'alice@demo.test', 'alice-pass', 'calls');
  const menu = await admin.$$eval('nav a[data-screen]', (as) => as.map((a) => a.getAttribute('data-screen')));
  assert.deepEqual(menu, ['calls', 'events', 'history', 'wallboard', 'provisioning', 'webhooks', 'devices', 'phone']);
  const events = await loggedIn(browser, base, 'alice@demo.test', 'alice-pass', 'events');
  await events.waitForSelector('.stream-live');

  // A webhook receiver that refuses everything (400: a permanent failure, dead-lettered at once).
  const received: string[] = [];
  const receiver = createServer((req, res) => {
    received.push(req.url ?? '');
    res.writeHead(400).end('no');
  });
  await new Promise<void>((res) => receiver.listen(0, '127.0.0.1', res));
  t.after(() => receiver.close());
  const hookUrl = `http://127.0.0.1:${(receiver.address() as { port: number }).port}/hook`;

  await t.test('a webhook subscription made in the webhooks screen', async () => {
    const page = await loggedIn(browser, base, 'alice@demo.test', 'alice-pass', 'webhooks');
    await page.fill('form.inline-form input[name="url"]', hookUrl);
    await page.selectOption('form.inline-form select[name="dialect"]', 'realtime');
    await page.fill('form.inline-form input[name="events"]', 'voice.incoming.start');
    await page.click('form.inline-form button[type=submit]');
    await page.waitForSelector('p.notice:has-text("Subscription created")');
    await page.waitForSelector(`.webhook-list td:has-text("${hookUrl}")`);
    await page.context().close();
  });

  let firstCall = '';
  await t.test('a carrier call shows in live calls within 1 s of its INVITE and goes at its BYE; its caller name stays text', async () => {
    await watchRows(admin);
    const { done: phone } = await alicePhone();
    const call = carrierCall([{ audio: 'g711a' }, { pauseMs: 2500 }], 'bye', EVIL_NAME);
    const row = await admin.waitForSelector('tr[data-session-id]', { timeout: 5000 });
    firstCall = (await row.getAttribute('data-session-id'))!;
    const started = (await liveCalls()).calls.find((c) => c.sessionId === firstCall);
    assert.ok(started, 'the session is live on the server');
    await admin.waitForSelector(`tr[data-session-id="${firstCall}"].state-answered`, { timeout: 5000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${JSON.stringify(await liveCalls())}`);
    });
    const answeredSeen = Date.now();
    await shot(admin, 'live-calls');
    // The display name is shown as the characters it is, and nothing in it ran.
    const text = await admin.textContent(`tr[data-session-id="${firstCall}"]`);
    assert.ok(text?.includes(EVIL_NAME), `the caller name as text: ${text}`);
    assert.equal(await pwned(admin), undefined);
    assert.equal(await admin.$$eval('main script, main img', (e) => e.length), 0);

    const carrier = await call;
    const byeDone = Date.now();
    ok(carrier, 'carrier');
    ok(await phone, 'phone');
    await admin.waitForSelector(`tr[data-session-id="${firstCall}"]`, { state: 'detached', timeout: 3000 });
    const seen = (await rowsOf(admin))[firstCall]!;
    t.diagnostic(`row appeared ${seen.appeared - started.startedAt} ms after the INVITE; went ${seen.gone! - byeDone} ms after the carrier's BYE was answered`);
    assert.ok(seen.appeared - started.startedAt <= 1000, `appeared ${seen.appeared - started.startedAt} ms after the INVITE`);
    assert.ok(seen.gone! >= answeredSeen, 'the row stayed while the call was up');
    assert.ok(seen.gone! - byeDone <= 1000, `went ${seen.gone! - byeDone} ms after the BYE`);
  });

  await t.test('the event view shows the call in order and resumes after a reload without gaps or duplicates', async () => {
    // The view reloaded mid-call already? No: reload it now, with the stream held back while events happen.
    const positions = async () => events.$$eval('tr.event', (rows) => rows.map((r) => ({ position: Number(r.getAttribute('data-position')), name: r.querySelector('.name')!.textContent! })));
    await events.waitForFunction(`[...document.querySelectorAll('tr.event')].some((r) => r.textContent.includes(${JSON.stringify(firstCall)}) && r.textContent.includes('voice.incoming.end'))`, undefined, { timeout: 5000 });
    const before = await positions();

    // A second call while the page reloads: its first events happen while the stream is held back.
    await events.route('**/events/stream**', async (route) => {
      await sleep(1500);
      await route.continue();
    });
    const { done: phone } = await alicePhone();
    const call = carrierCall([{ pauseMs: 1500 }], 'bye');
    await events.reload();
    ok(await call, 'carrier');
    ok(await phone, 'phone');
    await events.waitForFunction(`[...document.querySelectorAll('tr.event .name')].filter((n) => n.textContent === 'voice.incoming.end').length >= 2`, undefined, { timeout: 10_000 });
    await events.unroute('**/events/stream**');
    await shot(events, 'events');
    const after = await positions();

    // What the view shows is exactly the log from its first event on: same positions, same order.
    const first = before[0]!.position;
    const res = await fetch(`${base}/events?dialect=realtime&after=${first - 1}&limit=1000`, { headers: { authorization: `Bearer ${adminToken}` } });
    const log = ((await res.json()) as { events: { position: number; name: string }[] }).events.map((e) => ({ position: e.position, name: e.name }));
    assert.deepEqual(after, log, 'the view after the reload = the event log (no gap, no duplicate)');
    assert.deepEqual(after.slice(0, before.length), before, 'what was shown before the reload is kept');
    const names = after.map((e) => e.name);
    assert.ok(names.indexOf('voice.incoming.start') < names.indexOf('voice.incoming.answer') && names.indexOf('voice.incoming.answer') < names.indexOf('voice.incoming.end'), names.join(' '));
  });

  await t.test('the event view in the call-centre dialect: a call shows START before COMPLETED', async () => {
    await events.selectOption('select[name="dialect"]', 'teltel');
    await events.waitForSelector('.stream-live');
    const { done: phone } = await alicePhone();
    const call = carrierCall([{ pauseMs: 500 }], 'bye');
    ok(await call, 'carrier');
    ok(await phone, 'phone');
    await events.waitForFunction(`[...document.querySelectorAll('tr.event .name')].some((n) => n.textContent === 'COMPLETED')`, undefined, { timeout: 10_000 });
    const names = await events.$$eval('tr.event .name', (ns) => ns.map((n) => n.textContent ?? ''));
    assert.ok(names.includes('START') && names.indexOf('START') < names.indexOf('COMPLETED'), names.join(' '));
    assert.ok(!names.some((n) => n.startsWith('voice.')), 'no realtime event in the call-centre view');
    await events.selectOption('select[name="dialect"]', 'realtime');
  });

  await t.test('hanging up from the console ends the sipp call', async () => {
    const { done: phone } = await alicePhone('wait-bye');
    const call = carrierCall([{ pauseMs: 200 }], 'wait-bye');
    const row = await admin.waitForSelector('tr[data-session-id].state-answered', { timeout: 8000 });
    const id = (await row.getAttribute('data-session-id'))!;
    await admin.click(`tr[data-session-id="${id}"] button.hangup`);
    await admin.waitForSelector(`tr[data-session-id="${id}"]`, { state: 'detached', timeout: 3000 }).catch(async (e: unknown) => {
      throw new Error(`${String(e)}\n${await admin.innerHTML('main').catch(() => '')}`);
    });
    ok(await call, 'carrier got the BYE');
    ok(await phone, 'phone got the BYE');
    await admin.waitForSelector(`tr[data-session-id="${id}"]`, { state: 'detached', timeout: 3000 });
  });

  await t.test('the recording of the first call plays in the history (the audio element has a duration)', async () => {
    await openScreen(admin, 'history');
    const uniqueId = await (async () => {
      const res = await fetch(`${base}/events?dialect=realtime&session_id=${encodeURIComponent(firstCall)}`, { headers: { authorization: `Bearer ${adminToken}` } });
      return ((await res.json()) as { events: { payload: { uniqueId: string } }[] }).events[0]!.payload.uniqueId;
    })();
    const audio = `tr[data-call-id="${uniqueId}"] audio.recording`;
    await admin.waitForSelector(audio, { timeout: 10_000 });
    await admin.waitForFunction(`(() => { const a = document.querySelector(${JSON.stringify(audio)}); return a !== null && Number.isFinite(a.duration) && a.duration > 0; })()`, undefined, { timeout: 10_000 });
    const duration = await admin.$eval(audio, (a) => (a as unknown as { duration: number }).duration);
    t.diagnostic(`recording: ${duration.toFixed(2)} s`);
    assert.ok(duration > 1, `duration ${duration}`);
    assert.ok((await admin.textContent(`tr[data-call-id="${uniqueId}"]`))?.includes(EVIL_NAME), 'the caller name, as text, in the history');
    assert.equal(await pwned(admin), undefined);
    await shot(admin, 'history');
  });

  let carolPort = 0;
  await t.test('a user created in the provisioning screen registers at once', async () => {
    await openScreen(admin, 'provisioning');
    await admin.click('button.new');
    await admin.fill('.resource-form input[name="name"]', 'Carol');
    await admin.fill('.resource-form input[name="email"]', 'carol@demo.test');
    await admin.fill('.resource-form input[name="password"]', 'carol-pass');
    await admin.fill('.resource-form input[name="extension"]', '105');
    await admin.fill('.resource-form input[name="pin"]', '1105');
    await admin.fill('.resource-form input[name="sip.username"]', '105');
    await admin.fill('.resource-form input[name="sip.password"]', 'carol-sip-105');
    await admin.click('.resource-form button.save');
    await admin.waitForSelector('p.notice');
    await admin.waitForSelector('.resource-list td:text-is("carol@demo.test")');
    carolPort = await freePort();
    await register(t, target, carolPort, '105', 'carol-sip-105');

    // Edited with the ETag it was opened with: saved. Changed meanwhile by someone else: 412, nothing lost.
    const edit = async () => {
      await admin.click('.resource-list tr:has(td:text-is("carol@demo.test")) button.edit');
      await admin.waitForSelector('.resource-form input[name="name"]');
    };
    await edit();
    await admin.fill('.resource-form input[name="name"]', 'Carol Ann');
    await admin.click('.resource-form button.save');
    await admin.waitForSelector('p.notice:has-text("Saved")');
    await admin.waitForSelector('.resource-list td:text-is("Carol Ann")');
    await edit();
    const id = await admin.$eval('.resource-list tr:has(td:text-is("carol@demo.test"))', (tr) => tr.getAttribute('data-key'));
    const behind = await fetch(`${base}/provisioning/users/${id}`, { method: 'PUT', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'Caroline', email: 'carol@demo.test', pin: '1105', extension: '105', sip: { username: '105' } }) });
    assert.equal(behind.status, 200, await behind.text());
    await admin.fill('.resource-form input[name="name"]', 'Carol B');
    await admin.click('.resource-form button.save');
    assert.match((await (await admin.waitForSelector('.resource-form .error')).textContent())!, /412 precondition_failed/);
    await admin.click('.resource-form button:text("Cancel")');
    // A duplicate extension: the server's 409 is shown and the form stays open.
    await admin.click('button.new');
    await admin.fill('.resource-form input[name="name"]', 'Dave');
    await admin.fill('.resource-form input[name="email"]', 'dave@demo.test');
    await admin.fill('.resource-form input[name="password"]', 'dave-pass');
    await admin.fill('.resource-form input[name="extension"]', '105');
    await admin.fill('.resource-form input[name="pin"]', '1106');
    await admin.click('.resource-form button.save');
    const error = await admin.waitForSelector('.resource-form .error');
    assert.match((await error.textContent())!, /409 conflict/);
    await admin.click('.resource-form button:text("Cancel")');
    await shot(admin, 'provisioning');
  });

  if (SHOTS) {
    await t.test('screenshots of the other screens', async () => {
      await fetch(`${base}/webhooks`, { method: 'POST', headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ id: 'crm', url: 'https://crm.example/ringside', dialect: 'teltel', method: 'POST', events: [] }) });
      for (const s of ['wallboard', 'webhooks', 'devices']) {
        await openScreen(admin, s);
        await sleep(700);
        await shot(admin, s);
      }
    });
  }

  await t.test('a transfer from the console moves the caller to another phone', async () => {
    await openScreen(admin, 'calls');
    const { done: alice } = await alicePhone('wait-bye');
    const carolDir = scenarioDir(t, { 'carol.xml': answeringScenario({ steps: [{ pauseMs: 1000 }], end: 'bye' }) });
    const carol = sipp(t, 'carol.xml', '', { dir: carolDir, port: carolPort, extra: ['-mp', String(await freePort())], timeoutSec: 40 });
    await sleep(300);
    const call = carrierCall([{ pauseMs: 200 }], 'wait-bye');
    const row = await admin.waitForSelector('tr[data-session-id].state-answered', { timeout: 8000 });
    const id = (await row.getAttribute('data-session-id'))!;
    await admin.fill(`tr[data-session-id="${id}"] form.transfer input`, '105');
    await admin.click(`tr[data-session-id="${id}"] form.transfer button`);
    ok(await alice, 'Alice was hung up');
    // The caller continues in a new session, with Carol.
    await admin.waitForFunction(`[...document.querySelectorAll('tr[data-session-id]')].some((r) => r.dataset.sessionId !== ${JSON.stringify(id)} && r.textContent.includes('Carol'))`, undefined, { timeout: 8000 });
    ok(await carol, 'Carol answered and hung up');
    ok(await call, 'the caller got Carol’s BYE');
  });

  await t.test('webhooks: dead letters listed with the delivery status, tested, replayed and discarded', async () => {
    await openScreen(admin, 'webhooks');
    const hookRow = `.webhook-list tr:has(td:has-text("${hookUrl}"))`;
    await admin.waitForSelector(`${hookRow} .delivery .bad`);
    const letters = async () => (await admin.$$eval('tr[data-dead-letter]', (rows) => rows.map((r) => Number(r.getAttribute('data-dead-letter'))))).sort((a, b) => a - b);
    const before = await letters();
    assert.ok(before.length >= 3, `one dead letter per voice.incoming.start so far: ${before.join(',')}`);
    assert.match((await admin.textContent(`${hookRow} .delivery`))!, new RegExp(`${before.length} dead letters`));
    await admin.click(`${hookRow} button:text("Test")`);
    await admin.waitForSelector(`${hookRow} .delivery .muted:has-text("not delivered")`);
    // Replayed, the first goes back to the queue (and, refused again, comes back as a new dead letter).
    const sent = received.length;
    await admin.click(`tr[data-dead-letter="${before[0]}"] button:text("Replay")`);
    await admin.waitForSelector(`p.notice:has-text("Replayed dead letter ${before[0]}")`);
    await admin.waitForSelector(`tr[data-dead-letter="${before[0]}"]`, { state: 'detached' });
    await admin.click(`tr[data-dead-letter="${before[1]}"] button:text("Discard")`);
    await admin.waitForSelector(`p.notice:has-text("Discarded dead letter ${before[1]}")`);
    await admin.waitForSelector(`tr[data-dead-letter="${before[1]}"]`, { state: 'detached' });
    for (let i = 0; i < 50 && received.length === sent; i++) await sleep(100);
    assert.ok(received.length > sent, 'the replayed event was delivered again');
  });

  await t.test('an expired token is refreshed with the refresh token, once, and the screen loads', async () => {
    const stale = `(() => { const t = JSON.parse(sessionStorage.getItem('ringside.tokens')); t.token = 'expired-token'; sessionStorage.setItem('ringside.tokens', JSON.stringify(t)); })()`;
    await admin.evaluate(stale);
    const refreshes: number[] = [];
    const onResponse = (res: { url(): string; status(): number }) => {
      if (new URL(res.url()).pathname === '/auth/refresh') refreshes.push(res.status());
    };
    admin.on('response', onResponse);
    await admin.reload();
    await admin.waitForSelector('nav.menu');
    admin.off('response', onResponse);
    assert.deepEqual(refreshes, [200]);
    assert.notEqual(await admin.evaluate(`JSON.parse(sessionStorage.getItem('ringside.tokens')).token`), 'expired-token');
  });

  await t.test('the phone screen registers the browser over WebSocket with the SIP password asked for and answers a call', async () => {
    await openScreen(admin, 'phone');
    assert.equal(await admin.inputValue('input[name="sip-username"]'), '101', 'the username defaults to the extension');
    await admin.fill('input[name="sip-password"]', 'alice-sip-101');
    await admin.click('.phone-login button[type=submit]');
    await admin.waitForSelector('.phone-status:text-is("registered")', { timeout: 10_000 });
    if (SHOTS) await shot(admin, 'phone');
    // The browser's binding is listed in the devices screen (another tab: leaving the phone screen
    // unregisters it), with a WebSocket transport.
    await openScreen(events, 'devices');
    await events.waitForSelector('.device-list tr[data-user-id="501"] td:text-matches("^wss?$", "i")', { timeout: 5000 }).catch(async (e: unknown) => {
      const api = await (await fetch(`${base}/console/devices`, { headers: { authorization: `Bearer ${adminToken}` } })).text();
      throw new Error(`${String(e)}\n${await events.innerHTML('main')}\n${api}`);
    });
    // A carrier call rings the browser; answered there, it is a WebRTC call until the carrier hangs up.
    const call = carrierCall([{ pauseMs: 2000 }], 'bye');
    await admin.click('.phone-call button:text("Answer")', { timeout: 8000 });
    await admin.waitForSelector('.phone-call .call-state:text-is("Established")', { timeout: 8000 });
    ok(await call, 'carrier call answered by the browser phone');
    await admin.waitForSelector('.phone-call', { state: 'detached', timeout: 5000 });
    await admin.click('.phone-login button[type=submit]');
    await admin.waitForSelector('.phone-status:text-is("not registered")', { timeout: 10_000 });
  });

  await t.test('a user-role login sees no account-wide data: not in the DOM, not on the network', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const requests: string[] = [];
    const bodies: string[] = [];
    page.on('request', (req) => requests.push(new URL(req.url()).pathname));
    page.on('response', (res) => {
      if (!(res.headers()['content-type'] ?? '').includes('event-stream')) void res.text().then((b) => bodies.push(b), () => undefined);
    });
    await page.goto(`${base}/#/provisioning`);
    await page.fill('input[name=email]', 'bob@demo.test');
    await page.fill('input[name=password]', 'bob-pass');
    await page.click('button[type=submit]');
    // Asked for an account-wide screen, a user gets the first of its own.
    await page.waitForSelector('main[data-screen="calls"]');
    const own = (await page.$$eval('nav a[data-screen]', (as) => as.map((a) => a.getAttribute('data-screen')))).map(String);
    assert.deepEqual(own, ['calls', 'events', 'history', 'devices', 'phone']);
    await watchRows(page);
    // A call of Alice's while Bob watches: it must not show. Alice answers on a phone registered afresh
    // from a new port: the browser-phone test's call forked to the shared port, where nobody listened, and
    // that INVITE's retransmissions can still reach a sipp started there now (it took them for its call).
    const alicePort = await freePort();
    await register(t, target, alicePort, '101', 'alice-sip-101');
    const { done: phone } = await alicePhone('wait-bye', alicePort);
    await openScreen(admin, 'calls');
    const call = carrierCall([{ pauseMs: 1000 }], 'bye');
    await admin.waitForSelector('tr[data-session-id]', { timeout: 8000 });
    ok(await call, 'carrier');
    ok(await phone, 'phone');
    await sleep(500);
    assert.deepEqual(await rowsOf(page), {}, 'no call row for a call that is not Bob’s');
    const texts: string[] = [];
    for (const s of own) {
      await openScreen(page, s);
      await sleep(800);
      texts.push((await page.textContent('main')) ?? '');
    }
    const dom = texts.join('\n');
    for (const secret of ['Alice', 'alice@demo.test', 'Carol', '+15557654321', 'Pat Caller', '<script>']) {
      assert.ok(!dom.includes(secret), `the DOM shows ${secret}`);
      assert.ok(!bodies.some((b) => b.includes(secret)), `a response carried ${secret}`);
    }
    const accountWide = requests.filter((p) => /^\/(provisioning|webhooks|reports)/.test(p));
    assert.deepEqual(accountWide, [], `account-wide requests: ${accountWide.join(', ')}`);
    await context.close();
  });
});
