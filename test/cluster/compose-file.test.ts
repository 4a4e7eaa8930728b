/**
 * deploy/docker-compose.yml read the way Compose reads it (no Docker daemon here, nor on CI): interpolated
 * with PUBLIC_ADDRESS set, then checked for what ties the cluster together — the services, the nodes'
 * store/log/node-id flags, the Kamailio files it mounts, the node names in dispatcher.list, and Kamailio's
 * fixed address named by the provisioning's trunk. (The file also passed the compose-spec JSON schema when
 * written; that schema is not vendored.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const DEPLOY = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'deploy');

/** Compose's variable interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}. */
function interpolate(text: string, env: Record<string, string>): string {
  return text.replace(/\$\{([A-Z_][A-Z0-9_]*)(?:(:-|:\?)([^}]*))?\}/g, (_m, name: string, op?: string, arg?: string) => {
    const v = env[name];
    if (op === ':-') return v || (arg ?? '');
    if (op === ':?' && !v) throw new Error(`${name}: ${arg}`);
    return v ?? '';
  });
}

interface Service {
  command?: string[];
  environment?: Record<string, string>;
  volumes?: string[];
  depends_on?: Record<string, unknown>;
  networks?: string[] | Record<string, { ipv4_address?: string }>;
  build?: { context: string; dockerfile?: string };
}

const raw = readFileSync(join(DEPLOY, 'docker-compose.yml'), 'utf8');

test('docker-compose.yml: PUBLIC_ADDRESS is required, not defaulted to a loopback address', () => {
  assert.throws(() => interpolate(raw, {}), /PUBLIC_ADDRESS/);
  // What peers are told comes from PUBLIC_ADDRESS (health checks inside a container may use loopback).
  const doc = parse(interpolate(raw, { PUBLIC_ADDRESS: '198.51.100.7' }), { merge: true }) as { services: Record<string, Service> };
  for (const [name, svc] of Object.entries(doc.services)) assert.doesNotMatch(JSON.stringify([svc.command, svc.environment]), /127\.0\.0\.1|localhost/, name);
});

test('docker-compose.yml: PostgreSQL, NATS with JetStream, Kamailio and two nodes wired to each other', () => {
  const doc = parse(interpolate(raw, { PUBLIC_ADDRESS: '198.51.100.7' }), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const s = doc.services;
  assert.deepEqual(Object.keys(s).sort(), ['kamailio', 'nats', 'postgres', 'ringside-a', 'ringside-b']);
  assert.ok(s.nats!.command!.includes('-js'), 'JetStream on');

  for (const [name, id] of [['ringside-a', 'a'], ['ringside-b', 'b']] as const) {
    const cmd = s[name]!.command!.join(' ');
    assert.match(cmd, new RegExp(`--node-id ${id}\\b`));
    assert.match(cmd, /--store postgres:\/\/ringside:[^@\s]+@postgres:5432\/ringside\b/);
    assert.match(cmd, /--log nats:\/\/nats:4222\b/);
    assert.equal(s[name]!.build!.dockerfile, 'deploy/Dockerfile');
    assert.ok(existsSync(join(DEPLOY, '..', s[name]!.build!.dockerfile!)));
    assert.deepEqual(Object.keys(s[name]!.depends_on!).sort(), ['nats', 'postgres']);
    assert.equal(s[name]!.environment!.RINGSIDE_MEDIA_ADDRESS, '198.51.100.7');
  }

  // Kamailio mounts this directory's config and node list; the list names the node services.
  const kam = s.kamailio!;
  for (const v of kam.volumes!) assert.ok(existsSync(join(DEPLOY, v.split(':')[0]!)), v);
  assert.ok(existsSync(join(DEPLOY, kam.build!.context, 'Dockerfile')));
  const nodes = readFileSync(join(DEPLOY, 'kamailio/dispatcher.list'), 'utf8').split('\n').filter((l) => /^\d/.test(l)).map((l) => /sip:([^:\s]+)/.exec(l)![1]);
  assert.deepEqual(nodes, ['ringside-a', 'ringside-b']);
  assert.deepEqual(Object.keys(kam.depends_on!).sort(), ['ringside-a', 'ringside-b']);

  // Carrier calls arrive from Kamailio's fixed address: the cluster provisioning's trunk names it.
  const address = (kam.networks as Record<string, { ipv4_address?: string }>).cluster!.ipv4_address!;
  const provisioning = parse(readFileSync(join(DEPLOY, 'cluster.yaml'), 'utf8')) as { trunks: Array<{ inboundAddresses?: string[] }> };
  assert.ok(provisioning.trunks[0]!.inboundAddresses!.includes(address), `the trunk's inboundAddresses include ${address}`);
  for (const v of Object.values(s).flatMap((x) => x.volumes ?? [])) {
    const src = v.split(':')[0]!;
    if (!src.startsWith('.')) assert.ok(src in doc.volumes, `volume ${src} declared`);
  }
});
