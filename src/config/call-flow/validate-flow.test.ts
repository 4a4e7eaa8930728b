import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { validateFlow, validateFlowDocument, type FlowContext, type FlowProblem } from './validate-flow.js';
import type { CallFlow, FlowNode } from './flow-types.js';

/** The account: users 1–3, ring group `sales`, Latvian numbers and extensions dialable. A plain object, not
 *  a fake of anything: the directory interface is all validation needs. */
const ctx: FlowContext = {
  timezone: 'Europe/Riga',
  directory: {
    hasUser: (id) => [1, 2, 3].includes(id),
    hasRingGroup: (id) => id === 'sales',
    canDial: (n) => n.startsWith('+371') || /^[0-9]{2,6}$/.test(n),
  },
};

/** time → menu → dial → voicemail: the auto attendant of docs/call-centre.md. */
const attendant = (): CallFlow => ({
  id: 'main',
  name: 'Main line',
  start: 'office-hours',
  nodes: {
    'office-hours': {
      type: 'time',
      weekly: [
        { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' },
        { days: ['sat'], from: '10:00', to: '14:00' },
      ],
      holidays: ['2026-12-24', '2026-12-25'],
      open: 'main-menu',
      closed: 'closed-message',
    },
    'main-menu': {
      type: 'menu',
      prompt: { file: 'prompts/welcome.wav' },
      keys: { '1': 'sales', '2': 'support', '0': 'operator' },
      timeoutSeconds: 5,
      retries: 2,
    },
    sales: { type: 'dial', target: { ringGroup: 'sales' }, timeoutSeconds: 20, noAnswer: 'sales-voicemail' },
    support: { type: 'queue', agents: { users: [2, 3] }, maxWaitSeconds: 120, announceEverySeconds: 30, timeout: 'sales-voicemail' },
    operator: { type: 'dial', target: { number: '+37167000000' }, noAnswer: 'main-menu', busy: 'main-menu', failed: 'bye' },
    'sales-voicemail': { type: 'voicemail', mailboxUser: 1 },
    'closed-message': { type: 'playaudio', prompt: { text: 'We are closed. Please leave a message.' }, next: 'sales-voicemail' },
    bye: { type: 'hangup' },
  },
});

const flowOf = (nodes: Record<string, FlowNode>, start = Object.keys(nodes)[0]!): CallFlow => ({ id: 'f', name: 'F', start, nodes });
const messages = (p: FlowProblem[]) => p.map((x) => x.message);

test('the auto attendant is valid, typed and as a document', () => {
  assert.deepEqual(validateFlow(attendant(), ctx), []);
  assert.deepEqual(validateFlowDocument(JSON.parse(JSON.stringify(attendant())), ctx), []);
});

test('a flow of each other kind is valid: play-only, forward, queue, dial by users with each strategy', () => {
  const flows: CallFlow[] = [
    flowOf({ hello: { type: 'playaudio', prompt: { text: 'Hello' } } }),
    flowOf({ fwd: { type: 'forward', number: '+37126666666' } }),
    flowOf({ q: { type: 'queue', agents: { ringGroup: 'sales' }, music: { file: 'moh/jazz.wav' }, strategy: 'round-robin' } }),
    flowOf({ h: { type: 'hangup' } }),
    flowOf({ vm: { type: 'voicemail', mailboxUser: 3 } }),
    ...(['ring-all', 'round-robin', 'longest-idle'] as const).map((strategy) =>
      flowOf({ d: { type: 'dial', target: { users: [1, 2] }, strategy, answer: 'survey' }, survey: { type: 'hangup' } }),
    ),
  ];
  for (const f of flows) {
    assert.deepEqual(validateFlow(f, ctx), [], JSON.stringify(f));
    assert.deepEqual(validateFlowDocument(f, ctx), [], JSON.stringify(f));
  }
});

test('a dangling output is named by node and output', () => {
  const f = attendant();
  (f.nodes['main-menu'] as { keys: Record<string, string> }).keys['3'] = 'billing';
  assert.deepEqual(messages(validateFlow(f, ctx)), ["node 'main-menu' output 'keys/3': no node 'billing'"]);
  const p = validateFlow(f, ctx)[0]!;
  assert.equal(p.code, 'dangling-output');
  assert.equal(p.node, 'main-menu');
  assert.equal(p.output, 'keys/3');
});

test('a dangling noAnswer is reported once, not again through the busy/failed outputs that default to it', () => {
  const f = flowOf({ d: { type: 'dial', target: { users: [1] }, noAnswer: 'nowhere' } });
  assert.deepEqual(messages(validateFlow(f, ctx)), ["node 'd' output 'noAnswer': no node 'nowhere'"]);
});

test('a start that is not a node is refused, and nothing is then called unreachable', () => {
  const f = { ...attendant(), start: 'welcome' };
  assert.deepEqual(validateFlow(f, ctx).map((p) => [p.code, p.message]), [['missing-start', "flow: start 'welcome' is not a node"]]);
});

test('an unreachable node is named', () => {
  const f = attendant();
  f.nodes['old-menu'] = { type: 'playaudio', prompt: { text: 'old' }, next: 'bye' };
  assert.deepEqual(messages(validateFlow(f, ctx)), ["node 'old-menu': not reachable from start 'office-hours'"]);
});

test('a cycle through time nodes only (time → time) is refused with its path', () => {
  const f = flowOf({
    a: { type: 'time', weekly: [], open: 'b', closed: 'h' },
    b: { type: 'time', weekly: [], open: 'a', closed: 'h' },
    h: { type: 'hangup' },
  });
  assert.deepEqual(validateFlow(f, ctx).map((x) => [x.code, x.message]), [
    ['cycle-without-wait', "node 'a' output 'open': cycle without a wait: a → b → a"],
    ['cycle-without-wait', "node 'b' output 'open': cycle without a wait: b → a → b"],
  ]);
  const self = flowOf({ t: { type: 'time', weekly: [], open: 't', closed: 't' } });
  assert.deepEqual(messages(validateFlow(self, ctx)), [
    "node 't' output 'open': cycle without a wait: t → t",
    "node 't' output 'closed': cycle without a wait: t → t",
  ]);
});

test('dial busy/failed do not wait, and a defaulted busy (→ noAnswer) counts too', () => {
  const explicit = flowOf({
    d: { type: 'dial', target: { users: [1] }, busy: 't', noAnswer: 'h' },
    t: { type: 'time', weekly: [], open: 'd', closed: 'd' },
    h: { type: 'hangup' },
  });
  assert.deepEqual(messages(validateFlow(explicit, ctx)), [
    "node 'd' output 'busy': cycle without a wait: d → t → d",
    "node 't' output 'open': cycle without a wait: t → d → t",
    "node 't' output 'closed': cycle without a wait: t → d → t",
  ]);
  // noAnswer → t waits (the phones rang), but busy and failed default to t and come back at once.
  const defaulted = flowOf({
    d: { type: 'dial', target: { users: [1] }, noAnswer: 't' },
    t: { type: 'time', weekly: [], open: 'd', closed: 'h' },
    h: { type: 'hangup' },
  });
  assert.deepEqual(validateFlow(defaulted, ctx).map((p) => [p.code, p.node, p.output]), [
    ['cycle-without-wait', 'd', 'busy'],
    ['cycle-without-wait', 'd', 'failed'],
    ['cycle-without-wait', 't', 'open'],
  ]);
});

test('cycles through a wait are accepted: menu loops, dial no-answer retries, queue timeouts, prompts', () => {
  const f = flowOf({
    menu: { type: 'menu', prompt: { text: 'Press 1' }, keys: { '1': 'd', '9': 'menu' }, timeout: 'menu', invalid: 't' },
    t: { type: 'time', weekly: [], open: 'menu', closed: 'q' },
    d: { type: 'dial', target: { users: [1] }, noAnswer: 'd2', busy: 'h', failed: 'h' },
    d2: { type: 'dial', target: { users: [2] }, noAnswer: 'd', busy: 'h', failed: 'h' },
    q: { type: 'queue', agents: { users: [3] }, timeout: 'p' },
    p: { type: 'playaudio', prompt: { text: 'Still waiting' }, next: 'q' },
    h: { type: 'hangup' },
  });
  assert.deepEqual(validateFlow(f, ctx), []);
});

test('invalid DTMF keys are refused with the node named, typed and as a document', () => {
  const f = flowOf({ m: { type: 'menu', prompt: { text: 'x' }, keys: { '1': 'h', '10': 'h', A: 'h' } as never }, h: { type: 'hangup' } });
  assert.deepEqual(messages(validateFlow(f, ctx)), [
    "node 'm' output 'keys/10': '10' is not one DTMF key (0-9 * #)",
    "node 'm' output 'keys/A': 'A' is not one DTMF key (0-9 * #)",
  ]);
  const doc = validateFlowDocument(f, ctx);
  assert.ok(doc.length > 0 && doc.every((p) => p.code === 'schema' && p.node === 'm'), JSON.stringify(doc));
});

test('a time node: unknown timezone, overlapping ranges, a range across midnight, a date that does not exist', () => {
  const f = flowOf({
    t: {
      type: 'time',
      timezone: 'Europe/Atlantis',
      weekly: [
        { days: ['mon', 'tue'], from: '09:00', to: '17:00' },
        { days: ['tue', 'wed'], from: '16:00', to: '18:00' },
        { days: ['fri'], from: '22:00', to: '06:00' },
        { days: ['sat'], from: '10:00', to: '10:00' },
        { days: ['sun'], from: '24:00', to: '24:00' },
      ],
      holidays: ['2026-02-30'],
      open: 'h',
      closed: 'h',
    },
    h: { type: 'hangup' },
  });
  assert.deepEqual(messages(validateFlow(f, ctx)), [
    "node 't' field 'timezone': 'Europe/Atlantis' is not an IANA timezone",
    "node 't' field 'weekly/1': tue 16:00–18:00 overlaps weekly/0",
    "node 't' field 'weekly/2': 22:00–06:00 ends before it starts (a range never spans midnight: split it in two days)",
    "node 't' field 'weekly/3': 10:00–10:00 ends before it starts (a range never spans midnight: split it in two days)",
    "node 't' field 'weekly/4': '24:00'–'24:00' is not HH:MM–HH:MM",
    "node 't' field 'holidays/0': holiday '2026-02-30' is not a date (YYYY-MM-DD)",
  ]);
  // Touching ranges do not overlap.
  const touching = flowOf({
    t: { type: 'time', weekly: [{ days: ['mon'], from: '09:00', to: '12:00' }, { days: ['mon'], from: '12:00', to: '17:00' }], open: 'h', closed: 'h' },
    h: { type: 'hangup' },
  });
  assert.deepEqual(validateFlow(touching, ctx), []);
});

test("the account's timezone is checked when the time node has none", () => {
  const f = flowOf({ t: { type: 'time', weekly: [], open: 'h', closed: 'h' }, h: { type: 'hangup' } });
  assert.deepEqual(messages(validateFlow(f, { ...ctx, timezone: 'Nowhere/Else' })), ["node 't': 'Nowhere/Else' is not an IANA timezone"]);
});

test('users, ring groups and numbers are checked through the directory', () => {
  const f = flowOf({
    d: { type: 'dial', target: { users: [1, 9] }, noAnswer: 'g', busy: 'n', failed: 'q' },
    g: { type: 'dial', target: { ringGroup: 'support' }, noAnswer: 'n' },
    n: { type: 'dial', target: { number: '+4420000000' }, noAnswer: 'q' },
    q: { type: 'queue', agents: { users: [7] }, timeout: 'vm' },
    vm: { type: 'voicemail', mailboxUser: 8 },
    fw: { type: 'forward', number: '+15550100' },
  }, 'd');
  f.nodes.q = { type: 'queue', agents: { users: [7] }, timeout: 'fw' };
  f.nodes.n = { type: 'dial', target: { number: '+4420000000' }, noAnswer: 'q', failed: 'vm' };
  assert.deepEqual(validateFlow(f, ctx).map((p) => [p.code, p.message]), [
    ['unknown-user', "node 'd' field 'target': no user 9"],
    ['unknown-ring-group', "node 'g' field 'target': no ring group 'support'"],
    ['unknown-number', "node 'n' field 'target': number '+4420000000' cannot be dialled by this account"],
    ['unknown-user', "node 'q' field 'agents': no user 7"],
    ['unknown-user', "node 'vm' field 'mailboxUser': no user 8"],
    ['unknown-number', "node 'fw' field 'number': number '+15550100' cannot be dialled by this account"],
  ]);
});

test('every problem is returned at once', () => {
  const f = attendant();
  f.start = 'nope';
  (f.nodes.sales as { noAnswer?: string }).noAnswer = 'missing';
  f.nodes.support = { type: 'queue', agents: { users: [42] } };
  const codes = validateFlow(f, ctx).map((p) => p.code).sort();
  assert.deepEqual(codes, ['dangling-output', 'missing-start', 'unknown-user']);
});

test('the schema refuses unknown keys and kinds, naming the node; bad documents never throw', () => {
  const typo = JSON.parse(JSON.stringify(attendant()));
  typo.nodes.sales.timout = 5;
  assert.deepEqual(messages(validateFlowDocument(typo, ctx)), ["node 'sales': unknown key 'timout'"]);

  const kind = JSON.parse(JSON.stringify(attendant()));
  kind.nodes.sales = { type: 'ivr' };
  const p = validateFlowDocument(kind, ctx);
  assert.equal(p[0]!.node, 'sales');
  assert.match(p[0]!.message, /^node 'sales' field 'type': must be equal to one of the allowed values/);

  const prompt = JSON.parse(JSON.stringify(attendant()));
  prompt.nodes['main-menu'].prompt = { file: '../../etc/passwd' };
  assert.ok(validateFlowDocument(prompt, ctx).every((x) => x.node === 'main-menu' && x.output?.startsWith('prompt')));

  const top = { ...attendant(), colour: 'blue' };
  assert.deepEqual(messages(validateFlowDocument(top, ctx)), ["flow: / unknown key 'colour'"]);

  for (const bad of [null, 42, 'flow', [], {}, { id: 'x', name: 'x', start: 'a', nodes: null }, { id: 'x', name: 'x', start: 'a', nodes: { a: null } }, { id: 'x', name: 'x', start: 'a', nodes: { a: { type: 'menu', keys: [] } } }]) {
    const problems = validateFlowDocument(bad, ctx);
    assert.ok(problems.length > 0 && problems.every((x) => x.code === 'schema'), JSON.stringify(bad));
  }
});

test('schema errors read as the user wrote the flow: the chosen branch, the bad key, the bad field', () => {
  const doc = (nodes: Record<string, unknown>) => ({ id: 'x', name: 'x', start: Object.keys(nodes)[0], nodes });
  const at = (nodes: Record<string, unknown>) => messages(validateFlowDocument(doc(nodes), ctx));
  assert.deepEqual(at({ a: { type: 'playaudio', prompt: { file: 'a.wav', text: 'hi' } } }), [
    "node 'a' field 'prompt': needs exactly one of 'file', 'text'",
  ]);
  assert.deepEqual(at({ a: { type: 'dial', target: {} } }), ["node 'a' field 'target': needs exactly one of 'users', 'ringGroup', 'number'"]);
  assert.deepEqual(at({ a: { type: 'dial', target: { number: 'abc' } } }), [
    `node 'a' field 'target/number': must match pattern "^(\\+[1-9][0-9]{1,14}|[0-9]{2,15})$"`,
  ]);
  assert.deepEqual(at({ a: { type: 'menu', prompt: { text: 'x' }, keys: { '1': 'a', '22': 'a' } } }), [
    `node 'a' field 'keys/22': '22' must match pattern "^[0-9*#]$"`,
  ]);
  assert.deepEqual(at({ h: { type: 'hangup' }, 'bad id': { type: 'hangup' } }), [`node 'bad id': 'bad id' must match pattern "^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"`]);
});

test('node ids that are Object.prototype names are ordinary ids', () => {
  const f = flowOf({ m: { type: 'menu', prompt: { text: 'x' }, keys: { '1': 'constructor', '2': 'toString' } } });
  f.nodes['toString'] = { type: 'hangup' };
  assert.deepEqual(messages(validateFlow(f, ctx)), ["node 'm' output 'keys/1': no node 'constructor'"]);
});

test('the YAML example of docs/call-centre.md is a valid flow', () => {
  const md = readFileSync(fileURLToPath(new URL('../../../docs/call-centre.md', import.meta.url)), 'utf8');
  const section = md.slice(md.indexOf('## Call flows'));
  const yaml = /```yaml\n([\s\S]*?)```/.exec(section)?.[1];
  assert.ok(yaml, 'the section has a YAML example');
  const data: unknown = parse(yaml, { uniqueKeys: true });
  const docCtx: FlowContext = { ...ctx, directory: { ...ctx.directory, hasUser: (id) => [501, 502, 503].includes(id) } };
  assert.deepEqual(validateFlowDocument(data, docCtx), []);
});
