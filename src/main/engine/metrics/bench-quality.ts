import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import sharp from 'sharp';
import type { Raster } from '../pipeline/raster';
import { selfEnsemble } from '../pipeline/self-ensemble';
import { tiledUpscale } from '../pipeline/tiled-upscale';
import { chooseTileSize } from '../pipeline/choose-tile-size';
import type { LoadedModel } from '../runtime/loaded-model';
import { matlabResize } from './matlab-resize';
import { lumaY, psnrY, ssimY } from './quality-metrics';

export interface QualityRow {
  image: string;
  psnr: number;
  ssim: number;
  /** Seconds spent upscaling this image (LR making and scoring excluded). */
  seconds: number;
}

export interface QualityReport {
  dataset: string;
  model: string;
  alpha?: number;
  scale: number;
  /** Whether the geometric self-ensemble (8 flips / rotations averaged) was on. */
  tta: boolean;
  /** Upscaling seconds summed over the images. */
  seconds: number;
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
  opt: { tta?: boolean } = {},
): Promise<QualityReport> {
  const tta = opt.tta ?? false;
  if (model && model.scale !== scale)
    throw new Error(`${model.id} upscales ×${model.scale}, not ×${scale}`);
  if (tta && !model) throw new Error('self-ensemble (TTA) needs a model, not bicubic');
  const upscale = async (m: LoadedModel, lr: Raster): Promise<Raster> => {
    const run = await m.jobRunner(alpha, lr.width * lr.height * (tta ? 8 : 1));
    return tiledUpscale(lr, tta ? selfEnsemble(run) : run, {
      scale,
      tile: chooseTileSize(m, m.defaultOverlap),
      overlap: m.defaultOverlap,
      feather: m.defaultFeather,
    });
  };
  const names = (await readdir(dataset)).filter((n) => IMAGES.has(extname(n).toLowerCase())).sort();
  if (names.length === 0) throw new Error(`${dataset}: no images`);
  const images: QualityRow[] = [];
  for (const name of names) {
    const hr = await readHr(join(dataset, name), scale);
    const lr = matlabResize(hr, 1 / scale);
    const t0 = performance.now();
    const sr = model ? await upscale(model, lr) : matlabResize(lr, scale);
    const seconds = (performance.now() - t0) / 1000;
    const a = lumaY(sr, scale);
    const b = lumaY(hr, scale);
    const row = {
      image: name,
      psnr: psnrY(a.y, b.y),
      ssim: ssimY(a.y, b.y, a.w, a.h),
      seconds,
    };
    images.push(row);
    onImage?.(row);
  }
  const mean = (k: 'psnr' | 'ssim'): number => images.reduce((s, r) => s + r[k], 0) / images.length;
  return {
    dataset,
    model: model?.id ?? 'bicubic',
    alpha,
    scale,
    tta,
    seconds: images.reduce((s, r) => s + r.seconds, 0),
    mean: { psnr: mean('psnr'), ssim: mean('ssim') },
    images,
  };
}
