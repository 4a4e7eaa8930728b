import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Ringside's package.json, found by walking up from this file (works from src/ under tsx and from dist/). */
export function packageInfo(): { name: string; version: string; root: string } {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const p = join(dir, 'package.json');
    if (existsSync(p)) {
      const pkg = JSON.parse(readFileSync(p, 'utf8')) as { name: string; version: string };
      if (pkg.name === 'ringside') return { ...pkg, root: dir };
    }
    const up = dirname(dir);
    if (up === dir) return { name: 'ringside', version: '0.0.0', root: process.cwd() };
    dir = up;
  }
}
