// The layer table (after VS Code's code-layering rule): each layer names the layers its files may
// import from. An import that resolves into a layer not in the table fails lint, so the rule that
// the engine never sees Electron, and the renderer never sees the engine, holds by construction.
import { dirname, relative, resolve, sep } from 'node:path';

/**
 * Layer → the layers it may import (itself included where allowed). A layer is a folder (`dir`)
 * or one file (`file`); first match wins. The transports (app, server) see the engine only
 * through its public surface, `engine-api`, never its rooms.
 */
export const LAYERS = [
  { name: 'shared', dir: 'src/shared', may: ['shared'] },
  { name: 'engine-api', file: 'src/main/engine/index.ts', may: ['shared', 'engine'] },
  { name: 'engine', dir: 'src/main/engine', may: ['shared', 'engine'] },
  { name: 'server', dir: 'src/main/server', may: ['shared', 'engine-api', 'server'] },
  { name: 'app', dir: 'src/main/app', may: ['shared', 'engine-api', 'app'] },
  { name: 'cli', dir: 'src/cli', may: ['shared', 'engine-api', 'engine', 'server', 'cli'] },
  { name: 'preload', dir: 'src/preload', may: ['shared', 'preload'] },
  { name: 'renderer', dir: 'src/renderer', may: ['shared', 'renderer'] },
];

const root = resolve(import.meta.dirname, '..', '..');

const stripExt = (path) => path.replace(/\.[cm]?[jt]s$/, '');

/** The ways an import can name a file: `x/index.ts`, `x/index.js`, `x/index`, `x`. */
function fileMatches(rel, file) {
  const bare = stripExt(file);
  const asFolder = bare.endsWith('/index') ? bare.slice(0, -'/index'.length) : undefined;
  return stripExt(rel) === bare || rel === asFolder;
}

function layerOf(path) {
  const rel = relative(root, path).split(sep).join('/');
  return LAYERS.find((l) =>
    l.file ? fileMatches(rel, l.file) : rel === l.dir || rel.startsWith(`${l.dir}/`),
  );
}

const describe = (name) => {
  const layer = LAYERS.find((l) => l.name === name);
  return layer?.file ? `${name} (${layer.file})` : name;
};

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
        data: { from: from.name, to: to.name, spec, may: from.may.map(describe).join(', ') },
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
