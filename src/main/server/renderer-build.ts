import { existsSync } from 'node:fs';
import { readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

/** The folder holding this package's package.json (the repository, or the installed package). */
export async function packageRoot(from = import.meta.dirname): Promise<string> {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const { name } = JSON.parse(await readFile(manifest, 'utf8')) as { name?: string };
      if (name === 'upres') return dir;
    }
    if (dirname(dir) === dir) throw new Error(`cannot find Upres's package.json above ${from}`);
  }
}

/** What the built page depends on: a newer file here means the build is stale. */
const SOURCES = ['src/renderer', 'src/shared', 'electron.vite.config.ts', 'package.json'];

async function newestMtime(path: string): Promise<number> {
  let st;
  try {
    st = await stat(path);
  } catch {
    return 0;
  }
  if (!st.isDirectory()) return st.mtimeMs;
  let newest = st.mtimeMs;
  for (const entry of await readdir(path)) {
    if (entry === 'node_modules' || entry.startsWith('.')) continue;
    newest = Math.max(newest, await newestMtime(join(path, entry)));
  }
  return newest;
}

/** Whether `out/renderer` is missing or older than the renderer's sources. */
export async function rendererBuildStale(root: string): Promise<boolean> {
  const built = await newestMtime(join(root, 'out', 'renderer', 'index.html'));
  if (built === 0) return true;
  const sources = await Promise.all(SOURCES.map((s) => newestMtime(join(root, s))));
  return Math.max(...sources) > built;
}

/**
 * Builds the renderer with Vite's JS API and the renderer section of electron.vite.config.ts (the
 * same page the Electron app loads), into `out/renderer`. Built beside it first and swapped in, so
 * a server already running never serves half a build.
 */
export async function buildRenderer(root: string): Promise<void> {
  const { build, loadConfigFromFile } = await import('vite');
  // Vite's own loader bundles the TypeScript config, so this works from the built CLI too (plain
  // Node cannot import a .ts file).
  const loaded = await loadConfigFromFile(
    { command: 'build', mode: 'production' },
    join(root, 'electron.vite.config.ts'),
    root,
    'silent',
  );
  const config = (loaded?.config as { renderer?: import('vite').UserConfig } | undefined)?.renderer;
  if (!config) throw new Error(`${join(root, 'electron.vite.config.ts')} has no renderer section`);
  const target = join(root, 'out', 'renderer');
  const tmp = join(root, 'out', `.renderer-${process.pid}-${Date.now()}`);
  // Vite builds for production only when NODE_ENV is unset or says so: a shell's or a test
  // runner's NODE_ENV (development, test) would otherwise put Svelte's dev build in out/renderer.
  const nodeEnv = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({
      ...config,
      configFile: false,
      envDir: false,
      mode: 'production',
      // Relative asset URLs, as electron-vite builds it, so file:// and http:// both work.
      base: './',
      logLevel: 'warn',
      build: {
        ...config.build,
        outDir: tmp,
        emptyOutDir: true,
        modulePreload: { polyfill: false },
        reportCompressedSize: false,
        rolldownOptions: { ...config.build?.rolldownOptions, checks: { pluginTimings: false } },
      },
    });
    await rm(target, { recursive: true, force: true });
    await rename(tmp, target);
  } finally {
    if (nodeEnv === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = nodeEnv;
    await rm(tmp, { recursive: true, force: true });
  }
}

/**
 * The built renderer's folder for `upres serve`: `out/renderer`, built first when it is missing
 * or older than its sources (a fresh clone after `npm install` needs no separate build step).
 */
export async function ensureRendererBuild(log: (line: string) => void): Promise<string> {
  const root = await packageRoot();
  const dir = join(root, 'out', 'renderer');
  if (await rendererBuildStale(root)) {
    if (!existsSync(join(root, 'src', 'renderer', 'index.html'))) {
      if (existsSync(join(dir, 'index.html'))) return dir;
      throw new Error(`no built renderer in ${dir} and no sources to build it from`);
    }
    log('building the user interface (once per change)…');
    const t0 = performance.now();
    await buildRenderer(root);
    log(`built in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
  return dir;
}
