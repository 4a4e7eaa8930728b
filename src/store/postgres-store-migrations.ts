/**
 * The PostgreSQL store's schema, versioned under component `store` (pg-database.ts applies them at start).
 * It mirrors sqlite-store.ts table for table: each row keeps its full record as a `json` body beside the
 * columns lookups use. `json`, not `jsonb`: it keeps the record's text as written (key order, so API
 * responses read the same on both backends, and `\u0000` escapes, which jsonb refuses). Keys are
 * `COLLATE "C"` so `ORDER BY` sorts bytewise as SQLite does, whatever the database's locale. Times are
 * ms since the epoch in BIGINT.
 */
export const STORE_MIGRATIONS: readonly string[] = [
  `CREATE TABLE accounts (id TEXT COLLATE "C" PRIMARY KEY, voice_user_id TEXT COLLATE "C", body JSON NOT NULL);
   CREATE INDEX accounts_voice_user ON accounts (voice_user_id);
   CREATE TABLE users (id BIGINT PRIMARY KEY, account_id TEXT COLLATE "C" NOT NULL, email TEXT COLLATE "C" NOT NULL UNIQUE,
     sip_username TEXT COLLATE "C" UNIQUE, extension TEXT COLLATE "C", pin TEXT COLLATE "C" NOT NULL, body JSON NOT NULL);
   CREATE INDEX users_account ON users (account_id, id);
   CREATE INDEX users_extension ON users (account_id, extension);
   CREATE INDEX users_pin ON users (account_id, pin);
   CREATE TABLE numbers (number TEXT COLLATE "C" PRIMARY KEY, account_id TEXT COLLATE "C" NOT NULL, body JSON NOT NULL);
   CREATE INDEX numbers_account ON numbers (account_id, number);
   CREATE TABLE lines (account_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, body JSON NOT NULL, PRIMARY KEY (account_id, id));
   CREATE TABLE ring_groups (account_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, number TEXT COLLATE "C" NOT NULL,
     body JSON NOT NULL, PRIMARY KEY (account_id, id));
   CREATE INDEX ring_groups_number ON ring_groups (account_id, number);
   CREATE TABLE trunks (name TEXT COLLATE "C" PRIMARY KEY, body JSON NOT NULL);
   -- source: 'config' (replaced at each start) or 'api' (REST-made, kept), as in SQLite.
   CREATE TABLE applications (account_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, source TEXT NOT NULL DEFAULT 'config',
     body JSON NOT NULL, PRIMARY KEY (account_id, id));
   -- A number's application link set through REST (application_id NULL: unlinked on purpose); outlives reloads.
   CREATE TABLE number_apps (number TEXT COLLATE "C" PRIMARY KEY, account_id TEXT COLLATE "C" NOT NULL, application_id TEXT COLLATE "C");
   CREATE TABLE webhooks (account_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, source TEXT NOT NULL, body JSON NOT NULL,
     PRIMARY KEY (account_id, id));
   CREATE TABLE api_credentials (token TEXT COLLATE "C" PRIMARY KEY, account_id TEXT COLLATE "C" NOT NULL, body JSON NOT NULL);
   CREATE TABLE meta (key TEXT COLLATE "C" PRIMARY KEY, body JSON NOT NULL);
   CREATE TABLE auth_sessions (guid TEXT PRIMARY KEY, user_id BIGINT NOT NULL, account_id TEXT NOT NULL,
     token_hash TEXT NOT NULL UNIQUE, token_expires_at BIGINT NOT NULL,
     refresh_hash TEXT NOT NULL UNIQUE, refresh_expires_at BIGINT NOT NULL);
   CREATE INDEX auth_sessions_refresh_expiry ON auth_sessions (refresh_expires_at);
   CREATE TABLE sip_bindings (user_id TEXT COLLATE "C" NOT NULL, contact TEXT COLLATE "C" NOT NULL, expires_at BIGINT NOT NULL,
     body JSON NOT NULL, PRIMARY KEY (user_id, contact));
   CREATE INDEX sip_bindings_expiry ON sip_bindings (expires_at);
   CREATE TABLE report_entries (id TEXT COLLATE "C" PRIMARY KEY, account_id TEXT COLLATE "C" NOT NULL, kind TEXT NOT NULL,
     created_at BIGINT NOT NULL, line_number TEXT COLLATE "C", remote TEXT COLLATE "C", direction TEXT, user_id BIGINT, body JSON NOT NULL);
   CREATE INDEX report_entries_account_time ON report_entries (account_id, created_at, id);
   CREATE INDEX report_entries_conversation ON report_entries (account_id, line_number, remote, created_at);
   CREATE TABLE opt_outs (account_id TEXT COLLATE "C" NOT NULL, number TEXT COLLATE "C" NOT NULL, body JSON NOT NULL,
     PRIMARY KEY (account_id, number));
   -- Voice API (spec bandwidth §3). state and conference_id are copies of the body's, for the lookups
   -- SQLite does with json_extract.
   CREATE TABLE voice_resources (account_id TEXT COLLATE "C" NOT NULL, kind TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL,
     created_at BIGINT NOT NULL, call_id TEXT COLLATE "C", bridge_id TEXT COLLATE "C", conference_id TEXT COLLATE "C",
     from_number TEXT COLLATE "C", to_number TEXT COLLATE "C", state TEXT NOT NULL, body JSON NOT NULL,
     PRIMARY KEY (account_id, kind, id));
   CREATE INDEX voice_resources_time ON voice_resources (account_id, kind, created_at, id);
   CREATE INDEX voice_resources_call ON voice_resources (account_id, kind, call_id);
   CREATE INDEX voice_resources_conference ON voice_resources (account_id, kind, conference_id) WHERE conference_id IS NOT NULL;
   CREATE INDEX voice_resources_state ON voice_resources (kind, state);`,
  // Agent presence (docs/call-centre.md): runtime state, never touched by a re-seed from the file.
  `CREATE TABLE agent_presence (user_id BIGINT PRIMARY KEY, account_id TEXT COLLATE "C" NOT NULL, body JSON NOT NULL);
   CREATE INDEX agent_presence_account ON agent_presence (account_id, user_id);`,
  // Autodialer campaigns and contacts (docs/call-centre.md): runtime state, never touched by a re-seed.
  // seq keeps the order contacts were added (pages), as SQLite's AUTOINCREMENT.
  `CREATE TABLE campaigns (account_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, body JSON NOT NULL, PRIMARY KEY (account_id, id));
   CREATE TABLE contacts (seq BIGSERIAL PRIMARY KEY, account_id TEXT COLLATE "C" NOT NULL, campaign_id TEXT COLLATE "C" NOT NULL,
     id TEXT COLLATE "C" NOT NULL, phone_number TEXT COLLATE "C" NOT NULL, state TEXT NOT NULL, body JSON NOT NULL);
   CREATE UNIQUE INDEX contacts_id ON contacts (account_id, campaign_id, id);
   CREATE UNIQUE INDEX contacts_number ON contacts (account_id, campaign_id, phone_number);
   CREATE INDEX contacts_state ON contacts (account_id, campaign_id, state, seq);`,
  // Call flows (docs/provisioning.md, "Call flows"): provisioning, replaced by each seed like lines.
  `CREATE TABLE flows (account_id TEXT COLLATE "C" NOT NULL, id TEXT COLLATE "C" NOT NULL, body JSON NOT NULL, PRIMARY KEY (account_id, id));`,
  // Campaign and contact ids are integers (spec teltel §2.3 [PROP] campaign_id/contact_id): one counter each.
  `CREATE TABLE dialer_ids (kind TEXT COLLATE "C" PRIMARY KEY, next BIGINT NOT NULL);
   INSERT INTO dialer_ids (kind, next) VALUES ('campaign', 1), ('contact', 1);`,
];
