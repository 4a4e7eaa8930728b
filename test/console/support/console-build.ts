/**
 * The built console for the browser tests: `dist/console` as `npm run build` makes it (vite, the repo's
 * vite.config.ts), rebuilt only when a source under console/ is newer than the build.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const REPO = join(import.meta.dirname, '..', '..', '..');
export const CONSOLE_DIST = join(REPO, 'dist', 'console');

function newest(dir: string): number {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export async function ensureConsoleBuilt(): Promise<void> {
  const index = join(CONSOLE_DIST, 'index.html');
  const config = join(REPO, 'vite.config.ts');
  const sources = Math.max(newest(join(REPO, 'console')), existsSync(config) ? statSync(config).mtimeMs : 0);
  if (existsSync(index) && statSync(index).mtimeMs > sources) return;
  const { build } = await import('vite');
  await build(
    existsSync(config)
      ? { configFile: config, root: join(REPO, 'console'), logLevel: 'warn' }
      : { configFile: false, root: join(REPO, 'console'), logLevel: 'warn', build: { outDir: CONSOLE_DIST, emptyOutDir: true } },
  );
}
