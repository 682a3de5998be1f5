// `upres upscale --chain a,b` runs a 1× model and then a 4× model on every tile, each with its own
// context. Oracle: the two CLI passes one after the other (the first one's 8-bit PNG is the
// second's input), which may differ by that rounding only: ≤ 1 level.
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { DATASETS, readRgb } from '../helpers/images';
import { TINY_SRVGG, writeTinyModel } from '../helpers/random-models';
import { runCli } from '../helpers/run-cli';

const SPAN_X1 = join(import.meta.dirname, '..', 'fixtures', 'arch-modern', 'span-x1.pth');

let dir: string;
let env: NodeJS.ProcessEnv;
let input: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-chain-'));
  const shipped = join(dir, 'shipped');
  await writeTinyModel(shipped, 'tiny-x4', TINY_SRVGG, 5);
  env = { UPRES_MODELS_DIR: shipped, UPRES_USER_DIR: join(dir, 'user') };
  const imported = await runCli(['models', 'import', SPAN_X1, '--id', 'clean-x1'], env);
  expect(imported.code, imported.stderr).toBe(0);
  input = join(dir, 'in.png');
  await sharp(`${DATASETS}Set14/baboon.png`)
    .extract({ left: 100, top: 100, width: 72, height: 60 })
    .png()
    .toFile(input);
}, 60_000);

async function upscale(file: string, out: string, model: string[]): Promise<string> {
  const res = await runCli(['upscale', file, '-o', out, ...model, '--tile', '24', '--json'], env);
  expect(res.code, res.stderr).toBe(0);
  return (JSON.parse(res.stdout) as { items: { output: string }[] }).items[0].output;
}

describe('upres upscale --chain', () => {
  it('equals the two passes one after the other within one level', async () => {
    const first = await upscale(input, join(dir, 'pass1'), ['--model', 'clean-x1']);
    const second = await upscale(first, join(dir, 'pass2'), ['--model', 'tiny-x4']);
    const chained = await upscale(input, join(dir, 'chain'), ['--chain', 'clean-x1,tiny-x4']);
    const a = await readRgb(second);
    const b = await readRgb(chained);
    expect([b.width, b.height]).toEqual([288, 240]);
    expect([a.width, a.height]).toEqual([288, 240]);
    let max = 0;
    let differ = 0;
    for (let i = 0; i < a.data.length; i++) {
      const d = Math.abs(a.data[i] - b.data[i]);
      max = Math.max(max, d);
      if (d > 0) differ++;
    }
    console.log(`chain vs two passes: max ${max}, ${differ} of ${a.data.length} values differ`);
    expect(max).toBeLessThanOrEqual(1);
    // The first stage did something: the chain is not the 4× model alone.
    const alone = await readRgb(await upscale(input, join(dir, 'alone'), ['--model', 'tiny-x4']));
    expect(alone.data.some((v, i) => Math.abs(v - b.data[i]) > 8)).toBe(true);
  }, 120_000);

  it('the dial applies to the stage that is a pair', async () => {
    await writeTinyModel(join(dir, 'shipped'), 'tiny-x4b', TINY_SRVGG, 6);
    const paired = await runCli(['models', 'pair', 'tiny-x4', 'tiny-x4b', '--id', 'tiny-p'], env);
    expect(paired.code, paired.stderr).toBe(0);
    const at = async (alpha: string) =>
      readRgb(
        await upscale(input, join(dir, `dial-${alpha}`), [
          '--chain',
          'clean-x1,tiny-p',
          '--alpha',
          alpha,
        ]),
      );
    const [fidelity, perceptual] = [await at('0'), await at('1')];
    // α = 0 is the fidelity end, tiny-x4: the chain of the first test.
    const single = await readRgb(
      await upscale(input, join(dir, 'dial-ref'), ['--chain', 'clean-x1,tiny-x4']),
    );
    expect(fidelity.data.every((v, i) => Math.abs(v - single.data[i]) <= 1)).toBe(true);
    expect(perceptual.data.some((v, i) => Math.abs(v - fidelity.data[i]) > 8)).toBe(true);
  }, 120_000);

  it('refuses a chain of one model and unknown stages by name', async () => {
    const one = await runCli(['upscale', input, '-o', join(dir, 'x'), '--chain', 'tiny-x4'], env);
    expect(one.code).toBe(2);
    expect(one.stderr).toContain('--chain takes two or more model ids');
    const unknown = await runCli(
      ['upscale', input, '-o', join(dir, 'x'), '--chain', 'clean-x1,nope'],
      env,
    );
    expect(unknown.code).not.toBe(0);
    expect(unknown.stderr).toContain('nope');
  }, 60_000);
});
