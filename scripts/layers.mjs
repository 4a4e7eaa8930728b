// The layering of ../shared/ARCHITECTURE.md as data, shared by the lint rule (eslint-layer-rule.mjs) and
// the graph script (layer-graph.mjs). A module may import its own layer and any layer of a lower rank,
// less the explicit bans; `packages` bans npm packages and node built-ins a layer must not touch.
import { relative, sep } from 'node:path';

/** Rank: higher layers may import lower ones. */
export const LAYERS = {
  cli: 10,
  demo: 9,
  app: 8,
  api: 7,
  delivery: 6,
  auth: 5.5,
  dialects: 5,
  'events/log': 4.5,
  switch: 4,
  dialer: 4,
  messaging: 4,
  sip: 3,
  media: 3,
  store: 2,
  config: 2,
  'events/model': 1,
  log: 0,
  util: 0,
};

/** Imports a rank would allow but the architecture forbids (ARCHITECTURE.md "Layers"). */
export const BANS = {
  // "delivery/ knows nothing of SIP" (nor of the call engine or media it runs on).
  delivery: ['sip', 'media', 'switch', 'dialer', 'messaging'],
  // "media/ knows nothing of SIP either: the switch maps media errors to SIP responses."
  // The SIP stack and the media engine stand alone: no provisioning, no facts (their users map both).
  media: ['sip', 'store', 'config', 'events/model'],
  sip: ['media', 'store', 'config', 'events/model'],
  // Texts and calls are separate engines: a text never needs the call engine, nor the call engine texts.
  switch: ['messaging'],
  messaging: ['switch', 'dialer'],
  // The API reaches media and SIP only through the services app/ hands it.
  api: ['sip', 'media'],
};

/** Packages a layer must not import: dialects are pure projections ("know nothing of sockets"); the fact
 *  model is types only, no I/O. */
const SOCKETS = ['ws', 'fastify', 'node:net', 'node:dgram', 'node:http', 'node:https', 'node:tls', 'net', 'dgram', 'http', 'https', 'tls'];
export const PACKAGE_BANS = {
  dialects: SOCKETS,
  'events/model': ['*'],
  switch: ['ws', 'fastify'],
  sip: ['ws', 'fastify', 'better-sqlite3'],
  media: ['ws', 'fastify', 'better-sqlite3'],
};

/** The layer of a file under src/ (`events/log`, `switch`, …), or undefined outside src/. */
export function layerOf(root, file) {
  const rel = relative(`${root}${sep}src`, file).split(sep);
  if (rel[0] === '..' || rel.length < 2) return undefined;
  if (rel[0] === 'events') return rel.length > 2 ? `events/${rel[1]}` : 'events/model';
  return rel[0];
}

/** Why `from` may not import `to`, or undefined when it may. */
export function layerViolation(from, to) {
  if (from === to || to === undefined || from === undefined) return undefined;
  const a = LAYERS[from];
  const b = LAYERS[to];
  if (a === undefined) return `src/${from}/ is not a layer of ARCHITECTURE.md: add it to scripts/layers.mjs`;
  if (b === undefined) return `src/${to}/ is not a layer of ARCHITECTURE.md: add it to scripts/layers.mjs`;
  if (BANS[from]?.includes(to)) return `${from}/ must not import ${to}/ (ARCHITECTURE.md, "Layers")`;
  if (b > a) return `${from}/ is below ${to}/: dependencies point downward only (ARCHITECTURE.md, "Layers")`;
  return undefined;
}

/** Why a module of `layer` may not import the package `name`, or undefined. */
export function packageViolation(layer, name) {
  const bans = PACKAGE_BANS[layer];
  if (!bans) return undefined;
  const bare = name.startsWith('node:') ? name : name.split('/').slice(0, name.startsWith('@') ? 2 : 1).join('/');
  if (bans.includes('*') || bans.includes(bare) || bans.includes(name)) return `${layer}/ must not import '${name}' (ARCHITECTURE.md, "Layers")`;
  return undefined;
}
