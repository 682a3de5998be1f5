// The command line as plain JavaScript in out/cli, so `upres` starts without transpiling (tsx costs
// ~0.6 s in the CLI's process and again in every inference child). Built by the root package's
// `prepare` script at install, and again by bin/upres.js whenever a source file it was built from
// changed, so the build is never stale. Without esbuild (not installed), callers fall back to tsx.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const OUT = join(ROOT, 'out', 'cli');
const STAMP = join(OUT, 'build.json');

/**
 * Entries: the CLI, the small early start bin/upres.js runs before it, and the two child
 * processes the engine starts beside its own module.
 */
const ENTRIES = {
  main: 'src/cli/main.ts',
  'early-start': 'src/cli/early-start.ts',
  'inference-worker': 'src/main/engine/runtime/inference-worker.ts',
  'probe-process': 'src/main/engine/runtime/probe-process.ts',
};

/** Whether out/cli was built from exactly the source files that are there now (size and mtime). */
export function cliBuildFresh(stampFile = STAMP, root = ROOT) {
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampFile, 'utf8'));
  } catch {
    return false;
  }
  for (const [file, [size, mtime]] of Object.entries(stamp.inputs ?? {})) {
    try {
      const st = statSync(join(root, file));
      if (st.size !== size || st.mtimeMs !== mtime) return false;
    } catch {
      return false;
    }
  }
  return Object.keys(stamp.inputs ?? {}).length > 0;
}

/**
 * Builds out/cli from the sources; returns the CLI's entry. Built in a folder of its own and
 * swapped in, so a process starting meanwhile sees the old build or the new one, never half of one.
 */
export async function buildCli() {
  const { build } = await import('esbuild');
  const tmp = `${OUT}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    const result = await build({
      absWorkingDir: ROOT,
      entryPoints: ENTRIES,
      outdir: tmp,
      bundle: true,
      platform: 'node',
      format: 'esm',
      target: 'node20',
      // npm packages stay imports (native addons, their own files); only our sources are bundled.
      packages: 'external',
      // Code shared by the entries, and what a command imports on demand (`serve`'s server), goes
      // to chunks in the same folder: the engine still finds its children and build.json beside
      // import.meta.url, and a start loads only what its command needs.
      splitting: true,
      sourcemap: true,
      metafile: true,
      logLevel: 'error',
    });
    const inputs = {};
    const id = createHash('sha256');
    for (const file of Object.keys(result.metafile.inputs).sort()) {
      const st = statSync(join(ROOT, file));
      inputs[file] = [st.size, st.mtimeMs];
      id.update(file).update(readFileSync(join(ROOT, file)));
    }
    // The build id names this exact code (caches of what the code produced key on it).
    const stamp = { buildId: id.digest('hex').slice(0, 32), inputs };
    writeFileSync(join(tmp, 'build.json'), JSON.stringify(stamp));
    const old = `${OUT}.old-${process.pid}-${randomBytes(4).toString('hex')}`;
    try {
      renameSync(OUT, old);
    } catch {
      // nothing built before
    }
    try {
      renameSync(tmp, OUT);
    } catch {
      // Another process swapped its build in first: theirs is as fresh as ours.
    }
    rmSync(old, { recursive: true, force: true });
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return join(OUT, 'main.js');
}

/** The built CLI's entry, built first when missing or stale; undefined when it cannot be built. */
export async function freshCli() {
  if (cliBuildFresh()) return join(OUT, 'main.js');
  try {
    return await buildCli();
  } catch (err) {
    if (process.env.UPRES_DEBUG) console.error(`upres: running from source (${err.message})`);
    return undefined;
  }
}

/** The id of the build in out/cli (undefined without one). */
export function cliBuildId() {
  try {
    return JSON.parse(readFileSync(STAMP, 'utf8')).buildId;
  } catch {
    return undefined;
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  await buildCli();
  console.log(
    `upres: command line built in out/cli (${((performance.now() - t0) / 1000).toFixed(1)} s)`,
  );
}
