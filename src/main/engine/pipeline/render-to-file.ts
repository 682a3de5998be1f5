import { writeFile } from 'node:fs/promises';
import type { MetadataPolicy, TransparencyMode } from '../../../shared/queue';
import type { LoadedModel } from '../upscaler';
import { decodeImage } from './decode';
import { encodeImage, type OutputFormat } from './encode';
import { selfEnsemble } from './self-ensemble';
import { planTiles } from './tile-plan';
import { tiledUpscale } from './tiled-upscale';
import { chooseTileSize } from './upscale-image';

export interface RenderToFileOptions {
  /** The file to write (a temp file beside the final output; must not exist). */
  tmp: string;
  format: OutputFormat;
  quality?: number;
  /** Final size (the model's output is resized with Lanczos when it differs). */
  outWidth: number;
  outHeight: number;
  /** Blend factor for pairs. */
  alpha?: number;
  /** Tile core in input px (default: from free memory). */
  tile?: number;
  overlap?: number;
  tta?: boolean;
  keepMetadata?: MetadataPolicy;
  transparency?: TransparencyMode;
  signal?: AbortSignal;
  /** Called with the tile size once chosen, before the first tile. */
  onPlan?: (tileSize: number) => void;
  onTile?: (p: { tile: number; tiles: number; tileSize: number }) => void;
}

export interface RenderToFileResult {
  width: number;
  height: number;
  tileSize: number;
}

/** Decodes, upscales tile by tile and encodes one image into `opt.tmp`. */
export async function renderToFile(
  model: LoadedModel,
  input: string,
  opt: RenderToFileOptions,
): Promise<RenderToFileResult> {
  const img = await decodeImage(input);
  const overlap = opt.overlap ?? model.defaultOverlap;
  const tile = opt.tile ?? chooseTileSize(model, overlap);
  opt.onPlan?.(tile);
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
    onTile: (p) => opt.onTile?.({ ...p, tileSize: tile }),
  });
  let bytes: Buffer;
  try {
    bytes = await encodeImage(rgb, img.alpha, {
      format: opt.format,
      quality: opt.quality,
      width: opt.outWidth,
      height: opt.outHeight,
    });
  } catch (err) {
    throw new Error(`${input}: cannot encode ${opt.format}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  await writeFile(opt.tmp, bytes, { flag: 'wx' });
  return { width: img.rgb.width, height: img.rgb.height, tileSize: tile };
}
