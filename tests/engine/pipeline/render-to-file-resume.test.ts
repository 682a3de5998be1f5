import { mkdtemp, readFile, rm, utimes } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../../../src/shared/engine-message';
import {
  renderToFile,
  type RenderToFileOptions,
} from '../../../src/main/engine/pipeline/render-to-file';
import { tileStoreDirFor } from '../../../src/main/engine/pipeline/tile-store';
import { loadWeights, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { TINY_SRVGG, randomWeights, rng } from '../../helpers/random-models';

let dir: string;
let model: LoadedModel;
let input: string;
const W = 40;
const H = 30;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-resume-'));
  model = await loadWeights('tiny', TINY_SRVGG, randomWeights(TINY_SRVGG), { device: 'cpu' });
  store.dir = join(dir, 'store');
  input = join(dir, 'in.png');
  const r = rng(11);
  const px = Buffer.from(Array.from({ length: W * H * 3 }, () => Math.floor(r() * 256)));
  await sharp(px, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toFile(input);
});
afterAll(async () => {
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

let n = 0;
const plan = { format: 'png' as const, width: W * 4, height: H * 4 };
const store = { dir: '', modelDigest: 'sha-tiny' };

/** Renders into a fresh temp file; `stopAt` fires the signal once that many tiles are done. */
async function render(
  extra: Partial<RenderToFileOptions> & { stopAt?: number } = {},
): Promise<{ file: string; restored: number; computed: number }> {
  const tmp = join(dir, `out-${n++}.png`);
  const stop = new AbortController();
  let restored = 0;
  let computed = 0;
  await renderToFile(model, input, {
    tmp,
    plan,
    tile: 12,
    overlap: 6,
    signal: stop.signal,
    ...extra,
    onTile: (p) => {
      if (p.restored) restored++;
      else computed++;
      if (p.tile === extra.stopAt) stop.abort();
    },
  });
  return { file: tmp, restored, computed };
}

const pixels = async (f: string) => (await sharp(f).raw().toBuffer()).toString('base64');

describe('renderToFile with a tile store', () => {
  it('resumes a stopped render from its finished tiles, to the same pixels', async () => {
    const whole = await render();
    expect(whole.computed).toBe(12);
    await expect(render({ tileStore: store, stopAt: 5 })).rejects.toMatchObject({
      code: 'cancelled',
    });
    const resumed = await render({ tileStore: store });
    expect([resumed.restored, resumed.computed]).toEqual([5, 7]);
    expect(await pixels(resumed.file)).toBe(await pixels(whole.file));
    // The output file itself is byte-identical (same encoder, same pixels, same metadata).
    expect((await readFile(resumed.file)).equals(await readFile(whole.file))).toBe(true);
    // The store is the caller's to discard (after the commit); a second run finds all its tiles.
    const again = await render({ tileStore: store });
    expect([again.restored, again.computed]).toEqual([12, 0]);
  });

  it('discards the tiles when a setting that decides them changes', async () => {
    await render({ tileStore: store });
    const other = await render({ tileStore: store, overlap: 4 });
    expect([other.restored, other.computed]).toEqual([0, 12]);
    const tta = await render({ tileStore: store, overlap: 4, tta: true });
    expect(tta.restored).toBe(0);
  });

  it('discards the tiles when the input file changed (its mtime)', async () => {
    await render({ tileStore: store });
    expect((await render({ tileStore: store })).restored).toBe(12);
    await utimes(input, new Date(), new Date(Date.now() + 10_000));
    const after = await render({ tileStore: store });
    expect([after.restored, after.computed]).toEqual([0, 12]);
  });

  it('goes on without a store it cannot create, with a note', async () => {
    const tmp = join(dir, 'no-store.png');
    const r = await renderToFile(model, input, {
      tmp,
      plan,
      tile: 12,
      overlap: 6,
      tileStore: { dir: join(input, 'cannot'), modelDigest: 'x' },
    });
    expect(r.notes.map(textOf).some((s) => s.includes('finished tiles are not kept'))).toBe(true);
  });

  it('places the store beside the output, hidden', () => {
    expect(tileStoreDirFor(join(dir, 'a.png'))).toBe(join(dir, '.a.png.upres-tiles'));
  });
});
