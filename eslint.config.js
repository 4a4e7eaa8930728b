// Flat config: typescript-eslint's recommended rules on the TypeScript sources, and the layering of
// ARCHITECTURE.md (scripts/layers.mjs) enforced on src/.
import tseslint from 'typescript-eslint';
import { layersPlugin } from './scripts/eslint-layer-rule.mjs';

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'data/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { ringside: layersPlugin },
    rules: { 'ringside/layers': 'error' },
  },
);
