import sharp from 'sharp';
import type { LoadedModel } from '../runtime/loaded-model';
import type { Raster } from '../pipeline/raster';
import { tiledUpscale } from '../pipeline/tiled-upscale';
import { psnr } from './psnr';
import { seamSteps } from './seams';

export interface OverlapRow {
  overlap: number;
  feather: number;
  psnr: number;
  borderStep: number;
  elsewhereStep: number;
  work: number;
}

/** Tiled (small tiles, many seams) against untiled output for each overlap/feather pair. */
export async function benchOverlap(
  model: LoadedModel,
  image: string,
  crop: number,
  tile: number,
  pairs: [number, number][],
): Promise<OverlapRow[]> {
  const { data, info } = await sharp(image)
    .removeAlpha()
    .extract({ left: 0, top: 0, width: crop, height: crop })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const input: Raster = {
    width: info.width,
    height: info.height,
    channels: 3,
    data: new Uint8Array(data),
  };
  const run = (t: Parameters<LoadedModel['run']>[0]) => model.run(t);
  const untiled = await tiledUpscale(input, run, { scale: model.scale, tile: crop, overlap: 0 });
  const rows: OverlapRow[] = [];
  for (const [overlap, feather] of pairs) {
    const tiled = await tiledUpscale(input, run, { scale: model.scale, tile, overlap, feather });
    const s = seamSteps(tiled, untiled, tile * model.scale);
    rows.push({
      overlap,
      feather,
      psnr: psnr(tiled.data, untiled.data),
      borderStep: s.border,
      elsewhereStep: s.elsewhere,
      work: ((256 + 2 * overlap) / 256) ** 2,
    });
  }
  return rows;
}
