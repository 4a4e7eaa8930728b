// The console's build (docs/console.md, "How it is built"): `npm run build` runs `vite build` after tsc.
// The single-page app in console/ (Preact + uPlot) is bundled into dist/console, which Ringside serves at /
// (src/api/console/console-assets.ts): hashed files under assets/, index.html never cached.
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'console',
  // Relative to root: dist/console at the repository's top, beside dist/src from tsc.
  build: { outDir: '../dist/console', emptyOutDir: true, assetsDir: 'assets' },
  // Vite 8 transforms TypeScript and JSX with oxc: JSX compiles to Preact's automatic runtime, no plugin needed.
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
});
