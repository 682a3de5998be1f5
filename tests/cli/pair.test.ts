import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeModel } from '../../src/main/engine/models/write-model';
import { DATASETS } from '../helpers/images';
import { TINY_SRVGG, randomWeights } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

let env: NodeJS.ProcessEnv;
let dir: string;
const provenance = { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' };

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-pair-'));
  const models = join(dir, 'shipped');
  for (const [id, seed, spec] of [
    ['tiny-a', 1, TINY_SRVGG],
    ['tiny-b', 2, TINY_SRVGG],
    ['tiny-wide', 3, { ...TINY_SRVGG, features: 12 }],
  ] as const) {
    await writeModel(models, {
      id,
      name: id,
      role: 'general',
      spec,
      weights: randomWeights(spec, seed),
      provenance,
      dtype: 'float32',
    });
  }
  env = { UPRES_MODELS_DIR: models, UPRES_USER_DIR: join(dir, 'user') };
});

describe('upres models pair', () => {
  it('pairs two compatible models; the pair is listed and upscales at any α', async () => {
    const res = await runCli(
      ['models', 'pair', 'tiny-a', 'tiny-b', '--id', 'tiny-ab', '--alpha', '0.6'],
      env,
    );
    expect(res.code, res.stderr).toBe(0);
    expect(await readdir(join(dir, 'user', 'models'))).toEqual(['tiny-ab.pair.json']);
    const list = JSON.parse((await runCli(['models', '--json'], env)).stdout) as {
      models: { id: string; role: string; pair?: object }[];
    };
    expect(list.models.find((m) => m.id === 'tiny-ab')).toMatchObject({
      role: 'pair',
      pair: { fidelity: 'tiny-a', perceptual: 'tiny-b', defaultAlpha: 0.6 },
    });
    const input = join(dir, 'in.png');
    await sharp(`${DATASETS}Set5/bird.png`).resize(16, 16).png().toFile(input);
    const outs: Buffer[] = [];
    for (const alpha of ['0', '1']) {
      const up = await runCli(
        [
          'upscale',
          input,
          '-o',
          join(dir, `out-${alpha}`),
          '--model',
          'tiny-ab',
          '--alpha',
          alpha,
          '--json',
        ],
        env,
      );
      expect(up.code, up.stderr).toBe(0);
      outs.push(await sharp(JSON.parse(up.stdout).items[0].output).raw().toBuffer());
    }
    expect(outs[0].equals(outs[1])).toBe(false);
  });

  it('refuses incompatible models naming the tensor, duplicates, and α on single models', async () => {
    const bad = await runCli(['models', 'pair', 'tiny-a', 'tiny-wide', '--id', 'nope'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      'tensor body.0.weight is [8×3×3×3] in tiny-a but [12×3×3×3] in tiny-wide',
    );
    const dup = await runCli(['models', 'pair', 'tiny-b', 'tiny-a', '--id', 'tiny-a'], env);
    expect(dup.code).toBe(2);
    expect(dup.stderr).toMatch(/already exists/);
    const single = await runCli(
      ['upscale', join(dir, 'in.png'), '-o', dir, '--model', 'tiny-a', '--alpha', '0.5'],
      env,
    );
    expect(single.code).toBe(2);
    expect(single.stderr).toMatch(/--alpha applies to pairs/);
  });
});
