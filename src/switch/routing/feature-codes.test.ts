/**
 * Feature codes and presence in routing (docs/call-centre.md, "Agents"): what each code sets from each
 * presence, that only the three codes are codes, that the store keeps what was set, and that a line's hunt
 * (availableUsers) leaves out paused and logged-out agents but keeps `available: false` users out as before;
 * and a feature-code call's steps with a fake INVITE and media engine: what the phone gets in each case, and
 * that a refused one set nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseConfig } from '../../config/load-config.js';
import { applyFeatureCode, isFeatureCode, presenceAfter, runFeatureCode } from './feature-codes.js';
import type { IncomingInvite } from '../../sip/index.js';
import type { MediaControl } from '../../media/media-control.js';
import type { PlayItem } from '../../media/player.js';
import { CodecMismatchError, PortsExhaustedError } from '../../media/errors.js';
import { silentLogger } from '../../log/logger.js';
import { availableUsers } from './targets.js';
import { presenceOf } from './agent-presence.js';

const user = (id: number, available = true) =>
  `      - { id: ${id}, name: U${id}, email: u${id}@x.test, password: pw-${id}, role: user, extension: "${id}", pin: "900${id}", available: ${available} }\n`;
const CONFIG = 'accounts:\n  - id: acme\n    name: Acme\n    users:\n' + user(11) + user(12) + user(13) + user(14, false) + '  - id: beta\n    name: Beta\n    users:\n' + user(21);

async function openStore(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-feature-codes-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(CONFIG));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  return store;
}

test('what each code sets: *50 available, *51 logged out, *52 toggles paused', () => {
  for (const from of ['available', 'paused', 'logged-out'] as const) {
    assert.equal(presenceAfter('*50', from), 'available');
    assert.equal(presenceAfter('*51', from), 'logged-out');
  }
  assert.equal(presenceAfter('*52', 'available'), 'paused');
  assert.equal(presenceAfter('*52', 'logged-out'), 'paused');
  assert.equal(presenceAfter('*52', 'paused'), 'available');
});

test('only *50, *51 and *52 are feature codes', () => {
  assert.deepEqual(['*50', '*51', '*52'].filter(isFeatureCode), ['*50', '*51', '*52']);
  for (const s of ['*5', '*53', '50', '*500', '#50', '', 'toString', '__proto__', 'constructor']) assert.equal(isFeatureCode(s), false, s);
});

test('a code applied is stored with its time; *52 reads what is stored', async (t) => {
  const store = await openStore(t);
  const u = (await store.getUser(12))!;
  assert.equal(await applyFeatureCode(store, { featureCode: '*52', user: u }, 1000), 'paused');
  assert.deepEqual(await store.getAgentPresence(12), { accountId: 'acme', userId: 12, presence: 'paused', since: 1000 });
  assert.equal(await applyFeatureCode(store, { featureCode: '*52', user: u }, 2000), 'available');
  assert.equal(await applyFeatureCode(store, { featureCode: '*51', user: u }, 3000), 'logged-out');
  assert.deepEqual(await store.getAgentPresence(12), { accountId: 'acme', userId: 12, presence: 'logged-out', since: 3000 });
});

test('a hunt leaves out paused and logged-out agents; available: false users stay out; other accounts never count', async (t) => {
  const store = await openStore(t);
  const account = (await store.getAccount('acme'))!;
  const hunt = async () => (await availableUsers({ store }, account, [14, 13, 12, 11, 21])).map((u) => u.id);
  assert.deepEqual(await hunt(), [13, 12, 11], 'in the order given');
  await store.setAgentPresence({ accountId: 'acme', userId: 12, presence: 'paused', since: 1 });
  await store.setAgentPresence({ accountId: 'acme', userId: 13, presence: 'logged-out', since: 2 });
  await store.setAgentPresence({ accountId: 'acme', userId: 14, presence: 'available', since: 3 });
  assert.deepEqual(await hunt(), [11]);
  await store.setAgentPresence({ accountId: 'acme', userId: 13, presence: 'available', since: 4 });
  assert.deepEqual(await hunt(), [13, 11]);
  assert.deepEqual(await availableUsers({ store }, account, []), []);
});

test('a record left from another account is not the user\'s: available', () => {
  const u = { id: 11, accountId: 'acme' };
  assert.equal(presenceOf(u, { accountId: 'beta', userId: 11, presence: 'paused', since: 1 }), 'available');
  assert.equal(presenceOf(u, { accountId: 'acme', userId: 11, presence: 'paused', since: 1 }), 'paused');
  assert.equal(presenceOf(u, undefined), 'available');
});

/** A device's INVITE for a feature code, and what Ringside did with it. */
function fakeInvite(offer = 'v=0\r\nm=audio 4000 RTP/AVP 0\r\n', o: { ack?: boolean } = {}) {
  const did: string[] = [];
  let endSession!: () => void;
  const ended = new Promise<void>((r) => (endSession = r));
  const invite = {
    state: 'pending' as string,
    offer: Buffer.from(offer),
    origin: '192.0.2.10',
    request: { callId: 'c-1' },
    reject(status: number) {
      invite.state = 'rejected';
      did.push(`reject ${status}`);
    },
    refuse(status: number) {
      if (invite.state !== 'pending') return false;
      invite.reject(status);
      return true;
    },
    accept(a: { body: string }) {
      invite.state = 'accepted';
      did.push(`200 ${a.body}`);
      return {
        ended,
        confirmed: Promise.resolve(o.ack ?? true),
        bye: async () => {
          did.push('BYE');
          endSession();
        },
      };
    },
  };
  return { invite: invite as unknown as IncomingInvite, did, hangUp: () => endSession() };
}

/** A media engine that opens (or refuses) endpoints and plays instantly (or never, `hold`). */
function fakeMedia(o: { refuse?: Error; playOutcome?: 'done' | 'error'; hold?: boolean } = {}) {
  const did: string[] = [];
  const media = {
    openEndpoint: async (_leg: string, offer?: string) => {
      if (o.refuse) throw o.refuse;
      did.push(offer ? 'answer' : 'offer');
      return { endpointId: 'ep-1', port: 4000, sdp: 'our-sdp', negotiated: null };
    },
    play: async (_ep: string, items: PlayItem[]) => {
      did.push(`play ${items.map((i) => ('speak' in i ? i.speak : 'prompt' in i ? i.prompt : 'silence')).join('+')}`);
      return { playbackId: 'p', done: o.hold ? new Promise<never>(() => undefined) : Promise.resolve(o.playOutcome ?? 'done') };
    },
    closeEndpoint: async () => void did.push('close'),
  };
  return { media: media as unknown as MediaControl, did };
}

const never = new Promise<void>(() => undefined);

test('a feature-code call: presence stored, answered, the confirmation spoken, BYE, endpoint closed', async (t) => {
  const store = await openStore(t);
  const u = (await store.getUser(11))!;
  const call = fakeInvite();
  const m = fakeMedia();
  await runFeatureCode({ store, media: m.media, logger: silentLogger() }, call.invite, { featureCode: '*51', user: u }, never);
  assert.deepEqual(call.did, ['200 our-sdp', 'BYE']);
  assert.deepEqual(m.did, ['answer', 'play silence+You are logged out.', 'close']);
  assert.equal((await store.getAgentPresence(11))?.presence, 'logged-out');
});

test('no text to speech: a beep instead; no SDP offer: answered and hung up without a confirmation', async (t) => {
  const store = await openStore(t);
  const u = (await store.getUser(11))!;
  const beep = fakeMedia({ playOutcome: 'error' });
  await runFeatureCode({ store, media: beep.media, logger: silentLogger() }, fakeInvite().invite, { featureCode: '*52', user: u }, never);
  assert.deepEqual(beep.did, ['answer', 'play silence+You are paused.', 'play beep', 'close']);
  const late = fakeInvite('');
  const m = fakeMedia();
  await runFeatureCode({ store, media: m.media, logger: silentLogger() }, late.invite, { featureCode: '*50', user: u }, never);
  assert.deepEqual(late.did, ['200 our-sdp', 'BYE']);
  assert.deepEqual(m.did, ['offer', 'close']);
  assert.equal((await store.getAgentPresence(11))?.presence, 'available');
});

test('refused media (488) or a failing store (500): the phone is refused and nothing is set', async (t) => {
  const store = await openStore(t);
  const u = (await store.getUser(11))!;
  const codec = fakeInvite();
  await runFeatureCode({ store, media: fakeMedia({ refuse: new CodecMismatchError(['G722'], ['PCMU']) }).media, logger: silentLogger() }, codec.invite, { featureCode: '*51', user: u }, never);
  assert.deepEqual(codec.did, ['reject 488']);
  const ports = fakeInvite();
  await runFeatureCode({ store, media: fakeMedia({ refuse: new PortsExhaustedError(20000, 20010) }).media, logger: silentLogger() }, ports.invite, { featureCode: '*51', user: u }, never);
  assert.deepEqual(ports.did, ['reject 503']);
  assert.equal(await store.getAgentPresence(11), undefined);
  let asked = 0;
  const broken = {
    getAgentPresence: (id: number) => (asked++, store.getAgentPresence(id)),
    setAgentPresence: async () => Promise.reject(new Error('disk full')),
  } as unknown as typeof store;
  const failed = fakeInvite();
  const m = fakeMedia();
  await runFeatureCode({ store: broken, media: m.media, logger: silentLogger() }, failed.invite, { featureCode: '*51', user: u }, never);
  assert.deepEqual(failed.did, ['reject 500']);
  assert.deepEqual(m.did, ['answer', 'close'], 'the endpoint is given back');
  assert.equal(asked, 1, 'it got as far as the write');
  assert.equal(await store.getAgentPresence(11), undefined);
});

test('the phone hanging up, or Ringside stopping, cuts the confirmation short', async (t) => {
  const store = await openStore(t);
  const u = (await store.getUser(11))!;
  const caller = fakeInvite();
  const m = fakeMedia({ hold: true });
  const run = runFeatureCode({ store, media: m.media, logger: silentLogger() }, caller.invite, { featureCode: '*50', user: u }, never);
  await new Promise((r) => setTimeout(r, 50));
  caller.hangUp();
  await run;
  assert.deepEqual(caller.did, ['200 our-sdp'], 'no BYE after the phone\'s');
  assert.deepEqual(m.did.at(-1), 'close');
  let stop!: () => void;
  const stopping = new Promise<void>((r) => (stop = r));
  const other = fakeInvite();
  const run2 = runFeatureCode({ store, media: fakeMedia({ hold: true }).media, logger: silentLogger() }, other.invite, { featureCode: '*50', user: u }, stopping);
  await new Promise((r) => setTimeout(r, 50));
  stop();
  await run2;
  assert.deepEqual(other.did, ['200 our-sdp', 'BYE']);
});
