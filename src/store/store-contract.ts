/**
 * The Store contract as one test suite, registered once per backend (store-contract.test.ts: SQLite and
 * PostgreSQL): whatever the switch, messaging and the APIs rely on, each implementation must do alike.
 * A factory opens a fresh, empty store; `reopen` closes it and opens the same data again (a restart).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigFile, parseConfig } from '../config/load-config.js';
import type { CallRecord, Campaign, Contact, MessageRecord, SipBindingRecord, Store } from './store.js';
import { ProvisioningWriteError } from './provisioning-writes.js';
import type { CallFlow } from '../config/call-flow/flow-types.js';

export interface StoreUnderTest {
  store: Store;
  /** Closes the store and opens the same data again (a restart); later calls to cleanup close this one. */
  reopen(): Promise<Store>;
  /** Closes the latest store and deletes its data. */
  cleanup(): Promise<void>;
}

export interface StoreFactory {
  name: string;
  /** A reason to skip the whole suite (its backend is not reachable), or false. */
  skip?: string | false;
  open(): Promise<StoreUnderTest>;
}

type Ctx = { after(fn: () => Promise<void> | void): void };

/** Two accounts with flows (the same id in each); acme's line `main` runs `ivr`. */
const IVR = {
  id: 'ivr',
  name: 'Main IVR',
  start: 'menu',
  nodes: {
    menu: { type: 'menu', prompt: { text: 'Press 1 for sales' }, keys: { '1': 'sales' }, timeout: 'bye' },
    sales: { type: 'dial', target: { users: [7] }, noAnswer: 'mailbox' },
    mailbox: { type: 'voicemail', mailboxUser: 7 },
    bye: { type: 'hangup' },
  },
} as const satisfies CallFlow;
const FLOWS_CONFIG = `
accounts:
  - id: acme
    name: Acme
    numbers: [{ number: "+15550100" }]
    users: [{ id: 7, name: Ann, email: ann@acme.test, password: ann-pass, pin: "1234" }]
    lines: [{ id: main, name: Main, number: "+15550100", ring: { strategy: flow, flow: ivr } }]
    flows:
      - ${JSON.stringify(IVR)}
      - { id: night, name: Night, start: bye, nodes: { bye: { type: hangup } } }
  - id: other
    name: Other
    flows: [{ id: ivr, name: Other IVR, start: bye, nodes: { bye: { type: hangup } } }]
`;

const DEMO = 'examples/demo.yaml';
const binding: SipBindingRecord = { userId: '501', aor: 'sip:101@ringside', contact: 'sip:101@192.0.2.10:5062', source: { protocol: 'udp', host: '127.0.0.1', port: 40000 }, expiresAt: 1_900_000_000_000, callId: 'c1', cseq: 1, q: 1 };

export function message(id: string, createdAt: number, over: Partial<MessageRecord> = {}): MessageRecord {
  return { id, accountId: 'demo', direction: 'outgoing', medium: 'sms', from: '+15550100', to: '+15557770001', body: 'hi', components: [], status: 'sent', via: 'api', createdAt, ...over };
}

export function call(id: string, startedAt: number, over: Partial<CallRecord> = {}): CallRecord {
  return {
    id, accountId: 'demo', sessionId: `s-${id}`, direction: 'incoming', sessionKind: 'inbound', from: '+15557770001', to: '+15550100', lineId: 'main', lineNumber: '+15550100',
    userIds: [501], startedAt, answeredAt: startedAt + 1000, endedAt: startedAt + 61_000, duration: 61, billableSeconds: 60, disposition: 'answered', hasVoicemail: false,
    hangupBy: { kind: 'phone', number: '+15557770001' }, cause: 'normal',
    legs: [{ legId: `${id}.1`, role: 'caller', direction: 'in', partyKind: 'phone', number: '+15557770001', createdAt: startedAt }],
    ...over,
  };
}

export function storeContract(factory: StoreFactory): void {
  describe(`Store contract: ${factory.name}`, { skip: factory.skip || false }, () => {
    const open = async (t: Ctx): Promise<StoreUnderTest> => {
      const s = await factory.open();
      t.after(() => s.cleanup());
      return s;
    };

    test('before any load: no provisioning, and the default server section', async (t) => {
      const { store } = await open(t);
      assert.deepEqual(await store.counts(), { accounts: 0, users: 0, numbers: 0, lines: 0, ringGroups: 0, trunks: 0, applications: 0, webhooks: 0, apiCredentials: 0, flows: 0 });
      assert.deepEqual(await store.serverConfig(), { sipRealm: 'ringside', sipDigestAlgorithms: ['MD5'] });
      assert.deepEqual(await store.listAccounts(), []);
    });

    test('provisioning loads and answers the lookups the switch needs', async (t) => {
      const { store } = await open(t);
      const counts = await store.replaceProvisioning(loadConfigFile(DEMO));
      assert.deepEqual(counts, { accounts: 1, users: 3, numbers: 6, lines: 5, ringGroups: 1, trunks: 1, applications: 0, webhooks: 0, apiCredentials: 1, flows: 1 });
      assert.deepEqual(await store.counts(), counts);
      assert.equal((await store.serverConfig()).sipRealm, 'ringside');
      const alice = await store.findUserByEmail('Alice@Demo.test');
      assert.equal(alice?.id, 501);
      assert.equal(alice?.accountId, 'demo');
      assert.equal('password' in alice!, false, 'the plain password is not stored');
      assert.equal(await store.verifyUserPassword(alice!, 'alice-pass'), true);
      assert.equal(await store.verifyUserPassword(alice!, 'wrong'), false);
      assert.equal((await store.findUserBySipUsername('102'))?.name, 'Bob');
      assert.equal(await store.findUserBySipUsername('999'), undefined);
      assert.equal((await store.findUserByExtension('demo', '103'))?.role, 'manager');
      assert.equal(await store.findUserByExtension('other', '103'), undefined, 'extensions are per account');
      assert.equal((await store.findUserByPin('demo', '1101'))?.id, 501);
      assert.equal((await store.getUser(502))?.email, 'bob@demo.test');
      assert.deepEqual((await store.listUsers('demo')).map((u) => u.id), [501, 502, 503]);
      assert.deepEqual(await store.findNumber('+15550101'), { number: '+15550101', name: 'Sales', sms: true, accountId: 'demo', lineId: 'sales' });
      assert.equal(JSON.stringify(await store.findNumber('+15550101')), '{"number":"+15550101","name":"Sales","sms":true,"accountId":"demo","lineId":"sales"}', 'fields in the order written (API bodies are built from records)');
      assert.deepEqual((await store.listNumbers('demo')).map((n) => n.number), ['+15550100', '+15550101', '+15550102', '+15550103', '+15550104', '+15550107']);
      assert.equal((await store.getLine('demo', 'support'))?.agentPinEntry, true);
      assert.deepEqual((await store.listLines('demo')).map((l) => l.id), ['after-hours', 'front-desk', 'main', 'sales', 'support']);
      assert.equal((await store.findRingGroupByNumber('demo', '100'))?.members.length, 3);
      assert.deepEqual((await store.listRingGroups('demo')).map((g) => g.id), ['everyone']);
      assert.equal((await store.getTrunk('carrier'))?.host, '127.0.0.2');
      assert.deepEqual((await store.listTrunks()).map((x) => x.name), ['carrier']);
      assert.equal((await store.getAccount('demo'))?.name, 'Demo Company');
      assert.deepEqual((await store.listAccounts()).map((a) => a.id), ['demo']);
    });

    test('a key no row can have (a NUL, a fuzzer\'s) finds nothing and throws nothing', async (t) => {
      const { store } = await open(t);
      await store.replaceProvisioning(loadConfigFile(DEMO));
      assert.equal(await store.findUserBySipUsername('10\u00001'), undefined);
      assert.equal(await store.findNumber('+1555\u0000'), undefined);
      assert.equal(await store.findUserByEmail('a\u0000@demo.test'), undefined);
      assert.equal(await store.getUser(Number.NaN), undefined);
      assert.deepEqual(await store.loadSipBindings('5\u00001'), []);
    });

    test('reloading replaces provisioning and survives a reopen', async (t) => {
      const s = await open(t);
      await s.store.replaceProvisioning(loadConfigFile(DEMO));
      await s.store.replaceProvisioning(
        parseConfig(`accounts:\n  - id: other\n    name: Other\n    users: [{ id: 9, name: Zed, email: zed@o.test, password: zed-pass, pin: "9999" }]\n`),
      );
      const again = await s.reopen();
      assert.equal(await again.findUserByEmail('alice@demo.test'), undefined);
      assert.equal(await again.findNumber('+15550101'), undefined);
      assert.equal((await again.getUser(9))?.name, 'Zed');
      assert.equal((await again.counts()).accounts, 1);
      assert.equal((await again.counts()).trunks, 0);
    });

    test('a reload keeps the hash of an unchanged password or secret and rehashes a changed one', async (t) => {
      const { store } = await open(t);
      await store.replaceProvisioning(loadConfigFile(DEMO));
      const before = (await store.getUser(501))!.passwordHash;
      const secretBefore = (await store.findApiCredential('t-demo'))!.secretHash;
      const bobBefore = (await store.getUser(502))!.passwordHash;
      const config = loadConfigFile(DEMO);
      config.accounts[0]!.users.find((u) => u.id === 502)!.password = 'bob-new-pass';
      await store.replaceProvisioning(config);
      assert.equal((await store.getUser(501))!.passwordHash, before);
      assert.equal((await store.findApiCredential('t-demo'))!.secretHash, secretBefore);
      const bob = (await store.getUser(502))!;
      assert.notEqual(bob.passwordHash, bobBefore);
      assert.equal(await store.verifyUserPassword(bob, 'bob-new-pass'), true);
      assert.equal(await store.verifyUserPassword(bob, 'bob-pass'), false);
    });

    test('SIP bindings are upserted per contact, counted while unexpired, and survive a reopen', async (t) => {
      const s = await open(t);
      await s.store.saveSipBinding(binding);
      await s.store.saveSipBinding({ ...binding, cseq: 2, expiresAt: 1_900_000_100_000 });
      await s.store.saveSipBinding({ ...binding, contact: 'sip:101@192.0.2.11:5062', source: { protocol: 'ws', host: '127.0.0.1', port: 40001, connectionId: 'ws-7' }, userAgent: 'phone/1' });
      assert.equal(await s.store.countSipBindings(1_800_000_000_000), 2);
      assert.equal(await s.store.countSipBindings(1_900_000_050_000), 1, 'the one expired at that time is not counted');
      const again = await s.reopen();
      const got = await again.loadSipBindings('501');
      assert.equal(got.length, 2);
      assert.deepEqual(got[0], { ...binding, cseq: 2, expiresAt: 1_900_000_100_000 });
      assert.deepEqual(got[1]?.source, { protocol: 'ws', host: '127.0.0.1', port: 40001, connectionId: 'ws-7' });
      await again.removeSipBinding('501', 'sip:101@192.0.2.10:5062');
      await again.removeSipBinding('501', 'sip:nobody@192.0.2.1');
      assert.deepEqual((await again.loadSipBindings('501')).map((x) => x.contact), ['sip:101@192.0.2.11:5062']);
      assert.deepEqual(await again.loadSipBindings('502'), []);
    });

    test('lookups follow every write at once: a reload, a binding saved or removed', async (t) => {
      const { store } = await open(t);
      await store.replaceProvisioning(loadConfigFile(DEMO));
      assert.equal((await store.findUserByEmail('alice@demo.test'))?.name, 'Alice');
      await store.replaceProvisioning(parseConfig(`accounts:\n  - id: demo\n    name: Demo\n    users: [{ id: 501, name: Alicia, email: alice@demo.test, password: alice-pass, pin: "1101" }]\n`));
      assert.equal((await store.findUserByEmail('alice@demo.test'))?.name, 'Alicia', 'a reload is seen at once');
      assert.equal(await store.findNumber('+15550101'), undefined);
      assert.deepEqual(await store.loadSipBindings('501'), []);
      await store.saveSipBinding(binding);
      assert.deepEqual((await store.loadSipBindings('501')).map((x) => x.cseq), [1]);
      await store.saveSipBinding({ ...binding, cseq: 2 });
      assert.deepEqual((await store.loadSipBindings('501')).map((x) => x.cseq), [2]);
      await store.removeSipBinding('501', binding.contact);
      assert.deepEqual(await store.loadSipBindings('501'), []);
    });

    test('voice API: the account is found by its voice user id, and its token and secret authenticate', async (t) => {
      const { store } = await open(t);
      await store.replaceProvisioning(loadConfigFile(DEMO));
      const account = await store.findAccountByVoiceUser('u-demo');
      assert.equal(account?.id, 'demo');
      assert.deepEqual(account?.voiceApi, { userId: 'u-demo' }, 'neither token nor secret is kept on the account');
      assert.equal(await store.findAccountByVoiceUser('u-other'), undefined);
      const credential = await store.findApiCredential('t-demo');
      assert.equal(credential?.accountId, 'demo');
      assert.equal('secret' in credential!, false);
      assert.equal(await store.verifyApiSecret(credential!, 's-demo'), true);
      assert.equal(await store.verifyApiSecret(credential!, 'wrong'), false);
      assert.equal(await store.findApiCredential('t-none'), undefined);
    });

    test('voice API: REST-made applications and number links survive a reload of the file', async (t) => {
      const s = await open(t);
      const store = s.store;
      await store.replaceProvisioning(loadConfigFile(DEMO));
      await store.putApplication({ id: 'a-1', name: 'IVR', accountId: 'demo', source: 'api', incomingCallUrl: 'http://app.test/cb', callbackHttpMethod: 'POST', callbackTimeoutMs: 5000, autoAnswer: false });
      assert.equal((await store.counts()).applications, 1);
      assert.equal(await store.setNumberApplication('demo', '+15550104', 'a-1'), true);
      assert.equal(await store.setNumberApplication('demo', '+19999999999', 'a-1'), false, 'not the account\'s number');
      assert.equal(await store.setNumberApplication('other', '+15550104', 'a-1'), false, 'not that account\'s number');
      assert.equal((await store.findNumber('+15550104'))?.application, 'a-1');
      await store.replaceProvisioning(loadConfigFile(DEMO));
      const again = await s.reopen();
      assert.equal((await again.getApplication('demo', 'a-1'))?.name, 'IVR');
      assert.equal((await again.getApplication('demo', 'a-1'))?.source, 'api');
      assert.equal((await again.findNumber('+15550104'))?.application, 'a-1', 'the link outlives the reload');
      assert.equal(await again.deleteApplication('demo', 'a-1'), true);
      assert.equal(await again.deleteApplication('demo', 'a-1'), false);
      assert.equal((await again.findNumber('+15550104'))?.application, undefined, 'deleting the application unlinks its numbers');
      assert.equal((await again.listApplications('demo')).length, 0);
      await again.replaceProvisioning(loadConfigFile(DEMO));
      assert.equal((await again.findNumber('+15550104'))?.application, undefined, 'the unlink outlives a reload too');
    });

    test('applications from the file are replaced at each load, REST-made ones are kept', async (t) => {
      const { store } = await open(t);
      const withApp = (name: string) =>
        parseConfig(`accounts:\n  - id: demo\n    name: Demo\n    applications: [{ id: a-file, name: ${name}, incomingCallUrl: "http://app.test/in" }]\n    numbers: [{ number: "+15550104", name: App, application: a-file }]\n`);
      await store.replaceProvisioning(withApp('First'));
      await store.putApplication({ id: 'a-rest', name: 'REST', accountId: 'demo', source: 'api', incomingCallUrl: 'http://app.test/cb', callbackHttpMethod: 'POST', callbackTimeoutMs: 5000, autoAnswer: false });
      assert.equal((await store.findNumber('+15550104'))?.application, 'a-file');
      await store.replaceProvisioning(withApp('Second'));
      assert.deepEqual((await store.listApplications('demo')).map((a) => [a.id, a.name, a.source]), [['a-file', 'Second', 'config'], ['a-rest', 'REST', 'api']]);
      await store.replaceProvisioning(parseConfig(`accounts:\n  - id: demo\n    name: Demo\n`));
      assert.deepEqual((await store.listApplications('demo')).map((a) => a.id), ['a-rest']);
    });

    test('voice API resources: upsert, get by account, list with filters, paging and order', async (t) => {
      const { store } = await open(t);
      const vcall = (id: string, startTime: number, from = '+15550104') =>
        ({ kind: 'call', id, accountId: 'demo', userId: 'u-demo', sessionId: 's', direction: 'out', from, to: '+15557770001', state: 'started', recordingEnabled: false, startTime }) as const;
      for (let i = 0; i < 5; i++) await store.putVoiceResource(vcall(`c-${i}`, 1000 + i, i % 2 ? '+15550104' : '+15550100'));
      await store.putVoiceResource({ ...vcall('c-0', 1000, '+15550100'), state: 'completed', endTime: 2000 });
      assert.equal((await store.getVoiceResource('demo', 'call', 'c-0'))?.state, 'completed');
      assert.equal(await store.getVoiceResource('other', 'call', 'c-0'), undefined, 'another account sees nothing');
      assert.equal(await store.getVoiceResource('demo', 'gather', 'c-0'), undefined);
      const ids = (rs: { id: string }[]) => rs.map((r) => r.id);
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { page: 0, size: 2 })), ['c-4', 'c-3']);
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { page: 2, size: 2 })), ['c-0']);
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { page: 0, size: 10, order: 'asc', from: '+15550104' })), ['c-1', 'c-3']);
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { page: 0, size: 10, to: '+15557770002' })), []);
      await store.putVoiceResource({ ...vcall('c-2', 1002, '+15550100'), bridgeId: 'brg-1' });
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'call', { bridgeId: 'brg-1', page: 0, size: 10 })), ['c-2']);
      await store.putVoiceResource({ kind: 'gather', id: 'g-1', accountId: 'demo', callId: 'c-1', state: 'started', createdTime: 5 });
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'gather', { callId: 'c-1', page: 0, size: 10 })), ['g-1']);
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'gather', { callId: 'c-2', page: 0, size: 10 })), []);
      const member = (id: string, conferenceId: string, addedTime: number) =>
        ({ kind: 'member', id, accountId: 'demo', conferenceId, callId: 'c-1', state: 'active', mute: false, hold: false, joinTone: false, leavingTone: false, addedTime }) as const;
      await store.putVoiceResource(member('member-1', 'conf-1', 10));
      await store.putVoiceResource(member('member-2', 'conf-2', 11));
      assert.deepEqual(ids(await store.listVoiceResources('demo', 'member', { conferenceId: 'conf-2', page: 0, size: 10 })), ['member-2']);
    });

    test('voice API resources not in a final state are what a restart finds cut', async (t) => {
      const s = await open(t);
      const base = { accountId: 'demo', userId: 'u-demo', sessionId: 's', direction: 'out', from: '+15550104', to: '+15557770001', recordingEnabled: false } as const;
      await s.store.putVoiceResource({ ...base, kind: 'call', id: 'c-live', state: 'active', startTime: 3 });
      await s.store.putVoiceResource({ ...base, kind: 'call', id: 'c-done', state: 'completed', startTime: 1 });
      await s.store.putVoiceResource({ kind: 'gather', id: 'g-1', accountId: 'demo', callId: 'c-live', state: 'started', createdTime: 2 });
      await s.store.putVoiceResource({ kind: 'recording', id: 'rec-1', accountId: 'demo', callId: 'c-done', state: 'complete', startTime: 1 });
      await s.store.putVoiceResource({ kind: 'bridge', id: 'brg-1', accountId: 'other', state: 'hold', callIds: [], bridgeAudio: false, createdTime: 4 });
      const again = await s.reopen();
      assert.deepEqual((await again.listUnfinishedVoiceResources()).map((r) => r.id), ['g-1', 'c-live', 'brg-1']);
    });

    test('webhooks: REST-made ones outlive a reload, the file\'s are replaced; delete says whether there was one', async (t) => {
      const s = await open(t);
      const file = (url: string) => parseConfig(`accounts:\n  - id: demo\n    name: Demo\n    webhooks:\n      - { id: crm, url: "${url}", dialect: teltel }\n`);
      await s.store.replaceProvisioning(file('http://crm.test/a'));
      await s.store.putWebhook({ id: 'w-api', accountId: 'demo', source: 'api', url: 'http://api.test/hook', dialect: 'realtime', method: 'POST', events: ['voice.incoming.start'] });
      assert.equal((await s.store.counts()).webhooks, 2);
      await s.store.replaceProvisioning(file('http://crm.test/b'));
      const again = await s.reopen();
      const hooks = await again.listWebhooks('demo');
      assert.deepEqual(hooks.map((w) => [w.id, w.source, w.url]), [['crm', 'config', 'http://crm.test/b'], ['w-api', 'api', 'http://api.test/hook']]);
      assert.deepEqual(hooks[1]?.events, ['voice.incoming.start']);
      assert.deepEqual(await again.listWebhooks('other'), []);
      assert.equal(await again.deleteWebhook('demo', 'w-api'), true);
      assert.equal(await again.deleteWebhook('demo', 'w-api'), false);
      await again.replaceProvisioning(parseConfig(`accounts:\n  - id: demo\n    name: Demo\n`));
      assert.deepEqual(await again.listWebhooks('demo'), []);
    });

    test('auth sessions: tokens are found until they expire, and refresh replaces both (spec realtime §5.2)', async (t) => {
      const s = await open(t);
      const issued = await s.store.createAuthSession(501, 'demo', 3600, 86400);
      assert.notEqual(issued.token, issued.refreshToken);
      assert.deepEqual(await s.store.findAuthSession(issued.token), issued.session);
      assert.equal(await s.store.findAuthSession(issued.refreshToken), undefined, 'the refresh token is not a bearer token');
      assert.equal(await s.store.findAuthSession('nonsense'), undefined);
      const again = await s.reopen();
      assert.deepEqual(await again.findAuthSession(issued.token), issued.session, 'a session outlives a restart');
      const refreshed = await again.refreshAuthSession(issued.refreshToken, 3600, 86400);
      assert.equal(refreshed?.session.guid, issued.session.guid);
      assert.equal(refreshed?.session.userId, 501);
      assert.equal(await again.findAuthSession(issued.token), undefined, 'the old token stops working');
      assert.equal((await again.findAuthSession(refreshed!.token))?.accountId, 'demo');
      assert.equal(await again.refreshAuthSession(issued.refreshToken, 3600, 86400), undefined, 'the old refresh token stops working');
      const twice = await Promise.all([again.refreshAuthSession(refreshed!.refreshToken, 3600, 86400), again.refreshAuthSession(refreshed!.refreshToken, 3600, 86400)]);
      assert.equal(twice.filter(Boolean).length, 1, 'two refreshes racing with one token: one wins');
      const short = await again.createAuthSession(502, 'demo', -1, -1);
      assert.equal(await again.findAuthSession(short.token), undefined, 'an expired token is not found');
      assert.equal(await again.refreshAuthSession(short.refreshToken, 3600, 86400), undefined, 'an expired refresh token refreshes nothing');
    });

    test('reports: calls and texts by id, by time window oldest first, per account; an id is replaced', async (t) => {
      const s = await open(t);
      await s.store.putCall(call('1.1', 2000));
      await s.store.putMessage(message('m-1', 1000));
      await s.store.putMessage(message('m-2', 3000, { accountId: 'other' }));
      await s.store.putCall(call('1.2', 2000));
      await s.store.putCall({ ...call('1.1', 2000), disposition: 'missed', billableSeconds: 0 });
      const again = await s.reopen();
      assert.deepEqual(await again.getReportEntry('demo', '1.1'), { kind: 'call', call: { ...call('1.1', 2000), disposition: 'missed', billableSeconds: 0 } });
      assert.deepEqual(await again.getReportEntry('demo', 'm-1'), { kind: 'message', message: message('m-1', 1000) });
      assert.equal(await again.getReportEntry('demo', 'm-2'), undefined, 'another account\'s entry');
      const ids = (es: { kind: string; call?: { id: string }; message?: { id: string } }[]) => es.map((e) => e.call?.id ?? e.message?.id);
      assert.deepEqual(ids(await again.listReportEntries('demo', 0, 10_000, 100)), ['m-1', '1.1', '1.2']);
      assert.deepEqual(ids(await again.listReportEntries('demo', 1000, 2000, 100)), ['m-1'], 'the window is [from, to)');
      assert.deepEqual(ids(await again.listReportEntries('demo', 0, 10_000, 2)), ['m-1', '1.1']);
      assert.deepEqual(ids(await again.listReportEntries('other', 0, 10_000, 100)), ['m-2']);
    });

    test('reports: many calls written at once (as calls end together) are all kept, the last write of an id winning', async (t) => {
      const s = await open(t);
      const ids = Array.from({ length: 60 }, (_, i) => `9.${i}`);
      await Promise.all([...ids.map((id, i) => s.store.putCall(call(id, 5000 + i))), s.store.putCall({ ...call('9.0', 5000), disposition: 'missed', billableSeconds: 0 })]);
      const again = await s.reopen();
      const listed = await again.listReportEntries('demo', 5000, 6000, 100);
      const calls = listed.map((e) => (e.kind === 'call' ? e.call : undefined));
      assert.deepEqual(calls.map((c) => c?.id), ids, 'on disk after a reopen, in time order');
      assert.equal(calls[0]?.disposition, 'missed');
    });

    test('reports: the user of the latest outgoing text of a conversation', async (t) => {
      const { store } = await open(t);
      assert.equal(await store.lastTextUser('demo', '+15550100', '+15557770001'), undefined);
      await store.putMessage(message('m-1', 1000, { userId: 501 }));
      await store.putMessage(message('m-2', 2000, { userId: 502 }));
      await store.putMessage(message('m-3', 3000));
      await store.putMessage(message('m-4', 4000, { direction: 'incoming', from: '+15557770001', to: '+15550100', userId: 503, status: 'received' }));
      await store.putMessage(message('m-5', 5000, { to: '+15557770002', userId: 503 }));
      await store.putCall(call('1.1', 6000, { direction: 'outgoing', from: '+15550100', to: '+15557770001', userId: 503 }));
      assert.equal(await store.lastTextUser('demo', '+15550100', '+15557770001'), 502);
      assert.equal(await store.lastTextUser('other', '+15550100', '+15557770001'), undefined);
      await store.putMessage(message('m-1', 7000, { userId: 501 }));
      assert.equal(await store.lastTextUser('demo', '+15550100', '+15557770001'), 502, 'a replaced entry keeps its time');
    });

    test('opt-outs: add once, list by number, remove once', async (t) => {
      const s = await open(t);
      const r = { accountId: 'demo', number: '+15557770002', keyword: 'STOP', source: 'm-1', createdAt: 1000 };
      assert.equal(await s.store.addOptOut(r), true);
      assert.equal(await s.store.addOptOut({ ...r, keyword: 'QUIT' }), false, 'already on the list');
      await s.store.addOptOut({ ...r, number: '+15557770001', source: 'api' });
      const again = await s.reopen();
      assert.deepEqual(await again.getOptOut('demo', '+15557770002'), r);
      assert.equal(await again.getOptOut('other', '+15557770002'), undefined);
      assert.deepEqual((await again.listOptOuts('demo')).map((o) => o.number), ['+15557770001', '+15557770002']);
      assert.equal(await again.removeOptOut('demo', '+15557770002'), true);
      assert.equal(await again.removeOptOut('demo', '+15557770002'), false);
      assert.equal(await again.getOptOut('demo', '+15557770002'), undefined);
    });

    test('agent presence: upsert by user, per account, kept across a restart and a reload of the file', async (t) => {
      const s = await open(t);
      await s.store.replaceProvisioning(loadConfigFile(DEMO), 'seed-1');
      assert.equal(await s.store.getAgentPresence(501), undefined, 'never set');
      assert.deepEqual(await s.store.listAgentPresence('demo'), []);
      await s.store.setAgentPresence({ accountId: 'demo', userId: 502, presence: 'paused', since: 1000 });
      await s.store.setAgentPresence({ accountId: 'demo', userId: 501, presence: 'logged-out', since: 2000 });
      await s.store.setAgentPresence({ accountId: 'demo', userId: 502, presence: 'available', since: 3000 });
      await s.store.setAgentPresence({ accountId: 'other', userId: 900, presence: 'paused', since: 4000 });
      const again = await s.reopen();
      await again.replaceProvisioning(loadConfigFile(DEMO), 'seed-2');
      assert.deepEqual(await again.getAgentPresence(501), { accountId: 'demo', userId: 501, presence: 'logged-out', since: 2000 });
      assert.deepEqual(await again.listAgentPresence('demo'), [
        { accountId: 'demo', userId: 501, presence: 'logged-out', since: 2000 },
        { accountId: 'demo', userId: 502, presence: 'available', since: 3000 },
      ]);
      assert.deepEqual((await again.listAgentPresence('other')).map((r) => r.userId), [900]);
      assert.equal(await again.getAgentPresence(Number.NaN), undefined, 'a key no row can have finds nothing');
      assert.equal(await again.getAgentPresence(2 ** 63), undefined);
      assert.deepEqual(await again.listAgentPresence('no\u0000such'), []);
    });

    test('records come back as they were written: field order and odd characters included', async (t) => {
      const { store } = await open(t);
      const odd = message('m-odd', 1000, { body: 'nul \u0000 emoji \u{1F600} quote " backslash \\ line\nbreak' });
      await store.putMessage(odd);
      const got = await store.getReportEntry('demo', 'm-odd');
      assert.deepEqual(got, { kind: 'message', message: odd });
      assert.equal(JSON.stringify(got), JSON.stringify({ kind: 'message', message: odd }), 'same keys in the same order');
    });

    test('provisioning writes: create, replace, delete a user, seen by lookups and after a restart', async (t) => {
      const s = await open(t);
      await s.store.replaceProvisioning(loadConfigFile(DEMO));
      const made = await s.store.changeProvisioning({ resource: 'users', op: 'create', accountId: 'demo', value: { name: 'Dan', email: 'Dan@Demo.test', password: 'dan-pass', role: 'user', extension: '104', pin: '1104', sip: { username: '104', password: 'dan-sip-104' }, available: true, ownRecordsOnly: false } });
      assert.equal(made.id, 504, 'the next free id');
      assert.equal('password' in made, false);
      assert.equal((await s.store.findUserBySipUsername('104'))?.sip?.password, 'dan-sip-104', 'the SIP password is kept for digest');
      assert.equal((await s.store.findUserByEmail('dan@demo.test'))?.id, 504);
      assert.equal(await s.store.verifyUserPassword((await s.store.getUser(504))!, 'dan-pass'), true);
      const replaced = await s.store.changeProvisioning({ resource: 'users', op: 'replace', accountId: 'demo', key: 504, value: { name: 'Daniel', email: 'dan@demo.test', role: 'user', extension: '105', pin: '1104', sip: { username: '104' }, available: true, ownRecordsOnly: false } });
      assert.equal(replaced.name, 'Daniel');
      assert.equal(replaced.passwordHash, made.passwordHash, 'omitted password: kept');
      assert.equal(replaced.sip?.password, 'dan-sip-104', 'omitted SIP password: kept');
      assert.equal(await s.store.findUserByExtension('demo', '104'), undefined, 'the old extension is gone');
      const again = await s.reopen();
      assert.equal((await again.findUserByExtension('demo', '105'))?.name, 'Daniel');
      const gone = await again.changeProvisioning({ resource: 'users', op: 'delete', accountId: 'demo', key: 504 });
      assert.equal(gone.id, 504);
      assert.equal(await again.getUser(504), undefined);
      assert.equal(await again.findUserBySipUsername('104'), undefined);
      assert.equal((await again.counts()).users, 3);
    });

    test('provisioning writes: numbers, lines, ring groups, trunks, API credentials', async (t) => {
      const { store } = await open(t);
      await store.replaceProvisioning(loadConfigFile(DEMO));
      await store.changeProvisioning({ resource: 'numbers', op: 'create', accountId: 'demo', value: { number: '+15550105', sms: true } });
      const line = { id: 'new', name: 'New', type: 'general' as const, number: '+15550105', ring: { strategy: 'ring-group' as const, users: [], forwardTo: [], ringGroup: 'everyone', timeoutSeconds: 30, fallback: 'voicemail' as const }, confirmCalls: false, agentPinEntry: false, record: false, voicemail: { enabled: true, maxSeconds: 120 } };
      await store.changeProvisioning({ resource: 'lines', op: 'create', accountId: 'demo', value: line });
      assert.equal((await store.findNumber('+15550105'))?.lineId, 'new', 'the number knows its line');
      assert.equal((await store.getLine('demo', 'new'))?.ring.ringGroup, 'everyone');
      await store.changeProvisioning({ resource: 'ringGroups', op: 'replace', accountId: 'demo', key: 'everyone', value: { id: 'everyone', name: 'All', number: '110', strategy: 'round-robin', members: [501], timeoutSeconds: 20 } });
      assert.equal((await store.findRingGroupByNumber('demo', '110'))?.name, 'All');
      assert.equal(await store.findRingGroupByNumber('demo', '100'), undefined);
      await store.changeProvisioning({ resource: 'lines', op: 'delete', accountId: 'demo', key: 'new' });
      assert.equal((await store.findNumber('+15550105'))?.lineId, undefined);
      await store.changeProvisioning({ resource: 'trunks', op: 'create', accountId: 'demo', value: { name: 'spare', host: 'spare.test', port: 5060, transport: 'udp', inboundAddresses: [], register: false, registerExpiresSeconds: 600 } });
      assert.equal((await store.getTrunk('spare'))?.host, 'spare.test');
      const cred = await store.changeProvisioning({ resource: 'apiCredentials', op: 'create', accountId: 'demo', value: { token: 'crm-token-1', secret: 'crm-secret-1', name: 'crm' } });
      assert.equal('secret' in cred, false);
      assert.equal(await store.verifyApiSecret((await store.findApiCredential('crm-token-1'))!, 'crm-secret-1'), true);
      assert.deepEqual((await store.listApiCredentials('demo')).map((c) => c.token), ['crm-token-1', 't-demo']);
      assert.deepEqual(await store.counts(), { accounts: 1, users: 3, numbers: 7, lines: 5, ringGroups: 1, trunks: 2, applications: 0, webhooks: 0, apiCredentials: 2, flows: 1 });
    });

    test('provisioning writes: a conflict or dangling reference is refused whole, naming the field', async (t) => {
      const { store } = await open(t);
      await store.replaceProvisioning(loadConfigFile(DEMO));
      const before = JSON.stringify([await store.counts(), await store.listUsers('demo'), await store.listLines('demo'), await store.listNumbers('demo')]);
      const user = { name: 'Eve', email: 'eve@demo.test', password: 'eve-pass', role: 'user' as const, pin: '1109', available: true, ownRecordsOnly: false };
      const refused = async (change: Parameters<Store['changeProvisioning']>[0], code: string, field: RegExp) => {
        const err = await store.changeProvisioning(change).then(() => undefined, (e: unknown) => e as ProvisioningWriteError);
        assert.ok(err instanceof ProvisioningWriteError, `refused: ${JSON.stringify(change)}`);
        assert.equal(err.code, code, err.message);
        assert.match(err.field, field, err.message);
      };
      await refused({ resource: 'users', op: 'create', accountId: 'demo', value: { ...user, extension: '101' } }, 'conflict', /extension/);
      await refused({ resource: 'users', op: 'create', accountId: 'demo', value: { ...user, email: 'ALICE@demo.test' } }, 'conflict', /email/);
      await refused({ resource: 'users', op: 'create', accountId: 'demo', value: { ...user, id: 502 } }, 'conflict', /id/);
      await refused({ resource: 'users', op: 'create', accountId: 'demo', value: { ...user, sip: { username: '102', password: 'xxxx' } } }, 'conflict', /sip\/username/);
      await refused({ resource: 'numbers', op: 'create', accountId: 'demo', value: { number: '+15550100', sms: true } }, 'conflict', /number/);
      await refused({ resource: 'users', op: 'delete', accountId: 'demo', key: 502 }, 'invalid_reference', /ring\/users|members/);
      await refused({ resource: 'numbers', op: 'delete', accountId: 'demo', key: '+15550101' }, 'invalid_reference', /number/);
      await refused({ resource: 'trunks', op: 'delete', accountId: 'demo', key: 'carrier' }, 'invalid_reference', /trunk/);
      await refused({ resource: 'ringGroups', op: 'create', accountId: 'demo', value: { id: 'g', name: 'G', number: '120', strategy: 'ring-all', members: [999], timeoutSeconds: 30 } }, 'invalid_reference', /members\/0/);
      await refused({ resource: 'users', op: 'replace', accountId: 'other', key: 501, value: user }, 'not_found', /accountId|id/);
      await refused({ resource: 'users', op: 'replace', accountId: 'demo', key: 501, value: { ...user, email: 'alice@demo.test' }, precondition: () => false }, 'precondition_failed', /If-Match/);
      assert.equal(JSON.stringify([await store.counts(), await store.listUsers('demo'), await store.listLines('demo'), await store.listNumbers('demo')]), before, 'nothing half-applied');
    });

    test('call flows: seeded per account, looked up by id, written through the cross-checks, kept across a restart', async (t) => {
      const s = await open(t);
      const counts = await s.store.replaceProvisioning(parseConfig(FLOWS_CONFIG));
      assert.equal(counts.flows, 3);
      assert.deepEqual((await s.store.listFlows('acme')).map((f) => f.id), ['ivr', 'night']);
      assert.deepEqual((await s.store.listFlows('other')).map((f) => f.id), ['ivr'], 'flow ids are per account');
      const ivr = await s.store.getFlow('acme', 'ivr');
      assert.deepEqual(ivr, { ...IVR, accountId: 'acme' });
      assert.equal(JSON.stringify(ivr), JSON.stringify({ ...IVR, accountId: 'acme' }), 'as written: key order and no defaults added');
      assert.equal((await s.store.getFlow('other', 'ivr'))?.name, 'Other IVR');
      assert.equal(await s.store.getFlow('acme', 'nope'), undefined);
      assert.equal(await s.store.getFlow('acme', 'iv\u0000r'), undefined, 'a key no row can have finds nothing');
      assert.equal((await s.store.getLine('acme', 'main'))?.ring.flow, 'ivr');

      const refused = async (change: Parameters<Store['changeProvisioning']>[0], code: string, message: RegExp) => {
        const err = await s.store.changeProvisioning(change).then(() => undefined, (e: unknown) => e as ProvisioningWriteError);
        assert.ok(err instanceof ProvisioningWriteError, `refused: ${JSON.stringify(change)}`);
        assert.equal(err.code, code, err.message);
        assert.match(err.message, message);
      };
      const before = JSON.stringify([await s.store.counts(), await s.store.listFlows('acme'), await s.store.listLines('acme')]);
      await refused({ resource: 'flows', op: 'delete', accountId: 'acme', key: 'ivr' }, 'invalid_reference', /line 'main' ring\/flow: no flow 'ivr'/);
      await refused({ resource: 'flows', op: 'create', accountId: 'acme', value: { ...IVR, name: 'Again' } }, 'conflict', /flow id 'ivr'/);
      const dangling = { ...IVR, id: 'bad', nodes: { ...IVR.nodes, menu: { ...IVR.nodes.menu, keys: { '1': 'sales', '3': 'nowhere' } } } } as CallFlow;
      await refused({ resource: 'flows', op: 'create', accountId: 'acme', value: dangling }, 'invalid', /node 'menu' output 'keys\/3': no node 'nowhere'/);
      const ghost = { ...IVR, id: 'ghost', nodes: { ...IVR.nodes, sales: { type: 'dial', target: { users: [99] } } } } as CallFlow;
      await refused({ resource: 'flows', op: 'create', accountId: 'acme', value: ghost }, 'invalid_reference', /node 'sales' field 'target': no user 99/);
      await refused({ resource: 'users', op: 'delete', accountId: 'acme', key: 7 }, 'invalid_reference', /flow 'ivr'|line 'main'/);
      const line = (await s.store.getLine('acme', 'main'))!;
      const { accountId: _a, ...lineInput } = line;
      await refused({ resource: 'lines', op: 'replace', accountId: 'acme', key: 'main', value: { ...lineInput, ring: { ...lineInput.ring, flow: 'missing' } } }, 'invalid_reference', /ring\/flow: no flow 'missing'/);
      assert.equal(JSON.stringify([await s.store.counts(), await s.store.listFlows('acme'), await s.store.listLines('acme')]), before, 'nothing half-applied');

      const made = await s.store.changeProvisioning({ resource: 'flows', op: 'create', accountId: 'acme', value: { id: 'play', name: 'Play', start: 'hello', nodes: { hello: { type: 'playaudio', prompt: { text: 'Hello' } } } } });
      assert.equal(made.accountId, 'acme');
      assert.equal((await s.store.getFlow('acme', 'play'))?.name, 'Play', 'a write is seen at once');
      await s.store.changeProvisioning({ resource: 'lines', op: 'replace', accountId: 'acme', key: 'main', value: { ...lineInput, ring: { ...lineInput.ring, flow: 'play' } } });
      await s.store.changeProvisioning({ resource: 'flows', op: 'delete', accountId: 'acme', key: 'ivr' });
      await s.store.changeProvisioning({ resource: 'flows', op: 'replace', accountId: 'acme', key: 'play', value: { id: 'play', name: 'Play twice', start: 'hello', nodes: { hello: { type: 'playaudio', prompt: { text: 'Hello' }, next: 'bye' }, bye: { type: 'hangup' } } } });
      const again = await s.reopen();
      assert.deepEqual((await again.listFlows('acme')).map((f) => [f.id, f.name]), [['night', 'Night'], ['play', 'Play twice']]);
      assert.equal((await again.counts()).flows, 3);
      await again.replaceProvisioning(parseConfig(`accounts:\n  - id: acme\n    name: Acme\n`));
      assert.deepEqual(await again.listFlows('acme'), [], 'a reload replaces the flows');
      assert.equal(await again.getFlow('acme', 'play'), undefined);
    });

    test('campaigns and contacts: account-scoped CRUD, pages in the order added, all-or-none adds, kept across a restart and a re-seed', async (t) => {
      const s = await open(t);
      await s.store.replaceProvisioning(loadConfigFile(DEMO), 'seed-1');
      const campaign = (id: string, accountId = 'demo', over: Partial<Campaign> = {}): Campaign => ({
        id, accountId, name: `C ${id}`, mode: 'operator-contact', state: 'draft', callerId: '+15550100', agents: [501],
        window: { days: ['mon'], from: '09:00', to: '17:00' }, retry: { busy: { afterMinutes: 5 }, noAnswer: { afterMinutes: 30 }, failed: { afterMinutes: 60 }, maxAttempts: 3 },
        createdAt: 1000, updatedAt: 1000, ...over,
      });
      const contact = (id: string, phoneNumber: string, over: Partial<Contact> = {}): Contact => ({ id, campaignId: 'c1', accountId: 'demo', phoneNumber, state: 'pending', attempts: [], createdAt: 2000, ...over });
      await s.store.putCampaign(campaign('c2'));
      await s.store.putCampaign(campaign('c1'));
      await s.store.putCampaign(campaign('c1', 'other'));
      await s.store.putCampaign(campaign('c1', 'demo', { state: 'running', updatedAt: 1500 }));
      assert.deepEqual((await s.store.listCampaigns('demo')).map((c) => [c.id, c.state]), [['c1', 'running'], ['c2', 'draft']]);
      assert.equal(await s.store.getCampaign('demo', 'nope'), undefined);

      // Numbers chosen so the order added is not the order of ids or numbers.
      await s.store.addContacts([contact('k3', '+15551230003', { name: 'Ann', fields: Object.fromEntries([['plan', 'gold'], ['__proto__', 'x']]) }), contact('k1', '+15551230009'), contact('k2', '+15551230001')]);
      await s.store.addContacts([contact('k1', '+15551230001', { accountId: 'other' })]);
      await assert.rejects(s.store.addContacts([contact('k4', '+15551230004'), contact('k5', '+15551230009')]), 'a number the campaign has');
      await assert.rejects(s.store.addContacts([contact('k6', '+15551230006'), contact('k7', '+15551230006')]), 'a number twice');
      assert.deepEqual(await s.store.listContactNumbers('demo', 'c1'), ['+15551230003', '+15551230009', '+15551230001'], 'nothing of a refused add');
      const page = await s.store.listContacts('demo', 'c1', { offset: 1, limit: 1 });
      assert.deepEqual(page, { contacts: [contact('k1', '+15551230009')], total: 3 });

      const tried = contact('k2', '+15551230001', { state: 'pending', attempts: [{ at: 3000, result: 'busy' }], nextAttemptAt: 3300 });
      assert.equal(await s.store.updateContact(tried), true);
      assert.equal(await s.store.updateContact(contact('nope', '+15551230008')), false);
      await s.store.updateContact(contact('k3', '+15551230003', { name: 'Ann', fields: Object.fromEntries([['plan', 'gold'], ['__proto__', 'x']]), state: 'done', attempts: [{ at: 3100, result: 'answered' }] }));

      const again = await s.reopen();
      await again.replaceProvisioning(loadConfigFile(DEMO), 'seed-2');
      assert.equal((await again.getCampaign('demo', 'c1'))?.state, 'running', 'a re-seed keeps campaigns');
      assert.deepEqual(await again.getContact('demo', 'c1', 'k2'), tried);
      const done = await again.getContact('demo', 'c1', 'k3');
      assert.equal(JSON.stringify(done?.fields), '{"plan":"gold","__proto__":"x"}');
      assert.deepEqual(await again.listContacts('demo', 'c1', { state: 'done', offset: 0, limit: 10 }), { contacts: [done], total: 1 });
      assert.deepEqual((await again.listContacts('demo', 'c1', { state: 'pending', offset: 0, limit: 10 })).contacts.map((c) => c.id), ['k1', 'k2']);
      assert.deepEqual(await again.listContacts('other', 'c2', { offset: 0, limit: 10 }), { contacts: [], total: 0 });
      assert.equal(await again.getContact('other', 'c1', 'k2'), undefined, 'another account');

      assert.equal(await again.deleteContact('demo', 'c1', 'k1'), true);
      assert.equal(await again.deleteContact('demo', 'c1', 'k1'), false);
      assert.equal(await again.deleteCampaign('demo', 'c1'), true);
      assert.equal(await again.deleteCampaign('demo', 'c1'), false);
      assert.deepEqual(await again.listContactNumbers('demo', 'c1'), [], "a deleted campaign's contacts go with it");
      assert.deepEqual(await again.listContactNumbers('other', 'c1'), ['+15551230001'], "another account's campaign of the same id stays");
      assert.deepEqual((await again.listCampaigns('demo')).map((c) => c.id), ['c2']);
      await again.addContacts([]);
      assert.equal(await again.getCampaign('no\u0000such', 'c1'), undefined, 'a key no row can have finds nothing');
      assert.deepEqual(await again.listContacts('demo', 'no\u0000such', { offset: 0, limit: 5 }), { contacts: [], total: 0 });
      assert.equal(await again.deleteContact('demo', 'c2', 'no\u0000such'), false);
    });

    test('dialer ids: consecutive integers per kind, never handed out twice, across a restart', async (t) => {
      const s = await open(t);
      const a = await s.store.allocateDialerIds('contact', 3);
      const b = await s.store.allocateDialerIds('contact', 1);
      const c = await s.store.allocateDialerIds('campaign', 1);
      assert.equal(b, a + 3, 'the next block starts after the last');
      assert.ok(Number.isSafeInteger(a) && a >= 1 && Number.isSafeInteger(c) && c >= 1);
      const together = await Promise.all([1, 2, 3, 4].map(() => s.store.allocateDialerIds('campaign', 2)));
      assert.equal(new Set(together).size, 4, 'concurrent blocks do not overlap');
      const again = await s.reopen();
      assert.ok((await again.allocateDialerIds('contact', 1)) > b, 'a restart does not reuse ids');
      const campaign = (id: string): Campaign => ({ id, accountId: 'x', name: id, mode: 'predictive', state: 'draft', callerId: '+15550100', agents: [1], window: { days: ['mon'], from: '09:00', to: '17:00' }, retry: { busy: { afterMinutes: 1 }, noAnswer: { afterMinutes: 1 }, failed: { afterMinutes: 1 }, maxAttempts: 1 }, createdAt: 1, updatedAt: 1 });
      for (const id of ['10', '9', '100']) await again.putCampaign(campaign(id));
      assert.deepEqual((await again.listCampaigns('x')).map((c) => c.id), ['9', '10', '100'], 'listed in id order as numbers');
    });

    test('the seed hash is kept with the provisioning it seeded', async (t) => {
      const s = await open(t);
      assert.equal(await s.store.provisioningSeed(), undefined);
      await s.store.replaceProvisioning(loadConfigFile(DEMO), 'hash-1');
      const again = await s.reopen();
      assert.equal(await again.provisioningSeed(), 'hash-1');
      await again.replaceProvisioning(loadConfigFile(DEMO));
      assert.equal(await again.provisioningSeed(), undefined, 'a replace without a seed forgets it');
    });

    test('close is safe to call twice', async (t) => {
      const s = await open(t);
      await s.store.close();
      await s.store.close();
    });
  });
}
