import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import type { EngineEvent } from '../../src/shared/api';
import { ModelRegistry } from '../../src/main/engine/models/model-registry';
import { writeModel } from '../../src/main/engine/models/write-model';
import { writePair } from '../../src/main/engine/models/write-pair';
import { AppEngine } from '../../src/main/engine/service/app-engine';
import { TINY_SRVGG, randomWeights, rng } from './random-models';

const provenance = { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' };

/** A scratch world for the app engine: tiny random models, a pair of them, a folder of photos. */
export interface EngineWorld {
  dir: string;
  userData: string;
  registry: ModelRegistry;
  /** Folder with two small random PNGs (a.png 16×12, b.png 12×10). */
  photos: string;
  open(): Promise<AppEngine>;
  cleanup(): Promise<void>;
}

/** Writes a small random RGB PNG. */
export async function randomPng(path: string, width: number, height: number, seed: number) {
  const r = rng(seed);
  const data = Buffer.from(Uint8Array.from({ length: width * height * 3 }, () => r() * 256));
  await sharp(data, { raw: { width, height, channels: 3 } })
    .png()
    .toFile(path);
}

/** Models `tiny-a`, `tiny-b` (×4 SRVGG, random) and their pair `tiny-ab`, in temp folders. */
export async function engineWorld(prefix: string): Promise<EngineWorld> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const shipped = join(dir, 'shipped');
  const user = join(dir, 'user-models');
  for (const [id, seed] of [
    ['tiny-a', 1],
    ['tiny-b', 2],
  ] as const) {
    await writeModel(shipped, {
      id,
      name: id,
      role: 'general',
      spec: TINY_SRVGG,
      weights: randomWeights(TINY_SRVGG, seed),
      provenance,
      dtype: 'float32',
    });
  }
  const registry = await ModelRegistry.open({ shipped, user });
  await writePair(registry, user, { id: 'tiny-ab', fidelity: 'tiny-a', perceptual: 'tiny-b' });
  await registry.refresh();
  const photos = join(dir, 'photos');
  await mkdir(photos);
  await randomPng(join(photos, 'a.png'), 16, 12, 11);
  await randomPng(join(photos, 'b.png'), 12, 10, 12);
  const userData = join(dir, 'user-data');
  return {
    dir,
    userData,
    registry,
    photos,
    open: () => AppEngine.open({ userData, registry, version: '0.0.0-test' }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** Collects an engine's events; `until` waits for one that matches. */
export function recordEvents(engine: AppEngine) {
  const events: EngineEvent[] = [];
  const waiters: { test: (e: EngineEvent) => boolean; done: (e: EngineEvent) => void }[] = [];
  engine.on('event', (e) => {
    events.push(e);
    for (const w of [...waiters])
      if (w.test(e)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done(e);
      }
  });
  return {
    events,
    until(test: (e: EngineEvent) => boolean, timeoutMs = 60_000): Promise<EngineEvent> {
      const seen = events.find(test);
      if (seen) return Promise.resolve(seen);
      return new Promise((done, fail) => {
        const timer = setTimeout(
          () => fail(new Error('timed out waiting for an event')),
          timeoutMs,
        );
        waiters.push({
          test,
          done: (e) => {
            clearTimeout(timer);
            done(e);
          },
        });
      });
    },
  };
}
