import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore } from '../store/sqlite-store.js';
import { loadConfigFile } from '../config/load-config.js';
import { seedProvisioning } from './storage.js';
import { seedCampaigns } from './campaign-seeds.js';

test("the demo's example campaigns are created once, in draft, with integer ids and their contacts; a restart with the same file adds none", async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'ringside-seeds-'));
  const store = new SqliteStore(join(dir, 'ringside.db'));
  t.after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const config = loadConfigFile('examples/demo.yaml');
  assert.equal((await seedProvisioning(store, config)).outcome, 'seeded');
  const campaigns = await store.listCampaigns('demo');
  assert.deepEqual(campaigns.map((c) => [c.name, c.mode, c.state]), [
    ['Renewals (predictive)', 'predictive', 'draft'],
    ['Follow-ups (operator first)', 'operator-contact', 'draft'],
    ['Reminders (call flow)', 'contact-callflow', 'draft'],
  ]);
  for (const c of campaigns) assert.match(c.id, /^[1-9][0-9]*$/);
  const contacts = (await store.listContacts('demo', campaigns[0]!.id, { offset: 0, limit: 10 })).contacts;
  assert.deepEqual(contacts.map((c) => [c.phoneNumber, c.name, c.state]), [['+12025550101', 'Ann', 'pending'], ['+12025550102', 'Ben', 'pending'], ['+12025550103', 'Cleo', 'pending']]);

  // Runtime state from now on: edits stay, the same file at the next start creates nothing.
  await store.putCampaign({ ...campaigns[0]!, state: 'running' });
  assert.equal((await seedProvisioning(store, config)).outcome, 'kept');
  assert.equal((await store.listCampaigns('demo')).length, 3);
  assert.equal(await seedCampaigns(store, config), 0, 'a campaign of that name exists: none created');
  assert.equal((await store.getCampaign('demo', campaigns[0]!.id))?.state, 'running');
});
