/**
 * `ringside export-config`: the store's current provisioning — the file's seed plus every REST edit since —
 * as a provisioning file (YAML) that `check-config` accepts and `serve --config` loads back to the same
 * provisioning (docs/configuration.md, "Exporting the provisioning"). Login passwords and API secrets are
 * kept in the store only as scrypt hashes, so they are exported as `passwordHash` / `secretHash` /
 * `apiSecretHash`, which the file accepts instead of the plaintext; SIP and trunk passwords are stored as
 * given (SIP digest needs them) and are exported as they are. The output holds credentials: keep it private.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { stringify } from 'yaml';
import type { AccountConfig, ProvisioningConfig } from '../config/config-types.js';
import type { Store } from '../store/store.js';
import { openStorage, seedProvisioning } from '../app/storage.js';
import { resolveSettings, SettingsError, type RawSettings } from '../app/settings.js';
import { loadConfigFile } from '../config/load-config.js';
import { ConfigError } from '../config/config-error.js';
import { EXIT_CONFIG, printConfigProblems } from './config-problems.js';

export interface ExportOptions {
  config?: string;
  data?: string;
  store?: string;
  out?: string;
}

export async function runExportConfig(opts: ExportOptions): Promise<number> {
  let settings;
  try {
    const flags: RawSettings = {};
    if (opts.data !== undefined) flags.data = opts.data;
    if (opts.store !== undefined) flags.store = opts.store;
    if (opts.config !== undefined) flags.config = opts.config;
    settings = resolveSettings(flags);
  } catch (err) {
    if (err instanceof SettingsError) {
      process.stderr.write(`${err.message}\n`);
      return 2;
    }
    throw err;
  }
  let config: ProvisioningConfig | undefined;
  try {
    if (settings.configFile !== undefined) config = loadConfigFile(settings.configFile);
  } catch (err) {
    if (err instanceof ConfigError) {
      printConfigProblems(err);
      return EXIT_CONFIG;
    }
    throw err;
  }
  if (settings.store.kind === 'sqlite' && !existsSync(settings.dataDir)) {
    process.stderr.write(`no data directory ${settings.dataDir}: nothing to export (give --data, or --config to export what a file seeds)\n`);
    return 2;
  }
  const storage = await openStorage(settings, settings.dataDir);
  try {
    // As serve: with --config, the file seeds the store first (a no-op when it is the seed already).
    if (config) await seedProvisioning(storage.store, config);
    if ((await storage.store.counts()).accounts === 0) {
      process.stderr.write(`no provisioning in the store (${settings.store.kind === 'sqlite' ? settings.dataDir : 'postgres'}): nothing to export\n`);
      return 2;
    }
    const text = `# Ringside provisioning exported from the store on ${new Date().toISOString()} (ringside export-config).\n# It holds credentials (password hashes, SIP and trunk passwords): keep it private.\n${stringify(await exportProvisioning(storage.store))}`;
    if (opts.out) writeFileSync(opts.out, text, { mode: 0o600 });
    else process.stdout.write(text);
    return 0;
  } finally {
    await storage.store.close();
    await storage.outbox.close();
    await storage.close();
  }
}

/** The store's provisioning in the file's shape (config-types.ts), hashes in place of plaintext secrets. */
export async function exportProvisioning(store: Store): Promise<ProvisioningConfig> {
  const accounts: AccountConfig[] = [];
  for (const record of await store.listAccounts()) {
    const { voiceApi: voice, ...account } = record;
    const id = record.id;
    const credentials = await store.listApiCredentials(id);
    const voiceCredential = voice ? credentials.find((c) => c.name === 'voiceApi') : undefined;
    accounts.push({
      ...account,
      ...(voice && voiceCredential ? { voiceApi: { userId: voice.userId, apiToken: voiceCredential.token, apiSecretHash: voiceCredential.secretHash } } : {}),
      users: (await store.listUsers(id)).map(({ accountId: _a, passwordHash, ...u }) => ({ ...u, passwordHash })),
      numbers: (await store.listNumbers(id)).map(({ accountId: _a, lineId: _l, ...n }) => n),
      lines: (await store.listLines(id)).map(({ accountId: _a, ...l }) => l),
      ringGroups: (await store.listRingGroups(id)).map(({ accountId: _a, ...g }) => g),
      // REST-made applications too: a number may be linked to one.
      applications: (await store.listApplications(id)).map(({ accountId: _a, source: _s, ...x }) => x),
      // REST-made webhooks are kept by the store across a reload; only the file's belong in the file.
      webhooks: (await store.listWebhooks(id)).filter((w) => w.source === 'config').map(({ accountId: _a, source: _s, ...w }) => w),
      apiCredentials: credentials.filter((c) => c !== voiceCredential).map(({ accountId: _a, secretHash, ...c }) => ({ ...c, secretHash })),
      flows: (await store.listFlows(id)).map(({ accountId: _a, ...f }) => f),
    });
  }
  return { server: await store.serverConfig(), trunks: await store.listTrunks(), accounts };
}
