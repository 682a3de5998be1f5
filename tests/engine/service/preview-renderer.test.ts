import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { QueueItem } from '../../../src/shared/queue';
import { decodeImage } from '../../../src/main/engine/pipeline/decode';
import { placePiece, planPieces } from '../../../src/main/engine/pipeline/preview-pieces';
import { tiledUpscale } from '../../../src/main/engine/pipeline/tiled-upscale';
import type { Raster } from '../../../src/main/engine/pipeline/raster';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { ModelCache } from '../../../src/main/engine/runtime/model-cache';
import { PreviewRenderer, type EndsPiece } from '../../../src/main/engine/service/preview-renderer';
import { TINY_SRVGG, loadTinyPair, rng } from '../../helpers/random-models';

let dir: string;
let pair: LoadedModel;
let item: QueueItem;
let runs = 0;
const W = 48;
const H = 40;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-ends-'));
  ({ pair } = await loadTinyPair(TINY_SRVGG, 4, 5));
  const run = pair.run.bind(pair);
  pair.run = (t, a) => {
    runs++;
    return run(t, a);
  };
  const input = join(dir, 'in.png');
  const r = rng(2);
  const px = Buffer.from(Array.from({ length: W * H * 3 }, () => Math.floor(r() * 256)));
  await sharp(px, { raw: { width: W, height: H, channels: 3 } })
    .png()
    .toFile(input);
  item = {
    id: 'one',
    input,
    settings: { model: 'pair', device: 'cpu', precision: 'fp32' },
  } as unknown as QueueItem;
});
afterAll(async () => {
  await pair?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** A renderer on a cache that serves the tiny pair (never disposed by the renderer's lease). */
function renderer(): PreviewRenderer {
  const cache = new ModelCache(async () => {
    const keep = Object.create(pair) as LoadedModel;
    keep.dispose = async () => undefined;
    return keep;
  });
  return new PreviewRenderer(cache);
}

describe('both ends piece by piece', () => {
  it('renders every piece of both ends, centre first, stitching into the whole render', async () => {
    const previews = renderer();
    const region = { x: 4, y: 3, w: 40, h: 33 };
    const got: EndsPiece[] = [];
    const plan = await previews.renderEnds(
      item,
      { region, piece: 12 },
      { onPiece: (p) => void got.push(p) },
    );
    expect(plan.pieces.length).toBe(12);
    expect(got.length).toBe(24);
    // Each piece of both ends before the next piece; the tally counts up.
    expect(got.slice(0, 2).map((p) => [p.end, p.index])).toEqual([
      ['fidelity', 0],
      ['perceptual', 0],
    ]);
    expect(got[1].ready).toEqual({ fidelity: 1, perceptual: 1 });
    expect(got.at(-1)!.ready).toEqual({ fidelity: 12, perceptual: 12 });
    const c = got[0].core;
    const [cx, cy] = [region.x + region.w / 2, region.y + region.h / 2];
    expect(cx >= c.x && cx <= c.x + c.w && cy >= c.y && cy <= c.y + c.h).toBe(true);

    const src = (await decodeImage(item.input)).rgb;
    for (const [end, alpha] of [
      ['fidelity', 0],
      ['perceptual', 1],
    ] as const) {
      const whole = await tiledUpscale(src, (t) => pair.run(t, alpha), {
        scale: 4,
        tile: 1000,
        overlap: 0,
      });
      const out: Raster = {
        width: region.w * 4,
        height: region.h * 4,
        channels: 3,
        data: new Uint8Array(region.w * region.h * 48),
      };
      for (const p of got.filter((g) => g.end === end))
        placePiece(out, region, p.core, p.raster, 4);
      for (let j = 0; j < out.height; j++) {
        const from = ((region.y * 4 + j) * whole.width + region.x * 4) * 3;
        const row = whole.data.subarray(from, from + out.width * 3);
        expect(
          Buffer.from(out.data.subarray(j * out.width * 3, (j + 1) * out.width * 3)).equals(
            Buffer.from(row),
          ),
        ).toBe(true);
      }
    }
    await previews.dispose();
  });

  it('a new request for the same item supersedes the old one: no further pieces of it', async () => {
    const previews = renderer();
    const region = { x: 0, y: 0, w: 36, h: 36 };
    const n = planPieces(region, { width: W, height: H }, 12, 24).length;
    runs = 0;
    let second: Promise<unknown> | undefined;
    const firstPieces: EndsPiece[] = [];
    const first = previews.renderEnds(
      item,
      { region, piece: 12 },
      {
        onPiece: (p) => {
          firstPieces.push(p);
          // The view moved after the first piece: the dial asks for the new region.
          second ??= previews.renderEnds(item, { region: { ...region, x: 6 }, piece: 12 });
        },
      },
    );
    await expect(first).rejects.toMatchObject({ code: 'cancelled' });
    await second;
    expect(firstPieces.length).toBe(1);
    // One run for the first job's piece, then all of the second's.
    expect(runs).toBe(1 + 2 * n);
    await previews.dispose();
  });

  it('stops before the next piece when its signal fires, and on cancelEnds', async () => {
    const previews = renderer();
    const region = { x: 0, y: 0, w: 36, h: 36 };
    const stop = new AbortController();
    runs = 0;
    const job = previews.renderEnds(
      item,
      { region, piece: 12 },
      {
        signal: stop.signal,
        onPiece: (p) => (p.ready.perceptual === 2 ? stop.abort() : undefined),
      },
    );
    await expect(job).rejects.toMatchObject({ code: 'cancelled' });
    expect(runs).toBe(4);
    runs = 0;
    const job2 = previews.renderEnds(
      item,
      { region, piece: 12 },
      { onPiece: () => previews.cancelEnds(item.id) },
    );
    await expect(job2).rejects.toMatchObject({ code: 'cancelled' });
    expect(runs).toBe(1);
    await previews.dispose();
  });

  it('an exact render asked for meanwhile waits for one piece at most', async () => {
    const previews = renderer();
    const region = { x: 0, y: 0, w: 36, h: 36 };
    const order: string[] = [];
    let exact: Promise<unknown> | undefined;
    const job = previews.renderEnds(
      item,
      { region, piece: 12 },
      {
        onPiece: (p) => {
          order.push(`${p.end}${p.index}`);
          exact ??= previews
            .render(item, { region, alpha: 0.5 })
            .then(() => void order.push('exact'));
        },
      },
    );
    await job;
    await exact;
    expect(order.indexOf('exact')).toBeLessThanOrEqual(2);
    await previews.dispose();
  });
});
