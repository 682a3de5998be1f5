import { freemem } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { LoadedModel } from '../upscaler';
import { decodeImage } from './decode';
import { encodeImage, extensionOf, formatForInput, type OutputFormat } from './encode';
import { writeNewFile } from './safe-write';
import { selfEnsemble } from './self-ensemble';
import { autoTileSize, planTiles } from './tile-plan';
import { tiledUpscale, type TileProgress } from './tiled-upscale';

export interface UpscaleImageOptions {
  outDir: string;
  /** Output format; defaults to the input's (PNG for formats Upres does not write). */
  format?: OutputFormat;
  quality?: number;
  /** Blend factor for pairs: 0 = fidelity, 1 = perceptual (default: the pair's). */
  alpha?: number;
  /** Output size ÷ input size; defaults to the model's scale (others finish with a Lanczos resize). */
  scale?: number;
  /** Tile core in input px; `undefined` picks from available memory. */
  tile?: number;
  overlap?: number;
  /** Geometric self-ensemble: average the 8 flips / rotations of every tile (8× the time). */
  tta?: boolean;
  signal?: AbortSignal;
  onTile?: (p: TileProgress) => void;
}

export interface UpscaleImageResult {
  output: string;
  width: number;
  height: number;
  outWidth: number;
  outHeight: number;
  tile: number;
}

/** Tile core size for a model from free memory (a quarter of it at most 4 GiB). */
export function chooseTileSize(model: LoadedModel, overlap: number): number {
  const budget = Math.min(freemem() / 4, 4 * 1024 ** 3);
  return autoTileSize(model.spec.kind, budget, overlap);
}

/** Output path for an input: `<outDir>/<name>_x<scale>.<ext>` (a free variant is chosen on write). */
export function outputPathFor(
  input: string,
  outDir: string,
  scale: number,
  format: OutputFormat,
): string {
  return join(outDir, `${basename(input, extname(input))}_x${scale}.${extensionOf(format)}`);
}

/** Upscales one image file with a loaded model and writes the result atomically into `outDir`. */
export async function upscaleImage(
  model: LoadedModel,
  input: string,
  opt: UpscaleImageOptions,
): Promise<UpscaleImageResult> {
  const img = await decodeImage(input);
  const overlap = opt.overlap ?? model.defaultOverlap;
  const tile = opt.tile ?? chooseTileSize(model, overlap);
  const work = planTiles(img.rgb.width, img.rgb.height, tile, overlap).reduce(
    (n, t) => n + t.region.w * t.region.h,
    0,
  );
  const run = await model.jobRunner(opt.alpha, opt.tta ? 8 * work : work);
  const rgb = await tiledUpscale(img.rgb, opt.tta ? selfEnsemble(run) : run, {
    scale: model.scale,
    tile,
    overlap,
    feather: Math.min(model.defaultFeather, overlap),
    signal: opt.signal,
    onTile: opt.onTile,
  });
  const format = opt.format ?? formatForInput(img.format);
  const scale = opt.scale ?? model.scale;
  const outWidth = Math.max(1, Math.round(img.rgb.width * scale));
  const outHeight = Math.max(1, Math.round(img.rgb.height * scale));
  let bytes: Buffer;
  try {
    bytes = await encodeImage(rgb, img.alpha, {
      format,
      quality: opt.quality,
      width: outWidth,
      height: outHeight,
    });
  } catch (err) {
    throw new Error(`${input}: cannot encode ${format}: ${(err as Error).message}`, { cause: err });
  }
  const output = await writeNewFile(outputPathFor(input, opt.outDir, scale, format), bytes);
  return { output, width: img.rgb.width, height: img.rgb.height, outWidth, outHeight, tile };
}
