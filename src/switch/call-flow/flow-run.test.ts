import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../../log/logger.js';
import type { PlayItem } from '../../media/player.js';
import type { CallFlow, DialNode, FlowNode, TimeNode } from '../../config/call-flow/flow-types.js';
import type { DialEnd, FlowHost, Gone, QueueEnd } from './flow-host.js';
import { runFlow } from './flow-run.js';
import { unansweredDialEnd } from './dial-node.js';
import { DialOrder } from './dial-order.js';
import { mediaFile } from './flow-prompt.js';
import { flowUserIds } from './flow-users.js';

/** A scripted call: keys the caller presses after each prompt (undefined: none), dial results by node. */
class ScriptedHost implements FlowHost {
  readonly log = silentLogger();
  readonly timezone = 'Europe/Riga';
  readonly calls: string[] = [];
  over = false;
  answered = false;
  constructor(
    private readonly keys: (string | undefined | 'during')[],
    private readonly dials: Record<string, DialEnd> = {},
    private readonly at = '2026-12-07T10:00:00Z',
  ) {}
  now(): Date {
    return new Date(this.at);
  }
  async answer(): Promise<void> {
    if (!this.answered) this.calls.push('answer');
    this.answered = true;
  }
  async play(items: PlayItem[], opts: { stopOnDigit?: boolean } = {}): Promise<{ digit?: string }> {
    this.calls.push(`play:${'speak' in items[0]! ? items[0].speak : 'file' in items[0]! ? items[0].file : '?'}`);
    // A key pressed during the prompt: `during:<key>` in the script.
    const next = this.keys[0];
    if (opts.stopOnDigit && typeof next === 'string' && next.startsWith('during:')) {
      this.keys.shift();
      return { digit: next.slice(7) };
    }
    return {};
  }
  async digit(ms: number): Promise<string | undefined> {
    this.calls.push(`wait:${ms}`);
    return this.keys.shift();
  }
  async dial(node: DialNode, key: string): Promise<DialEnd | Gone> {
    const end = this.dials[key] ?? 'noAnswer';
    this.calls.push(`dial:${key}:${end}:${node.strategy ?? 'default'}`);
    // Answered: the call ends with the bridge, unless the node has `answer` (the dialled party hung up first).
    if (end === 'answer' && node.answer === undefined) this.over = true;
    return end;
  }
  async voicemail(node: { mailboxUser: number }): Promise<void> {
    this.calls.push(`voicemail:${node.mailboxUser}`);
    this.over = true;
  }
  async forward(node: { number: string }): Promise<void> {
    this.calls.push(`forward:${node.number}`);
    this.over = true;
  }
  async queue(node: { maxWaitSeconds: number; announceEverySeconds: number; strategy: string }): Promise<QueueEnd> {
    this.calls.push(`queue:${node.strategy}:${node.maxWaitSeconds}:${node.announceEverySeconds}`);
    return 'timeout';
  }
  hangUp(): void {
    this.calls.push('hangup');
    this.over = true;
  }
}

const flow = (nodes: Record<string, FlowNode>, start = Object.keys(nodes)[0]!): CallFlow => ({ id: 'f', name: 'F', start, nodes });
const menu = (o: Partial<Extract<FlowNode, { type: 'menu' }>> = {}): FlowNode => ({ type: 'menu', prompt: { text: 'menu' }, keys: { '1': 'sales', '2': 'vm' }, ...o });
const run = (f: CallFlow, host: ScriptedHost, maxHops?: number) => runFlow(f, host, { mediaDir: '/srv/media', ...(maxHops ? { maxHops } : {}) });

test('playaudio alone: answer, play, then Ringside hangs up (the default of an omitted next)', async () => {
  const h = new ScriptedHost([]);
  assert.equal(await run(flow({ hello: { type: 'playaudio', prompt: { text: 'Hello' } } }), h), 'hangup');
  assert.deepEqual(h.calls, ['answer', 'play:Hello', 'hangup']);
});

test('a file prompt is read from the media directory; a path out of it is refused', () => {
  assert.equal(mediaFile('prompts/welcome.wav', '/srv/media'), '/srv/media/prompts/welcome.wav');
  assert.throws(() => mediaFile('../etc/passwd', '/srv/media'), /outside the media directory/);
});

test('menu: a key after the prompt takes its output; a key during the prompt counts too', async () => {
  const nodes = { m: menu(), sales: { type: 'dial', target: { users: [501] }, noAnswer: 'vm' } as FlowNode, vm: { type: 'voicemail', mailboxUser: 501 } as FlowNode };
  const h = new ScriptedHost(['1']);
  assert.equal(await run(flow(nodes), h), 'over');
  assert.deepEqual(h.calls, ['answer', 'play:menu', 'wait:5000', 'dial:f/sales:noAnswer:default', 'voicemail:501']);
  const during = new ScriptedHost(['during:2']);
  await run(flow(nodes), during);
  assert.deepEqual(during.calls, ['answer', 'play:menu', 'voicemail:501']);
});

test('menu defaults: no key re-prompts twice (3 plays), then hangs up; timeoutSeconds 5', async () => {
  const h = new ScriptedHost([undefined, undefined, undefined]);
  assert.equal(await run(flow({ m: menu(), sales: { type: 'hangup' }, vm: { type: 'hangup' } }), h), 'hangup');
  assert.deepEqual(h.calls, ['answer', 'play:menu', 'wait:5000', 'play:menu', 'wait:5000', 'play:menu', 'wait:5000', 'hangup']);
});

test('menu: once the retries are spent, the output of the last try is taken (invalid after a timeout)', async () => {
  const nodes = { m: menu({ retries: 1, timeoutSeconds: 2, timeout: 'to', invalid: 'inv' }), sales: { type: 'hangup' } as FlowNode, vm: { type: 'hangup' } as FlowNode, to: { type: 'forward', number: '+1555' } as FlowNode, inv: { type: 'voicemail', mailboxUser: 9 } as FlowNode };
  const h = new ScriptedHost([undefined, '7']);
  await run(flow(nodes), h);
  assert.deepEqual(h.calls, ['answer', 'play:menu', 'wait:2000', 'play:menu', 'wait:2000', 'voicemail:9']);
  const t = new ScriptedHost(['7', undefined]);
  await run(flow(nodes), t);
  assert.equal(t.calls.at(-1), 'forward:+1555');
});

test('dial outputs: busy and failed follow noAnswer when omitted; all omitted hangs up', async () => {
  const nodes = (d: Partial<DialNode>) => flow({ d: { type: 'dial', target: { users: [1] }, ...d } as FlowNode, vm: { type: 'voicemail', mailboxUser: 1 }, x: { type: 'forward', number: '+1' } }, 'd');
  for (const [end, d, last] of [
    ['busy', { noAnswer: 'vm' }, 'voicemail:1'],
    ['failed', { noAnswer: 'vm' }, 'voicemail:1'],
    ['busy', { noAnswer: 'vm', busy: 'x' }, 'forward:+1'],
    ['failed', {}, 'hangup'],
    ['noAnswer', { busy: 'vm' }, 'hangup'],
  ] as const) {
    const h = new ScriptedHost([], { 'f/d': end });
    await run(nodes(d), h);
    assert.equal(h.calls.at(-1), last, `${end} ${JSON.stringify(d)}`);
  }
  const answered = new ScriptedHost([], { 'f/d': 'answer' });
  assert.equal(await run(nodes({ noAnswer: 'vm' }), answered), 'over');
  assert.deepEqual(answered.calls, ['dial:f/d:answer:default'], 'the call ends with the bridge');
  const goesOn = new ScriptedHost([], { 'f/d': 'answer' });
  assert.equal(await run(nodes({ answer: 'vm' }), goesOn), 'over');
  assert.deepEqual(goesOn.calls, ['dial:f/d:answer:default', 'voicemail:1'], 'with `answer`, the caller goes on when the dialled party hangs up first');
});

test('a dial never answers the caller first (it rings like a line)', async () => {
  const h = new ScriptedHost([]);
  await run(flow({ d: { type: 'dial', target: { number: '+1555' } } }), h);
  assert.deepEqual(h.calls, ['dial:f/d:noAnswer:default', 'hangup']);
});

test('time: the host clock in the account timezone, or the node\'s; open and closed', async () => {
  const hours: TimeNode = { type: 'time', weekly: [{ days: ['mon'], from: '09:00', to: '17:00' }], open: 'o', closed: 'c' };
  const nodes = (tz?: string) => flow({ t: { ...hours, ...(tz ? { timezone: tz } : {}) }, o: { type: 'forward', number: '+1' }, c: { type: 'voicemail', mailboxUser: 1 } }, 't');
  // Monday 2026-12-07 10:00 UTC is 12:00 in Riga (open), 05:00 in New York (closed).
  const riga = new ScriptedHost([]);
  await run(nodes(), riga);
  assert.deepEqual(riga.calls, ['forward:+1']);
  const ny = new ScriptedHost([]);
  await run(nodes('America/New_York'), ny);
  assert.deepEqual(ny.calls, ['voicemail:1']);
  const evening = new ScriptedHost([], {}, '2026-12-07T16:00:00Z');
  await run(nodes(), evening);
  assert.deepEqual(evening.calls, ['voicemail:1'], '18:00 in Riga');
});

test('queue: the defaults table (longest-idle, 300 s, every 60 s); timeout omitted hangs up', async () => {
  const h = new ScriptedHost([]);
  assert.equal(await run(flow({ q: { type: 'queue', agents: { users: [1] } } }), h), 'hangup');
  assert.deepEqual(h.calls, ['queue:longest-idle:300:60', 'hangup']);
});

test('the walk is bounded: a menu looping on itself hangs up after maxHops steps', async () => {
  const h = new ScriptedHost(Array(50).fill('1'));
  assert.equal(await run(flow({ m: menu({ keys: { '1': 'm' } }) }), h, 5), 'stopped');
  assert.equal(h.calls.filter((c) => c === 'play:menu').length, 5);
  assert.equal(h.calls.at(-1), 'hangup');
});

test('unanswered dial outputs from the legs\' results', () => {
  assert.equal(unansweredDialEnd([]), 'failed', 'nobody to ring');
  assert.equal(unansweredDialEnd([{ result: 'BUSY', cause: 'busy' }, { result: 'NOANSWER', cause: 'no-answer' }]), 'noAnswer');
  assert.equal(unansweredDialEnd([{ result: 'BUSY', cause: 'busy' }, { result: 'CHANUNAVAIL', cause: 'temporary-failure' }]), 'busy');
  assert.equal(unansweredDialEnd([{ result: 'CONGESTION', cause: 'congestion' }, { result: 'CHANUNAVAIL', cause: 'temporary-failure' }]), 'failed');
});

test('dial order: round-robin rotates per node; longest-idle starts with who waited longest', () => {
  const o = new DialOrder();
  const users = [{ id: 1 }, { id: 2 }, { id: 3 }];
  const ids = (u: { id: number }[]) => u.map((x) => x.id);
  assert.deepEqual(ids(o.order(users, 'round-robin', 'f/a')), [1, 2, 3]);
  assert.deepEqual(ids(o.order(users, 'round-robin', 'f/a')), [2, 3, 1]);
  assert.deepEqual(ids(o.order(users, 'round-robin', 'f/b')), [1, 2, 3], 'another node has its own rotation');
  assert.deepEqual(ids(o.order(users, 'ring-all', 'f/a')), [1, 2, 3]);
  o.ended(1, 1000);
  o.ended(3, 500);
  assert.deepEqual(ids(o.order(users, 'longest-idle', 'f/a')), [2, 3, 1]);
});

test('the users a flow concerns: dial and queue users, ring-group members, voicemail owners; once each', () => {
  const f = flow({
    d: { type: 'dial', target: { ringGroup: 'sales' }, noAnswer: 'q' },
    q: { type: 'queue', agents: { users: [503, 501] }, timeout: 'n' },
    n: { type: 'dial', target: { number: '+1555' }, noAnswer: 'v' },
    v: { type: 'voicemail', mailboxUser: 504 },
  });
  assert.deepEqual(flowUserIds(f, [{ id: 'sales', members: [501, 502] }]), ['501', '502', '503', '504']);
});
