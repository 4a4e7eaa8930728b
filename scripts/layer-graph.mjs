#!/usr/bin/env node
// Prints which layers of src/ import which (production files only, tests excluded), highest rank first:
// the real graph docs/architecture.md shows. Usage: node scripts/layer-graph.mjs
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { LAYERS, layerOf } from './layers.mjs';

const root = process.cwd();
function walk(dir, out) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}
const graph = new Map();
for (const file of walk(join(root, 'src'), [])) {
  const from = layerOf(root, file);
  const text = readFileSync(file, 'utf8');
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.[^'"]+)['"]/g)) {
    const to = layerOf(root, resolve(dirname(file), m[1]));
    if (!from || !to || to === from) continue;
    if (!graph.has(from)) graph.set(from, new Set());
    graph.get(from).add(to);
  }
}
const byRank = (a, b) => (LAYERS[b] ?? -1) - (LAYERS[a] ?? -1) || a.localeCompare(b);
for (const from of [...graph.keys()].sort(byRank)) console.log(`${from.padEnd(13)} → ${[...graph.get(from)].sort(byRank).join(', ')}`);
