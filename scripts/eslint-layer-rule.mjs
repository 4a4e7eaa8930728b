// ESLint rule `ringside/layers`: every relative import is resolved against the importing file and checked
// against the layering in scripts/layers.mjs; bare imports are checked against the layer's package bans.
// Test files beside a layer (*.test.ts) follow the layer rules but may use any package (node:test, ws).
import { dirname, resolve } from 'node:path';
import { layerOf, layerViolation, packageViolation } from './layers.mjs';

export const layersRule = {
  meta: { type: 'problem', docs: { description: 'dependencies point downward only (ARCHITECTURE.md)' }, schema: [] },
  create(context) {
    const file = context.filename;
    const root = context.cwd;
    const from = layerOf(root, file);
    if (from === undefined) return {};
    const isTest = file.endsWith('.test.ts');
    const check = (node) => {
      const source = node.source;
      if (!source || source.type !== 'Literal' || typeof source.value !== 'string') return;
      const spec = source.value;
      let problem;
      if (spec.startsWith('.')) problem = layerViolation(from, layerOf(root, resolve(dirname(file), spec)));
      else if (!isTest) problem = packageViolation(from, spec);
      if (problem) context.report({ node: source, message: `${problem}: '${spec}'` });
    };
    return { ImportDeclaration: check, ExportNamedDeclaration: check, ExportAllDeclaration: check, ImportExpression: check };
  },
};

export const layersPlugin = { rules: { layers: layersRule } };
