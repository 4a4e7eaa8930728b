/**
 * The config file's example campaigns (`accounts[].campaigns`, docs/call-centre.md "Autodialer"): when
 * the file seeds the store (first start, or a changed file: storage.ts `seedProvisioning`), each one the
 * account has no campaign of that name for is created with its contacts, ids from the store's counter.
 * From then on a campaign is runtime state: a later seed never changes or deletes it, and one deleted over
 * REST comes back only if the file changes.
 */
import type { ProvisioningConfig } from '../config/config-types.js';
import type { Campaign, Contact, Store } from '../store/store.js';

/** Creates the file's campaigns that are missing; returns how many were created. */
export async function seedCampaigns(store: Store, config: ProvisioningConfig, now = Date.now()): Promise<number> {
  let created = 0;
  for (const account of config.accounts) {
    const seeds = account.campaigns ?? [];
    if (seeds.length === 0) continue;
    const have = new Set((await store.listCampaigns(account.id)).map((c) => c.name));
    for (const { contacts, ...input } of seeds) {
      if (have.has(input.name)) continue;
      const campaign: Campaign = { ...input, id: String(await store.allocateDialerIds('campaign', 1)), accountId: account.id, state: input.state ?? 'draft', createdAt: now, updatedAt: now };
      await store.putCampaign(campaign);
      const first = contacts.length > 0 ? await store.allocateDialerIds('contact', contacts.length) : 0;
      await store.addContacts(contacts.map((k, i): Contact => ({ ...k, id: String(first + i), campaignId: campaign.id, accountId: account.id, state: 'pending', attempts: [], createdAt: now })));
      have.add(input.name);
      created += 1;
    }
  }
  return created;
}
