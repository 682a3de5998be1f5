// A chain id submitted to the farm ("clean first with …", `--chain a,b`) runs on a worker's lane as
// it runs locally: every stage is resolved in the worker's own registry. The oracle is the same
// chain rendered by a local UpscaleQueue-free path: the two models' files run one after the other.
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ItemSettings } from '../../../src/shared/queue';
import type { ArchitectureSpec } from '../../../src/shared/architecture';
import { FarmLane, type LaneOutcome } from '../../../src/main/engine/farm/farm-lane';
import type { FarmJobData } from '../../../src/main/engine/farm/farm-types';
import { ModelRegistry } from '../../../src/main/engine/models/model-registry';
import { psnr } from '../../../src/main/engine/metrics/psnr';
import { loadChain } from '../../../src/main/engine/runtime/chain-model';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import { TINY_SRVGG, writeTinyModel } from '../../helpers/random-models';
import { DATASETS, readRgb } from '../../helpers/images';

const CLEAN: ArchitectureSpec = { ...TINY_SRVGG, scale: 1 };

let dir: string;
let registry: ModelRegistry;
let lane: FarmLane;
let input: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-farm-chain-'));
  const shipped = join(dir, 'models');
  await writeTinyModel(shipped, 'clean', CLEAN, 3);
  await writeTinyModel(shipped, 'up', TINY_SRVGG, 5);
  registry = await ModelRegistry.open({ shipped, user: join(dir, 'user') });
  lane = await FarmLane.open(registry, () => undefined, join(dir, 'lanes'));
  await mkdir(join(dir, 'in'));
  await mkdir(join(dir, 'out'));
  input = join(dir, 'in', 'photo.png');
  await sharp(`${DATASETS}photos/DSCN0021.jpg`)
    .extract({ left: 300, top: 200, width: 40, height: 30 })
    .png()
    .toFile(input);
});
afterAll(async () => {
  await lane?.close();
  await rm(dir, { recursive: true, force: true });
});

function runJob(model: string, name: string): Promise<LaneOutcome> {
  const data: FarmJobData = {
    v: 1,
    batch: 'b',
    input,
    root: join(dir, 'in'),
    relDir: '',
    outDir: join(dir, 'out'),
    nameTemplate: name,
    onExists: 'suffix',
    settings: ItemSettings.parse({ model, format: 'png' }),
  };
  const job = { input, root: data.root, outDir: data.outDir, outFolder: data.outDir };
  const hooks = { noteTemp: async () => undefined, claim: async () => true };
  return lane.run(job, data, hooks, {
    progress: () => undefined,
    stop: new AbortController().signal,
  });
}

describe('a chain id on a farm worker', () => {
  it('renders the chain, equal to its stages run one after the other', async () => {
    const res = await runJob('clean,up', '{name}_chain');
    expect(res.kind, JSON.stringify(res)).toBe('done');
    const output = (res as { item: { output?: string } }).item.output!;
    const got = await readRgb(output);
    expect([got.width, got.height]).toEqual([160, 120]);
    const chain = await loadChain(registry, 'clean,up', { device: 'cpu' });
    try {
      const src = await readRgb(input);
      const want = await tiledUpscale(src, (t) => chain.run(t), {
        scale: 4,
        tile: 64,
        overlap: 0,
      });
      expect(psnr(got.data, want.data)).toBeGreaterThanOrEqual(45);
    } finally {
      await chain.dispose();
    }
  }, 60_000);

  it('a chain with a stage the worker lacks fails as model.unknown, naming it', async () => {
    const res = await runJob('gone,up', '{name}_gone');
    expect(res.kind).toBe('failed');
    const error = (res as { error: { code: string; message: string } }).error;
    expect(error.code).toBe('model.unknown');
    expect(error.message).toMatch(/gone/);
    expect(error.message).toMatch(/photo\.png/);
  }, 60_000);
});
