#!/usr/bin/env node
// Moves TypeScript modules and rewrites every relative import of them (and the moved files' own relative
// imports) across src/, test/, bench/ and scripts/. Usage: node scripts/move-modules.mjs FROM=TO …
// (paths relative to the repository root, `.ts` included). Uses `git mv` so history follows the file.
import { readdirSync, readFileSync, statSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { execFileSync } from 'node:child_process';

const root = process.cwd();
const moves = new Map(
  process.argv.slice(2).map((arg) => {
    const [from, to] = arg.split('=');
    if (!from || !to) throw new Error(`bad move ${arg}: use FROM=TO`);
    return [resolve(root, from), resolve(root, to)];
  }),
);
if (moves.size === 0) {
  console.error('usage: node scripts/move-modules.mjs FROM=TO …');
  process.exit(2);
}

function walk(dir, out) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (name === 'node_modules' || name === 'dist') continue;
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|mjs)$/.test(name)) out.push(p);
  }
  return out;
}

const files = ['src', 'test', 'bench', 'scripts'].flatMap((d) => walk(join(root, d), []));
const importRe = /(from\s+|import\s*\(\s*|import\s+)(['"])(\.{1,2}\/[^'"]+)\2/g;

for (const file of files) {
  const newFile = moves.get(file) ?? file;
  const text = readFileSync(file, 'utf8');
  const out = text.replace(importRe, (whole, lead, quote, spec) => {
    const target = resolve(dirname(file), spec.replace(/\.js$/, '.ts'));
    const movedTarget = moves.get(target) ?? target;
    if (movedTarget === target && newFile === file) return whole;
    let rel = relative(dirname(newFile), movedTarget).replace(/\.ts$/, '.js');
    if (!rel.startsWith('.')) rel = `./${rel}`;
    return `${lead}${quote}${rel}${quote}`;
  });
  if (out !== text) writeFileSync(file, out);
}
for (const [from, to] of moves) {
  mkdirSync(dirname(to), { recursive: true });
  execFileSync('git', ['mv', relative(root, from), relative(root, to)]);
  console.log(`${relative(root, from)} -> ${relative(root, to)}`);
}
