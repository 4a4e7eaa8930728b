/**
 * The dialer family (docs/call-centre.md, "Autodialer: campaigns and contacts") over fastify inject with a
 * real SqliteStore: campaign CRUD, references checked against the account, roles and account scoping,
 * strict validation, contacts JSON and CSV (bad rows reported, good ones imported), paging, and bad input
 * changing nothing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { familyTestApp } from '../shared/family-test-app.js';
import { dialerApi } from './dialer-api.js';

const user = (id: number, name: string, role: string, own = false) =>
  `      - { id: ${id}, name: ${name}, email: ${name.toLowerCase()}@x.test, password: pw-${id}, role: ${role}, extension: "${100 + id}", pin: "900${id}", ownRecordsOnly: ${own}, sip: { username: "u${id}", password: sip-${id} } }\n`;
const CONFIG =
  'accounts:\n' +
  '  - id: acme\n    name: Acme\n    voiceApi: { userId: u-acme, apiToken: t-acme, apiSecret: s-acme }\n    users:\n' +
  user(1, 'Alice', 'admin') + user(2, 'Bob', 'user') + user(3, 'Mona', 'manager', true) + user(4, 'Max', 'manager') +
  '    numbers:\n      - { number: "+15550100", sms: false }\n' +
  '    ringGroups:\n      - { id: sales, name: Sales, number: "120", strategy: ring-all, members: [1, 2], timeoutSeconds: 30 }\n' +
  '    flows:\n      - { id: survey, name: Survey, start: ask, nodes: { ask: { type: playaudio, prompt: { text: "One question" } } } }\n' +
  '  - id: beta\n    name: Beta\n    users:\n' + user(9, 'Eve', 'admin') +
  '    numbers:\n      - { number: "+15550900", sms: false }\n' +
  '    flows:\n      - { id: beta-only, name: Beta, start: bye, nodes: { bye: { type: hangup } } }\n';

const basic = (a: string, b: string) => 'Basic ' + Buffer.from(`${a}:${b}`).toString('base64');
const T0 = 1_700_000_000_000;

const CAMPAIGN = {
  name: 'Spring renewals',
  mode: 'operator-contact',
  callerId: '+15550100',
  agents: [1, 2],
  window: { timezone: 'Europe/Riga', days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '18:00' },
  retry: { busy: { afterMinutes: 10 }, noAnswer: { afterMinutes: 60 }, failed: { afterMinutes: 120 }, maxAttempts: 3 },
};

async function harness(t: { after: (fn: () => Promise<void>) => void }) {
  const { app, store, bearer: token } = await familyTestApp(t, CONFIG, (server, db) => server.register(dialerApi, { store: db, now: () => T0 }));
  const as = (authorization: string) => (method: string, url: string, body?: unknown, contentType = 'application/json') =>
    app.inject({ method: method as 'GET', url, headers: { authorization, ...(body === undefined ? {} : { 'content-type': contentType }) }, ...(body === undefined ? {} : { payload: typeof body === 'string' ? body : JSON.stringify(body) }) });
  return { app, store, alice: as(await token(1, 'acme')), bob: as(await token(2, 'acme')), mona: as(await token(3, 'acme')), max: as(await token(4, 'acme')), eve: as(await token(9, 'beta')), api: as(basic('t-acme', 's-acme')) };
}

test('campaign CRUD: create (draft, 201 + Location), read, list, replace, delete; not while running', async (t) => {
  const h = await harness(t);
  const created = await h.alice('POST', '/campaigns', CAMPAIGN);
  assert.equal(created.statusCode, 201, created.body);
  const c = created.json();
  assert.equal(created.headers.location, `/campaigns/${c.id}`);
  assert.equal(c.accountId, undefined, 'the account is not echoed');
  assert.deepEqual(c, { ...CAMPAIGN, id: c.id, state: 'draft', createdAt: T0, updatedAt: T0 });
  assert.deepEqual((await h.api('GET', `/campaigns/${c.id}`)).json(), c);
  assert.deepEqual((await h.max('GET', '/campaigns')).json(), { campaigns: [c] });

  const replaced = await h.max('PUT', `/campaigns/${c.id}`, { ...CAMPAIGN, agents: undefined, ringGroup: 'sales', state: 'running', callerId: '5550100', pacing: { ratio: 2 } });
  assert.equal(replaced.statusCode, 400, 'a 7-digit number is not E.164');
  const ok = await h.max('PUT', `/campaigns/${c.id}`, { ...CAMPAIGN, mode: 'predictive', agents: undefined, ringGroup: 'sales', state: 'running', pacing: { ratio: 2, maxAbandonPercent: 3 } });
  assert.equal(ok.statusCode, 200, ok.body);
  assert.equal(ok.json().state, 'running');
  assert.equal(ok.json().ringGroup, 'sales');
  assert.equal(ok.json().agents, undefined);

  const refused = await h.alice('DELETE', `/campaigns/${c.id}`);
  assert.equal(refused.statusCode, 409);
  assert.equal(refused.json().error, 'conflict');
  await h.alice('PUT', `/campaigns/${c.id}`, { ...CAMPAIGN, state: 'paused' });
  assert.equal((await h.alice('PUT', `/campaigns/${c.id}`, CAMPAIGN)).json().state, 'paused', 'state kept when not given');
  assert.equal((await h.alice('DELETE', `/campaigns/${c.id}`)).statusCode, 204);
  assert.equal((await h.alice('GET', `/campaigns/${c.id}`)).statusCode, 404);
  assert.equal((await h.alice('DELETE', `/campaigns/${c.id}`)).statusCode, 404);
});

test('roles and scoping: account-wide principals only; another account sees nothing of it', async (t) => {
  const h = await harness(t);
  const c = (await h.alice('POST', '/campaigns', CAMPAIGN)).json();
  assert.equal((await h.bob('GET', '/campaigns')).statusCode, 403, 'user role');
  assert.equal((await h.mona('POST', '/campaigns', CAMPAIGN)).statusCode, 403, 'own-records-only manager');
  assert.equal((await h.app.inject('/campaigns')).statusCode, 401);
  assert.deepEqual((await h.eve('GET', '/campaigns')).json(), { campaigns: [] });
  for (const [m, url] of [['GET', `/campaigns/${c.id}`], ['DELETE', `/campaigns/${c.id}`], ['GET', `/campaigns/${c.id}/contacts`]] as const) {
    assert.equal((await h.eve(m, url)).statusCode, 404, `${m} ${url}`);
  }
  assert.equal((await h.eve('POST', `/campaigns/${c.id}/contacts/import`, 'phone_number\n+15551230001\n', 'text/csv')).statusCode, 404);
  assert.equal((await h.alice('GET', `/campaigns/${c.id}/contacts`)).json().total, 0, 'nothing imported by the other account');
});

test('references: caller ID, agents, ring group and call flow must be the account\'s; precise errors; nothing stored', async (t) => {
  const h = await harness(t);
  const cases: [unknown, number, RegExp][] = [
    [{ ...CAMPAIGN, callerId: '+15550900' }, 422, /body\.callerId: \+15550900 is not a number of account acme/],
    [{ ...CAMPAIGN, agents: [1, 9] }, 422, /body\.agents\[1\]: no user 9 in account acme/],
    [{ ...CAMPAIGN, agents: undefined, ringGroup: 'support' }, 422, /body\.ringGroup: no ring group "support"/],
    [{ ...CAMPAIGN, ringGroup: 'sales' }, 400, /agents or ringGroup, not both/],
    [{ ...CAMPAIGN, agents: undefined }, 400, /needs agents or ringGroup/],
    [{ ...CAMPAIGN, mode: 'contact-callflow' }, 400, /needs callFlowId/],
    [{ ...CAMPAIGN, mode: 'contact-callflow', agents: undefined, callFlowId: 'beta-only' }, 422, /body\.callFlowId: no call flow "beta-only" in account acme/],
    [{ ...CAMPAIGN, mode: 'contact-callflow', agents: undefined, callFlowId: 'nope' }, 422, /body\.callFlowId: no call flow "nope"/],
    [{ ...CAMPAIGN, window: { ...CAMPAIGN.window, timezone: 'Mars/Olympus' } }, 400, /unknown time zone "Mars\/Olympus"/],
    [{ ...CAMPAIGN, window: { ...CAMPAIGN.window, from: '25:00' } }, 400, /body\.window\.from must match/],
    [{ ...CAMPAIGN, window: { ...CAMPAIGN.window, to: '09:00' } }, 400, /window would be empty/],
    [{ ...CAMPAIGN, mode: 'robocall' }, 400, /body\.mode must be one of "predictive"/],
    [{ ...CAMPAIGN, colour: 'red' }, 400, /unknown property 'colour'/],
    [{ ...CAMPAIGN, retry: { ...CAMPAIGN.retry, maxAttempts: 0 } }, 400, /body\.retry\.maxAttempts/],
    [{ ...CAMPAIGN, pacing: { ratio: '2' } }, 400, /body\.pacing\.ratio must be number/],
    [{ ...CAMPAIGN, name: undefined }, 400, /missing required property 'name'/],
  ];
  for (const [body, status, message] of cases) {
    const res = await h.alice('POST', '/campaigns', body);
    assert.equal(res.statusCode, status, `${JSON.stringify(body)} → ${res.body}`);
    assert.match(res.json().message, message);
  }
  assert.equal((await h.alice('POST', '/campaigns', '{"name":')).statusCode, 400, 'broken JSON');
  assert.deepEqual((await h.alice('GET', '/campaigns')).json(), { campaigns: [] }, 'nothing stored');
  const flow = await h.alice('POST', '/campaigns', { ...CAMPAIGN, mode: 'contact-callflow', agents: undefined, callFlowId: 'survey', callerId: '+1 555 0100' });
  assert.equal(flow.statusCode, 201, flow.body);
  assert.equal(flow.json().callerId, '+15550100', 'the caller ID is normalised as the switch does');
  assert.equal(flow.json().callFlowId, 'survey');
});

test('contacts as JSON: normalised, all or none, duplicates refused; paged by state; deleted one by one', async (t) => {
  const h = await harness(t);
  const c = (await h.alice('POST', '/campaigns', CAMPAIGN)).json();
  const url = `/campaigns/${c.id}/contacts`;
  const added = await h.alice('POST', url, { contacts: [{ phoneNumber: '(555) 123-0001', name: 'Ann', fields: { plan: 'gold' } }, { phoneNumber: '+15551230002' }] });
  assert.equal(added.statusCode, 201, added.body);
  const [ann, two] = added.json().contacts;
  assert.deepEqual(ann, { id: ann.id, campaignId: c.id, phoneNumber: '+15551230001', name: 'Ann', fields: { plan: 'gold' }, state: 'pending', attempts: [], createdAt: T0 });

  const dup = await h.alice('POST', url, { contacts: [{ phoneNumber: '+15551230003' }, { phoneNumber: '5551230001' }] });
  assert.equal(dup.statusCode, 409);
  assert.match(dup.json().message, /body\.contacts\[1\]\.phoneNumber: \+15551230001 is already a contact/);
  const twice = await h.alice('POST', url, { contacts: [{ phoneNumber: '+15551230004' }, { phoneNumber: '+15551230004' }] });
  assert.match(twice.json().message, /repeats body\.contacts\[0\]/);
  const bad = await h.alice('POST', url, { contacts: [{ phoneNumber: '+15551230005' }, { phoneNumber: 'call me' }] });
  assert.equal(bad.statusCode, 400);
  assert.match(bad.json().message, /body\.contacts\[1\]\.phoneNumber: "call me" is not an E\.164 number/);
  assert.equal((await h.alice('POST', url, { contacts: [{ phoneNumber: '+15551230006', age: 3 }] })).statusCode, 400, 'unknown property');
  assert.equal((await h.alice('POST', url, { contacts: [] })).statusCode, 400);
  assert.equal((await h.alice('GET', url)).json().total, 2, 'nothing half-applied');

  const page = await h.alice('GET', `${url}?page=2&pageSize=1`);
  assert.deepEqual(page.json(), { contacts: [two], page: 2, pageSize: 1, total: 2 });
  assert.deepEqual((await h.alice('GET', `${url}?state=done`)).json(), { contacts: [], page: 1, pageSize: 100, total: 0 });
  assert.equal((await h.alice('GET', `${url}?state=lost`)).statusCode, 400);
  assert.equal((await h.alice('GET', `${url}?page=0`)).statusCode, 400);
  assert.equal((await h.alice('GET', `${url}?sort=name`)).statusCode, 400);

  assert.equal((await h.alice('DELETE', `${url}/${ann.id}`)).statusCode, 204);
  assert.equal((await h.alice('DELETE', `${url}/${ann.id}`)).statusCode, 404);
  assert.deepEqual((await h.alice('GET', url)).json().contacts, [two]);
  assert.equal((await h.alice('POST', '/campaigns/nope/contacts', { contacts: [{ phoneNumber: '+15551230007' }] })).statusCode, 404);
});

test('CSV import: good rows imported, bad rows reported by row and column; whole-file problems import nothing', async (t) => {
  const h = await harness(t);
  const c = (await h.alice('POST', '/campaigns', CAMPAIGN)).json();
  const url = `/campaigns/${c.id}/contacts`;
  await h.alice('POST', url, { contacts: [{ phoneNumber: '+15551230009' }] });
  const csv = '\ufeffphone_number,name,company\r\n+15551230001,Ann,Acme\r\nnot-a-number,Bo,X\r\n"555-123-0002","Lee, Cy",\r\n+15551230001,Dup,Y\r\n+15551230009,Old,Z\r\n';
  const res = await h.alice('POST', `${url}/import`, csv, 'text/csv');
  assert.equal(res.statusCode, 200, res.body);
  assert.deepEqual(res.json(), {
    imported: 2,
    rejected: [
      { row: 3, column: 'phone_number', problem: 'not an E.164 number' },
      { row: 5, column: 'phone_number', problem: '+15551230001 repeats row 2' },
      { row: 6, column: 'phone_number', problem: '+15551230009 is already a contact of the campaign' },
    ],
  });
  const list = (await h.alice('GET', url)).json();
  assert.deepEqual(list.contacts.map((x: { phoneNumber: string; name?: string; fields?: object }) => [x.phoneNumber, x.name, x.fields]), [
    ['+15551230009', undefined, undefined],
    ['+15551230001', 'Ann', { company: 'Acme' }],
    ['+15551230002', 'Lee, Cy', undefined],
  ]);

  const whole: [string, string, number, RegExp][] = [
    ['name\nAnn\n', 'text/csv', 400, /no phone_number column/],
    ['phone_number\n"+15551230003\n', 'text/csv', 400, /row 2: a quoted field is never closed/],
    ['', 'text/csv', 400, /./],
  ];
  for (const [body, type, status, message] of whole) {
    const r = await h.alice('POST', `${url}/import`, body, type);
    assert.equal(r.statusCode, status, r.body);
    assert.match(r.json().message, message);
  }
  assert.equal((await h.alice('POST', `${url}/import`, { contacts: [] })).statusCode, 400, 'JSON is not CSV');
  const big = await h.alice('POST', `${url}/import`, 'phone_number\n' + 'x'.repeat(5 * 1024 * 1024), 'text/csv');
  assert.equal(big.statusCode, 413);
  assert.equal((await h.alice('GET', url)).json().total, 3, 'refused files added nothing');
  assert.equal((await h.bob('POST', `${url}/import`, 'phone_number\n+15551230004\n', 'text/csv')).statusCode, 403);
  const charset = await h.alice('POST', `${url}/import`, 'phone_number;x\n', 'text/csv; charset=utf-8');
  assert.equal(charset.statusCode, 400, 'a media type with parameters is still CSV');
  assert.match(charset.json().message, /no phone_number column \(it has "phone_number;x"\)/);
});

test('deleting a campaign deletes its contacts', async (t) => {
  const h = await harness(t);
  const c = (await h.alice('POST', '/campaigns', CAMPAIGN)).json();
  await h.alice('POST', `/campaigns/${c.id}/contacts/import`, 'phone_number\n+15551230001\n+15551230002\n', 'text/csv');
  assert.equal((await h.alice('DELETE', `/campaigns/${c.id}`)).statusCode, 204);
  assert.deepEqual(await h.store.listContactNumbers('acme', c.id), []);
});
