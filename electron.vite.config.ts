import { resolve } from 'node:path';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'electron-vite';
import type { Plugin } from 'vite';
import { rendererCsp } from './src/shared/content-security-policy';

const root = import.meta.dirname;
const CSP_META = /(<meta\s+http-equiv="Content-Security-Policy"\s+content=")[^"]*(")/;

/** Writes the renderer's CSP into index.html: strict in builds, relaxed for Vite's dev server. */
function cspMeta(): Plugin {
  let dev = false;
  return {
    name: 'upres:csp-meta',
    configResolved(config) {
      dev = config.command === 'serve';
    },
    transformIndexHtml(html) {
      if (!CSP_META.test(html)) throw new Error('src/renderer/index.html lacks its CSP meta tag');
      return html.replace(CSP_META, `$1${rendererCsp({ transport: 'electron', dev })}$2`);
    },
  };
}

export default defineConfig({
  main: {
    build: {
      rolldownOptions: {
        // The engine starts its worker as `./inference-worker.js` beside the bundled main module,
        // and an imported model's trial run as the child process `./probe-process.js`.
        input: {
          index: resolve(root, 'src/main/app/index.ts'),
          'inference-worker': resolve(root, 'src/main/engine/runtime/inference-worker.ts'),
          'probe-process': resolve(root, 'src/main/engine/runtime/probe-process.ts'),
        },
        output: {
          format: 'es',
          entryFileNames: '[name].js',
          chunkFileNames: 'chunks/[name]-[hash].js',
        },
      },
    },
  },
  preload: {
    build: {
      // A sandboxed preload can only require('electron'): bundle everything else, as CommonJS.
      externalizeDeps: false,
      rolldownOptions: {
        input: { index: resolve(root, 'src/preload/index.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(root, 'src/renderer'),
    plugins: [svelte(), cspMeta()],
    build: {
      rolldownOptions: { input: resolve(root, 'src/renderer/index.html') },
    },
  },
});
