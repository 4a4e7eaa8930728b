/**
 * An originate's plan for the callback API (spec teltel §7): the request's own caller IDs — a phone side's
 * refused unless it is an account number, even when the API layer let it through — and `data.callback`
 * echoing the request as written. A real SqliteStore; no device is registered (the registrar is empty),
 * which a plan does not need.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../../store/sqlite-store.js';
import { parseConfig } from '../../config/load-config.js';
import { silentLogger } from '../../log/logger.js';
import type { Registrar } from '../../sip/index.js';
import { OriginateRefused, OriginateRouting, type OriginateRequest } from './originate.js';

const CONFIG = `
trunks:
  - { name: carrier, host: 192.0.2.10, port: 5060 }
accounts:
  - id: acme
    name: Acme
    trunk: carrier
    defaultCallerId: "+37167000000"
    numbers: [{ number: "+37167000000" }, { number: "+37167000001" }]
    users:
      - { id: 501, name: Alice, email: alice@x.test, password: pw-alice, role: admin, extension: "101", pin: "1101", sip: { username: "101", password: sip-501 } }
`;

async function routing(t: { after: (fn: () => Promise<void>) => void }) {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-originate-plan-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  await store.replaceProvisioning(parseConfig(CONFIG));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const registrar = { lookup: async () => [] } as unknown as Registrar;
  return new OriginateRouting({ store, registrar, publicHost: 'pbx.example', logger: silentLogger(), outgoingRingMs: 30_000 });
}

const asGiven = { leg1Number: '37126666666', leg1CallerId: '37167000001', leg2Number: '101', leg2CallerId: '37126666666' };
const request = (over: Partial<OriginateRequest['callback']> = {}): OriginateRequest => ({
  accountId: 'acme',
  caller: '+37126666666',
  callee: '101',
  traceId: 'crm-7781',
  callback: { leg1CallerId: '+37167000001', leg2CallerId: '+37126666666', asGiven, ...over },
});

test("a callback plan: each side sees the request's caller ID; data.callback echoes the request as written", async (t) => {
  const plan = await (await routing(t)).plan(request());
  assert.equal(plan.first.target.callerId, '+37167000001', 'not the account default +37167000000');
  assert.match(String(plan.first.target.requests[0]!.from), /^<sip:\+37167000001@pbx\.example>$/);
  assert.equal(plan.first.target.requests[0]!.to, 'sip:+37126666666@192.0.2.10:5060');
  assert.equal(plan.first.target.role, 'contact');
  assert.deepEqual([plan.second.target.callerId, plan.second.target.role, plan.second.target.party.number], ['+37126666666', 'operator', '101']);
  assert.deepEqual(plan.start.callback, { ...asGiven, traceId: 'crm-7781' });
  assert.deepEqual(plan.localParty, { kind: 'local', number: '+37167000001' });
  assert.equal(plan.start.kind, 'originate');
});

test("a callback plan refuses a phone side's caller ID the account does not own, naming the field", async (t) => {
  const r = await routing(t);
  await assert.rejects(r.plan(request({ leg1CallerId: '+37167000999' })), (e: unknown) => e instanceof OriginateRefused && e.status === 422 && e.error === 'invalid_caller_id' && e.field === 'leg1CallerId');
  await assert.rejects(r.plan({ ...request(), callee: '102' }), (e: unknown) => e instanceof OriginateRefused && e.error === 'unknown_target' && e.field === 'callee');
});

test('without callback, an originate still shows the account caller ID and the other side (spec realtime §5.3)', async (t) => {
  const plan = await (await routing(t)).plan({ accountId: 'acme', caller: '+37126666666', callee: '101' });
  assert.equal(plan.first.target.callerId, '+37167000000');
  assert.equal(plan.second.target.callerId, '+37126666666');
  assert.deepEqual(plan.start.callback, { leg1Number: '+37126666666', leg1CallerId: '+37167000000', leg2Number: '101', leg2CallerId: '+37126666666' });
});
