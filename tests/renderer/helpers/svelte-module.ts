import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { compileModule } from 'svelte/compiler';
import ts from 'typescript';

/** The path of a module in src/renderer/lib. */
export const rendererLib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}`, import.meta.url));

/**
 * Loads a `*.svelte.ts` module as the app's build does (TypeScript stripped, then Svelte's
 * compiler turns the runes into signals), so the classes run with real runes. This vitest has no
 * Svelte plugin: each compiled module goes to a temp folder with its imports made absolute, and the
 * `*.svelte.ts` modules it imports are compiled the same way.
 */
export async function loadSvelteModule(path: string): Promise<unknown> {
  const dir = mkdtempSync(join(tmpdir(), 'upres-svelte-'));
  try {
    const out = compileInto(dir, path, new Map());
    return await import(/* @vite-ignore */ pathToFileURL(out).href);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function compileInto(dir: string, path: string, done: Map<string, string>): string {
  const known = done.get(path);
  if (known) return known;
  const out = join(dir, `m${done.size}.mjs`);
  done.set(path, out);
  const js = ts.transpileModule(readFileSync(path, 'utf8'), {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
  }).outputText;
  const compiled = compileModule(js, {
    filename: path.replace(/\.ts$/, '.js'),
    generate: 'client',
  }).js.code;
  const client = import.meta.resolve('svelte/internal/client');
  const code = compiled.replace(/from\s+'([^']+)'/g, (whole, spec: string) => {
    if (spec === 'svelte/internal/client') return `from '${client}'`;
    if (!spec.startsWith('.')) return whole;
    const target = resolve(dirname(path), `${spec}.ts`);
    const url = spec.endsWith('.svelte')
      ? pathToFileURL(compileInto(dir, target, done)).href
      : pathToFileURL(target).href;
    return `from '${url}'`;
  });
  writeFileSync(out, code);
  return out;
}
