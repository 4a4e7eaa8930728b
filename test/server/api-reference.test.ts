/**
 * The API reference of a running Ringside (docs/api-reference.md): `/openapi.json` names the configured
 * public URL as its server, `/docs` and the event schemas are served, none of them asks for credentials, and
 * a generated client's base URL is that server.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startInProcess } from '../support/in-process.js';

const CONFIG = `
accounts:
  - id: acme
    name: Acme
    users:
      - { id: 11, name: Alice, email: alice@acme.test, password: alice-pass, pin: "1111" }
`;

test('a running Ringside serves its OpenAPI document with its public URL as the server, the reference page and the event schemas, without credentials', async (t) => {
  const r = await startInProcess(t, CONFIG, { flags: { publicUrl: 'https://pbx.example.com:8443' } });
  const base = `http://127.0.0.1:${r.httpPort}`;
  const doc = (await (await fetch(`${base}/openapi.json`)).json()) as { openapi: string; servers: { url: string }[]; paths: Record<string, unknown> };
  assert.equal(doc.openapi, '3.1.0');
  assert.deepEqual(doc.servers.map((s) => s.url), ['https://pbx.example.com:8443']);
  assert.ok(doc.paths['/metrics'] && doc.paths['/v1/users/{userId}/calls'] && doc.paths['/webhooks'] && doc.paths['/sms/send'], 'every family, metrics included');
  const page = await fetch(`${base}/docs`);
  assert.equal(page.status, 200);
  assert.match(await page.text(), /swagger-ui/);
  const index = (await (await fetch(`${base}/schemas/events`)).json()) as { dialects: { dialect: string; events: { name: string; url: string }[] }[] };
  const start = index.dialects.find((d) => d.dialect === 'teltel')!.events.find((e) => e.name === 'START')!;
  assert.equal(start.url, 'https://pbx.example.com:8443/schemas/events/teltel/START.json');
  const schema = (await (await fetch(`${base}${new URL(start.url).pathname}`)).json()) as { $id: string };
  assert.equal(schema.$id, start.url);
});
