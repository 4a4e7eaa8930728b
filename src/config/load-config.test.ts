import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfigFile, parseConfig } from './load-config.js';
import { ConfigError } from './config-error.js';
import { readFileSync } from 'node:fs';

const minimal = `
accounts:
  - id: acme
    name: Acme
    numbers: [{ number: "+15550100" }]
    users:
      - { id: 7, name: Ann, email: ann@acme.test, password: secret, pin: "1234" }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: { strategy: ring-all, users: [7] } }
`;

function problemsOf(text: string): ConfigError[] {
  try {
    parseConfig(text, 'x.yaml');
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    return err.problems;
  }
  assert.fail('expected a ConfigError');
}

test('the demo example loads with its defaults applied', () => {
  const c = loadConfigFile('examples/demo.yaml');
  const demo = c.accounts[0]!;
  assert.equal(demo.accountcode, 'demo');
  assert.equal(demo.users.length, 3);
  assert.equal(demo.lines.find((l) => l.id === 'sales')?.confirmCalls, true);
  assert.equal(demo.lines.find((l) => l.id === 'main')?.ring.timeoutSeconds, 30);
  assert.equal(c.trunks[0]?.port, 5090);
  assert.equal(c.server.sipRealm, 'ringside');
});

test('a minimal file gets defaults: role user, accountcode = id, voicemail fallback', () => {
  const c = parseConfig(minimal);
  const a = c.accounts[0]!;
  assert.equal(a.accountcode, 'acme');
  assert.equal(a.users[0]?.role, 'user');
  assert.equal(a.lines[0]?.ring.fallback, 'voicemail');
  assert.equal(a.lines[0]?.voicemail.maxSeconds, 120);
});

test('JSON provisioning is accepted', () => {
  const c = parseConfig(JSON.stringify({ accounts: [{ id: 'j', name: 'J' }] }), 'x.json');
  assert.equal(c.accounts[0]?.accountcode, 'j');
});

test('an unknown setting is named with its path and line', () => {
  const [p, ...rest] = problemsOf(minimal.replace('pin: "1234"', 'pin: "1234", colour: red'));
  assert.equal(rest.length, 0);
  assert.equal(p!.path, '/accounts/0/users/0/colour');
  assert.match(p!.problem, /unknown setting/);
  assert.equal(p!.line, 7);
  assert.match(p!.message, /^x\.yaml:7: \/accounts\/0\/users\/0\/colour: unknown setting/);
});

test('a bad number says it must be E.164', () => {
  const [p] = problemsOf(minimal.replace('number: "+15550100" }]', 'number: "5550100" }]'));
  assert.equal(p!.path, '/accounts/0/numbers/0/number');
  assert.match(p!.problem, /E\.164/);
});

test('a line referring to an unknown user or number is refused', () => {
  const problems = problemsOf(minimal.replace('users: [7]', 'users: [8]').replace('number: "+15550100", ring', 'number: "+15550199", ring'));
  const paths = problems.map((p) => p.path).sort();
  assert.deepEqual(paths, ['/accounts/0/lines/0/number', '/accounts/0/lines/0/ring/users/0']);
});

test('duplicate PINs and logins are refused', () => {
  const text = minimal.replace(
    '- { id: 7, name: Ann, email: ann@acme.test, password: secret, pin: "1234" }',
    '- { id: 7, name: Ann, email: ann@acme.test, password: secret, pin: "1234" }\n      - { id: 8, name: Al, email: ANN@acme.test, password: secret, pin: "1234" }',
  );
  const problems = problemsOf(text).map((p) => `${p.path} ${p.problem}`);
  assert.ok(problems.some((p) => p.startsWith('/accounts/0/users/1/pin PIN')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('/accounts/0/users/1/email login')), problems.join('\n'));
});

test('broken YAML names the line', () => {
  const [p] = problemsOf('accounts:\n  - id: a\n    name: [unclosed\n');
  assert.match(p!.problem, /not valid YAML/);
  assert.ok(p!.line !== undefined);
});

test('a missing file is a ConfigError naming it', () => {
  assert.throws(() => loadConfigFile('/nonexistent/ringside.yaml'), (e: unknown) => e instanceof ConfigError && /nonexistent\/ringside\.yaml.*cannot read/.test(e.message));
});

test('forward lines are limited to 10 numbers (spec realtime §1)', () => {
  const nums = Array.from({ length: 11 }, (_, i) => `"+1555000${String(i).padStart(4, '0')}"`).join(', ');
  const [p] = problemsOf(minimal.replace('ring: { strategy: ring-all, users: [7] }', `ring: { strategy: forward, forwardTo: [${nums}] }`));
  assert.equal(p!.path, '/accounts/0/lines/0/ring/forwardTo');
});

test('voiceApi: a user id or token used twice is refused, a colon in the token too (it is Basic auth)', () => {
  const two = `${minimal}    voiceApi: { userId: u-1, apiToken: tok, apiSecret: sec }
  - id: other
    name: Other
    voiceApi: { userId: u-1, apiToken: tok, apiSecret: sec2 }
`;
  const problems = problemsOf(two).map((p) => `${p.path} ${p.problem}`);
  assert.ok(problems.some((p) => p.startsWith('/accounts/1/voiceApi/userId')), problems.join('\n'));
  assert.ok(problems.some((p) => p.startsWith('/accounts/1/voiceApi/apiToken')), problems.join('\n'));
  const colon = problemsOf(`${minimal}    voiceApi: { userId: u-1, apiToken: "a:b", apiSecret: sec }\n`);
  assert.ok(colon.some((p) => p.path === '/accounts/0/voiceApi/apiToken'), colon.map((p) => p.path).join('\n'));
});

test('two problems: each problem line names one problem, and the whole message lists each once', () => {
  const problems = problemsOf(minimal.replace('pin: "1234"', 'pin: "1234", colour: red, shoe: 9'));
  assert.equal(problems.length, 2);
  const texts = problems.map((p) => p.text);
  assert.equal(new Set(texts).size, 2);
  for (const t of texts) assert.equal(t.split('\n').length, 1, t);
  const message = problems[0]!.message;
  for (const t of texts) assert.equal(message.split(t).length - 1, 1, `${t} appears once in:\n${message}`);
});

test('a password or its hash: either loads, neither names the password only', () => {
  const file = (user: string) => `accounts:\n  - id: a\n    name: A\n    users:\n      - { id: 1, name: X, email: x@a.test, pin: "1234"${user} }\n`;
  assert.equal(parseConfig(file(', password: pass1')).accounts[0]!.users[0]!.password, 'pass1');
  assert.equal(parseConfig(file(', passwordHash: "scrypt$16384$c2FsdA$aGFzaA"')).accounts[0]!.users[0]!.passwordHash, 'scrypt$16384$c2FsdA$aGFzaA');
  assert.throws(() => parseConfig(file('')), (e: Error) => /missing required setting 'password'/.test(e.message) && !/passwordHash/.test(e.message));
  assert.throws(() => parseConfig(file(', passwordHash: plain')), /passwordHash/);
});

const withFlow = (flow: string, ring = '{ strategy: flow, flow: ivr }', extra = '') => `
trunks: [{ name: carrier, host: sip.carrier.test }]
accounts:
  - id: acme
    name: Acme
    numbers: [{ number: "+15550100" }]
    users:
      - { id: 7, name: Ann, email: ann@acme.test, password: secret, pin: "1234", extension: "101" }
    ringGroups:
      - { id: sales, name: Sales, number: "200", members: [7] }
    lines:
      - { id: main, name: Main, number: "+15550100", ring: ${ring} }
    flows:
${flow}${extra}`;

const IVR = `      - id: ivr
        name: IVR
        start: hours
        nodes:
          hours:
            type: time
            weekly: [{ days: [mon, tue, wed, thu, fri], from: "09:00", to: "17:00" }]
            open: menu
            closed: mailbox
          menu:
            type: menu
            prompt: { file: prompts/welcome.wav }
            keys: { "1": sales, "2": ann, "0": out }
          sales: { type: dial, target: { ringGroup: sales }, noAnswer: mailbox }
          ann: { type: dial, target: { number: "101" }, noAnswer: mailbox }
          out: { type: forward, number: "+37167000000" }
          mailbox: { type: voicemail, mailboxUser: 7 }
`;

test('call flows: a line runs a flow of its account; the flow is kept as written', () => {
  const a = parseConfig(withFlow(IVR)).accounts[0]!;
  assert.equal(a.lines[0]!.ring.strategy, 'flow');
  assert.equal(a.lines[0]!.ring.flow, 'ivr');
  assert.deepEqual(Object.keys(a.flows[0]!.nodes), ['hours', 'menu', 'sales', 'ann', 'out', 'mailbox']);
  assert.deepEqual(a.flows[0]!.nodes.menu, { type: 'menu', prompt: { file: 'prompts/welcome.wav' }, keys: { '1': 'sales', '2': 'ann', '0': 'out' } }, 'no defaults written into a flow');
  assert.deepEqual(parseConfig(minimal).accounts[0]!.flows, [], 'flows default to none');
});

test('call flows: each graph problem names the flow, the node and the output, with its line', () => {
  const problems = problemsOf(withFlow(IVR.replace('"0": out }', '"0": out, "3": nowhere }').replace('mailboxUser: 7', 'mailboxUser: 8')));
  assert.deepEqual(problems.map((p) => `${p.line} ${p.path} ${p.problem}`), [
    "26 /accounts/0/flows/0/nodes/menu/keys/3 node 'menu' output 'keys/3': no node 'nowhere'",
    "30 /accounts/0/flows/0/nodes/mailbox/mailboxUser node 'mailbox' field 'mailboxUser': no user 8",
  ]);
  const [schema] = problemsOf(withFlow(IVR.replace('prompt: { file: prompts/welcome.wav }', 'prompt: { file: prompts/welcome.wav }\n            colour: red')));
  assert.equal(schema!.path, '/accounts/0/flows/0/nodes/menu');
  assert.match(schema!.problem, /node 'menu': unknown key 'colour'/);
  const [start] = problemsOf(withFlow(IVR.replace('start: hours', 'start: hour')));
  assert.equal(start!.path, '/accounts/0/flows/0/start');
  assert.equal(start!.line, 16);
  const [cycle] = problemsOf(withFlow(IVR.replace('closed: mailbox', 'closed: hours')));
  assert.equal(cycle!.path, '/accounts/0/flows/0/nodes/hours/closed');
  assert.match(cycle!.problem, /cycle without a wait: hours → hours/);
});

test('call flows: numbers a flow dials are the account\'s extensions and ring groups, or external through a trunk', () => {
  const noTrunk = withFlow(IVR).replace('trunks: [{ name: carrier, host: sip.carrier.test }]\n', '');
  const [p, ...rest] = problemsOf(noTrunk);
  assert.equal(rest.length, 0, rest.map((x) => x.text).join('\n'));
  assert.equal(p!.path, '/accounts/0/flows/0/nodes/out/number');
  assert.match(p!.problem, /'\+37167000000' cannot be dialled/);
  const [own] = problemsOf(withFlow(IVR.replace('"+37167000000"', '"+15550100"')));
  assert.equal(own!.path, '/accounts/0/flows/0/nodes/out/number', 'its own number would ring its own line');
  const [short] = problemsOf(withFlow(IVR.replace('number: "101"', 'number: "102"')));
  assert.equal(short!.path, '/accounts/0/flows/0/nodes/ann/target');
  assert.doesNotThrow(() => parseConfig(withFlow(IVR.replace('number: "101"', 'number: "200"'))), 'a ring group number');
});

test('call flows: ids unique per account; a line names an existing flow of its account', () => {
  const twice = problemsOf(withFlow(IVR, undefined, '      - { id: ivr, name: Again, start: h, nodes: { h: { type: hangup } } }\n'));
  assert.deepEqual(twice.map((p) => p.path), ['/accounts/0/flows/1/id']);
  assert.match(twice[0]!.problem, /flow id 'ivr' is already used at \/accounts\/0\/flows\/0\/id/);
  const unknown = problemsOf(withFlow(IVR, '{ strategy: flow, flow: night }'));
  assert.deepEqual(unknown.map((p) => `${p.path} ${p.problem}`), ["/accounts/0/lines/0/ring/flow no flow 'night' in this account"]);
  const missing = problemsOf(withFlow(IVR, '{ strategy: flow }'));
  assert.deepEqual(missing.map((p) => p.path), ['/accounts/0/lines/0/ring/flow']);
  const other = `${withFlow(IVR)}  - id: beta\n    name: Beta\n    numbers: [{ number: "+15550900" }]\n    lines: [{ id: b, name: B, number: "+15550900", ring: { strategy: flow, flow: ivr } }]\n`;
  assert.deepEqual(problemsOf(other).map((p) => p.path), ['/accounts/1/lines/0/ring/flow'], "another account's flow is not this one's");
});

test('call flows: menu keys 1 and "1" in one map are refused with the line (YAML keeps two keys, loading one)', () => {
  const merged = IVR.replace('keys: { "1": sales, "2": ann, "0": out }', 'keys:\n              "1": sales\n              "2": ann\n              0: out\n              1: ann');
  const [p, ...rest] = problemsOf(withFlow(merged));
  assert.equal(rest.length, 0);
  assert.equal(p!.path, '/accounts/0/flows/0/nodes/menu/keys/1');
  assert.equal(p!.line, 30);
  assert.match(p!.problem, /the key '1' is given twice in this map \("1" and 1 are one key once loaded\): quote every key/);
  assert.doesNotThrow(() => parseConfig(withFlow(IVR.replace('"0": out', '0: out'))), 'an unquoted key alone is one key: fine');
});

test('the call-flow example of docs/provisioning.md loads', () => {
  const md = readFileSync(new URL('../../docs/provisioning.md', import.meta.url), 'utf8');
  const yaml = /```yaml\n([\s\S]*?)```/.exec(md.slice(md.indexOf('## Call flows')))?.[1];
  assert.ok(yaml, 'the section has a YAML example');
  const a = parseConfig(yaml, 'docs/provisioning.md').accounts[0]!;
  assert.deepEqual(a.flows.map((f) => Object.keys(f.nodes).length), [7]);
  assert.equal(a.lines[0]!.ring.flow, 'reception');
});

const withCampaign = (campaign: string) => `${minimal}    campaigns:\n      - ${campaign}\n`;
const CAMPAIGN = '{ name: Renewals, mode: predictive, callerId: "+15550100", agents: [7], window: { days: [mon], from: "09:00", to: "17:00" }, retry: { busy: { afterMinutes: 5 }, noAnswer: { afterMinutes: 5 }, failed: { afterMinutes: 5 }, maxAttempts: 2 }, contacts: [{ phoneNumber: "+12025550101" }] }';

test('example campaigns: loaded with their contacts; a reference or rule the REST checks is refused with its path', () => {
  const ok = parseConfig(withCampaign(CAMPAIGN)).accounts[0]!.campaigns!;
  assert.deepEqual([ok[0]!.name, ok[0]!.contacts.map((c) => c.phoneNumber)], ['Renewals', ['+12025550101']]);
  const paths = (text: string) => problemsOf(withCampaign(text)).map((p) => `${p.path}: ${p.problem}`);
  assert.deepEqual(paths(CAMPAIGN.replace('agents: [7]', 'agents: [9]')), ['/accounts/0/campaigns/0/agents/0: no user with id 9 in this account']);
  assert.match(paths(CAMPAIGN.replace('"+15550100"', '"+15550199"'))[0]!, /^\/accounts\/0\/campaigns\/0\/callerId: \+15550199 is not one of this account's numbers/);
  assert.match(paths(CAMPAIGN.replace('mode: predictive', 'mode: contact-callflow, callFlowId: nope'))[0]!, /campaigns\/0\/callFlowId: no flow 'nope'/);
  assert.match(paths(CAMPAIGN.replace('"+12025550101" }]', '"+12025550101" }, { phoneNumber: "+12025550101" }]'))[0]!, /contacts\/1\/phoneNumber: .*contact number/);
  assert.match(paths(CAMPAIGN.replace('"+12025550101"', '"2025550101"'))[0]!, /contacts\/0\/phoneNumber: 2025550101 is not an E.164 number/);
  assert.match(paths(CAMPAIGN.replace('maxAttempts: 2 }', 'maxAttempts: 2 }, speed: 3'))[0]!, /campaigns\/0.*speed/);
});
