import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ArchitectureSpec } from '../../../src/shared/architecture';
import { writeModel } from '../../../src/main/engine/models/write-model';
import { ModelRegistry } from '../../../src/main/engine/models/model-registry';
import { writePair } from '../../../src/main/engine/models/write-pair';
import { ensureRendererBuild } from '../../../src/main/server/renderer-build';
import { randomWeights, TINY_RRDB, TINY_SRVGG } from '../../helpers/random-models';

const BIN = fileURLToPath(new URL('../../../bin/upres.js', import.meta.url));
const provenance = { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' };

/** The pair the e2e photos are added with (two random ×4 SRVGG ends), and its default α. */
export const PAIR = 'tiny-pair';
export const PAIR_DEFAULT_ALPHA = 0.8;
/** A single ×4 RRDBNet, slow enough per tile (with a small fixed tile) to cancel mid-item. */
export const SLOW = 'tiny-rrdb';
const SLOW_SPEC: ArchitectureSpec = { ...TINY_RRDB, features: 16, blocks: 2, growth: 8 };
/** A pair of two such RRDBNets: its ends take a second or more per piece, long enough to watch. */
export const SLOW_PAIR = 'slow-pair';

/** A single 1× model (random SRVGG) to "clean first with" before the pair: a chain. */
export const CLEAN = 'tiny-clean';
const CLEAN_SPEC: ArchitectureSpec = { ...TINY_SRVGG, scale: 1 };

/** Folders of one `upres serve` under test: models, the user's folder, scratch for photos. */
export interface ServeWorld {
  dir: string;
  env: NodeJS.ProcessEnv;
  cleanup(): Promise<void>;
}

/** Builds the renderer once (as `upres serve` would, so servers started later find it fresh). */
export async function buildRendererOnce(): Promise<void> {
  await ensureRendererBuild(() => undefined);
}

/**
 * Tiny random models (a pair `tiny-pair` of `tiny-f` ↔ `tiny-p`, `tiny-rrdb`, the pair
 * `slow-pair` of two such RRDBNets, and the 1× `tiny-clean`), a user folder
 * whose saved settings add new photos with the pair, and the environment that points
 * `upres serve` (and the CLI, for reference renders) at them.
 */
export async function serveWorld(prefix: string): Promise<ServeWorld> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const shipped = join(dir, 'models');
  const userData = join(dir, 'user');
  const userModels = join(userData, 'models');
  for (const [id, role, seed] of [
    ['tiny-f', 'fidelity', 11],
    ['tiny-p', 'perceptual', 12],
  ] as const) {
    await writeModel(shipped, {
      id,
      name: id,
      role,
      spec: TINY_SRVGG,
      weights: randomWeights(TINY_SRVGG, seed),
      provenance,
      dtype: 'float32',
    });
  }
  for (const [id, role, seed] of [
    [SLOW, 'general', 5],
    ['slow-f', 'fidelity', 6],
    ['slow-p', 'perceptual', 7],
  ] as const)
    await writeModel(shipped, {
      id,
      name: id === SLOW ? 'Tiny RRDB' : id,
      role,
      spec: SLOW_SPEC,
      weights: randomWeights(SLOW_SPEC, seed),
      provenance,
      dtype: 'float32',
    });
  await writeModel(shipped, {
    id: CLEAN,
    name: 'Tiny clean',
    role: 'general',
    spec: CLEAN_SPEC,
    weights: randomWeights(CLEAN_SPEC, 13),
    provenance,
    dtype: 'float32',
  });
  const registry = await ModelRegistry.open({ shipped, user: userModels });
  await writePair(registry, userModels, {
    id: PAIR,
    name: 'Tiny pair',
    fidelity: 'tiny-f',
    perceptual: 'tiny-p',
    defaultAlpha: PAIR_DEFAULT_ALPHA,
  });
  await writePair(registry, userModels, {
    id: SLOW_PAIR,
    name: 'Slow pair',
    fidelity: 'slow-f',
    perceptual: 'slow-p',
  });
  await writeFile(
    join(userData, 'settings.json'),
    `${JSON.stringify({ model: PAIR, device: 'cpu' })}\n`,
  );
  await mkdir(join(dir, 'photos'), { recursive: true });
  // As from a user's shell: not the test runner's NODE_ENV=test.
  const { NODE_ENV: _, ...env } = process.env;
  return {
    dir,
    env: { ...env, UPRES_MODELS_DIR: shipped, UPRES_USER_DIR: userData },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** A running `upres serve` child process and the address it printed. */
export interface Served {
  url: string;
  /** Everything it wrote to stderr (its log), for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts `upres serve --port 0 --no-open` as a user would and waits for its address. */
export function startServe(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<Served> {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'serve', '--port', '0', '--no-open'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(killer);
    }
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`upres serve printed no address in ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const m = /running at (http:\/\/127\.0\.0\.1:\d+\/\S*)/.exec(stdout);
      if (m) {
        clearTimeout(timer);
        resolve({ url: m[1], log: () => stderr, stop });
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`upres serve exited (${code}) before printing its address:\n${stderr}`));
    });
  });
}
