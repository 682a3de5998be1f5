import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import type { Raster } from '../pipeline/raster';
import { tiledUpscale } from '../pipeline/tiled-upscale';
import { chooseTileSize } from '../pipeline/upscale-image';
import type { LoadedModel } from '../upscaler';
import { matlabResize } from './matlab-resize';
import { lumaY, psnrY, ssimY } from './quality-metrics';

export interface QualityRow {
  image: string;
  psnr: number;
  ssim: number;
}

export interface QualityReport {
  dataset: string;
  model: string;
  alpha?: number;
  scale: number;
  mean: { psnr: number; ssim: number };
  images: QualityRow[];
}

const IMAGES = new Set(['.png', '.jpg', '.jpeg', '.bmp', '.tif', '.tiff', '.webp']);

/** An HR image as 8-bit RGB, cropped to a multiple of the scale. */
async function readHr(path: string, scale: number): Promise<Raster> {
  const { data, info } = await sharp(path)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  const w = info.width - (info.width % scale);
  const h = info.height - (info.height % scale);
  const out = new Uint8Array(w * h * 3);
  for (let y = 0; y < h; y++)
    out.set(data.subarray(y * info.width * 3, y * info.width * 3 + w * 3), y * w * 3);
  return { width: w, height: h, channels: 3, data: out };
}

/**
 * The EDSR / ESRGAN protocol: LR by MATLAB bicubic, upscale, PSNR and SSIM on BT.601 luma with
 * `scale` border pixels cropped. `model` undefined means bicubic upsampling (the baseline).
 */
export async function benchQuality(
  dataset: string,
  scale: number,
  model?: LoadedModel,
  alpha?: number,
  onImage?: (row: QualityRow) => void,
): Promise<QualityReport> {
  if (model && model.scale !== scale)
    throw new Error(`${model.id} upscales ×${model.scale}, not ×${scale}`);
  const names = (await readdir(dataset)).filter((n) => IMAGES.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new Error(`${dataset}: no images`);
  const images: QualityRow[] = [];
  for (const name of names) {
    const hr = await readHr(join(dataset, name), scale);
    const lr = matlabResize(hr, 1 / scale);
    const sr = model
      ? await tiledUpscale(lr, await model.jobRunner(alpha, lr.width * lr.height), {
          scale,
          tile: chooseTileSize(model, model.defaultOverlap),
          overlap: model.defaultOverlap,
          feather: model.defaultFeather,
        })
      : matlabResize(lr, scale);
    const a = lumaY(sr, scale);
    const b = lumaY(hr, scale);
    const row = { image: name, psnr: psnrY(a.y, b.y), ssim: ssimY(a.y, b.y, a.w, a.h) };
    images.push(row);
    onImage?.(row);
  }
  const mean = (k: 'psnr' | 'ssim'): number => images.reduce((s, r) => s + r[k], 0) / images.length;
  return {
    dataset,
    model: model?.id ?? 'bicubic',
    alpha,
    scale,
    mean: { psnr: mean('psnr'), ssim: mean('ssim') },
    images,
  };
}
