// The layer table (after VS Code's code-layering rule): each layer names the layers its files may
// import from. An import that resolves into a layer not in the table fails lint, so the rule that
// the engine never sees Electron, and the renderer never sees the engine, holds by construction.
import { dirname, relative, resolve, sep } from 'node:path';

/** Layer → the layers it may import (itself included where allowed). First match wins. */
export const LAYERS = [
  { name: 'shared', dir: 'src/shared', may: ['shared'] },
  { name: 'engine', dir: 'src/main/engine', may: ['shared', 'engine'] },
  { name: 'server', dir: 'src/main/server', may: ['shared', 'engine', 'server'] },
  { name: 'app', dir: 'src/main/app', may: ['shared', 'engine', 'app'] },
  { name: 'cli', dir: 'src/cli', may: ['shared', 'engine', 'server', 'cli'] },
  { name: 'preload', dir: 'src/preload', may: ['shared', 'preload'] },
  { name: 'renderer', dir: 'src/renderer', may: ['shared', 'renderer'] },
];

const root = resolve(import.meta.dirname, '..', '..');

function layerOf(file) {
  const rel = relative(root, file).split(sep).join('/');
  return LAYERS.find((l) => rel === l.dir || rel.startsWith(`${l.dir}/`));
}

const rule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the layer table in tools/eslint/layers.js' },
    schema: [],
    messages: {
      layer: "layer '{{from}}' may not import from layer '{{to}}' ({{spec}}); allowed: {{may}}",
    },
  },
  create(context) {
    const from = layerOf(context.filename);
    if (!from) return {};
    const check = (node, spec) => {
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(resolve(dirname(context.filename), spec));
      if (!to || from.may.includes(to.name)) return;
      context.report({
        node,
        messageId: 'layer',
        data: { from: from.name, to: to.name, spec, may: from.may.join(', ') },
      });
    };
    return {
      ImportDeclaration: (n) => check(n.source, n.source.value),
      ExportNamedDeclaration: (n) => n.source && check(n.source, n.source.value),
      ExportAllDeclaration: (n) => check(n.source, n.source.value),
      ImportExpression: (n) => n.source.type === 'Literal' && check(n.source, n.source.value),
    };
  },
};

export default { rules: { layers: rule } };
