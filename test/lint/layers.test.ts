/**
 * The layering of ARCHITECTURE.md is enforced by the lint (`ringside/layers`, scripts/eslint-layer-rule.mjs):
 * these tests lint small sources as if they were files of a layer and check that a forbidden import fails
 * the build while an allowed one passes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ESLint } from 'eslint';

const eslint = new ESLint({ cwd: process.cwd() });

async function layerProblems(filePath: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'ringside/layers').map((m) => m.message);
}

test('a lower layer importing an upper one fails the lint: sip/ importing switch/', async () => {
  const problems = await layerProblems('src/sip/transaction/example.ts', "import { Switch } from '../../switch/switch.js';\nexport const s = Switch;\n");
  assert.equal(problems.length, 1);
  assert.match(problems[0]!, /sip\/ is below switch\/: dependencies point downward only/);
});

test('the explicit bans hold even downward: delivery/ importing sip/, media/ importing sip/', async () => {
  assert.match((await layerProblems('src/delivery/example.ts', "import type { SipStack } from '../sip/index.js';\nexport type S = SipStack;\n"))[0] ?? '', /delivery\/ must not import sip\//);
  assert.match((await layerProblems('src/media/example.ts', "import type { SipStack } from '../sip/index.js';\nexport type S = SipStack;\n"))[0] ?? '', /media\/ must not import sip\//);
});

test('dialects/ importing a socket library fails; the fact model imports no package at all', async () => {
  assert.match((await layerProblems('src/dialects/realtime/example.ts', "import WebSocket from 'ws';\nexport const W = WebSocket;\n"))[0] ?? '', /dialects\/ must not import 'ws'/);
  assert.match((await layerProblems('src/events/model/example.ts', "import { randomUUID } from 'node:crypto';\nexport const r = randomUUID;\n"))[0] ?? '', /events\/model\/ must not import 'node:crypto'/);
});

test('the event log is above the call engine: switch/ importing events/log fails, events/model passes', async () => {
  assert.match((await layerProblems('src/switch/example.ts', "import type { EventLog } from '../events/log/event-log.js';\nexport type L = EventLog;\n"))[0] ?? '', /switch\/ is below events\/log\//);
  assert.deepEqual(await layerProblems('src/switch/example.ts', "import type { Fact } from '../events/model/facts.js';\nexport type F = Fact;\n"), []);
});

test('downward and same-layer imports pass', async () => {
  assert.deepEqual(await layerProblems('src/switch/routing/example.ts', "import type { SipStack } from '../../sip/index.js';\nimport type { Store } from '../../store/store.js';\nexport type S = [SipStack, Store];\n"), []);
  assert.deepEqual(await layerProblems('src/api/example.ts', "import type { Switch } from '../switch/switch.js';\nexport type S = Switch;\n"), []);
});

test('a new top-level folder under src/ must be placed in the layering first', async () => {
  const problems = await layerProblems('src/switch/example.ts', "import { x } from '../gadgets/x.js';\nexport const y = x;\n");
  assert.match(problems[0] ?? '', /src\/gadgets\/ is not a layer of ARCHITECTURE.md/);
});
