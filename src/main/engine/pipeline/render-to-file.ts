import { open, unlink } from 'node:fs/promises';
import type { MetadataPolicy, TransparencyMode } from '../../../shared/queue';
import type { LoadedModel } from '../runtime/loaded-model';
import { decodeImage } from './decode';
import { checkOutputSize, encodeToFile, type OutputFormat } from './encode';
import type { Raster } from './raster';
import { selfEnsemble } from './self-ensemble';
import { planTiles } from './tile-plan';
import { tiledUpscale } from './tiled-upscale';
import {
  bleedHiddenColour,
  DEFAULT_TRANSPARENCY,
  flattenOnto,
  greyToRgb,
  meanOfChannels,
  resizeChannel,
} from './transparency';
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
  /** 'all' (default): EXIF, XMP, IPTC and ICC carried; 'none': only the ICC profile. */
  keepMetadata?: MetadataPolicy;
  /** How transparency is enlarged (default 'resize'; see transparency.ts for why). */
  transparency?: TransparencyMode;
  signal?: AbortSignal;
  /** Called with the tile size once chosen, before the first tile. */
  onPlan?: (tileSize: number) => void;
  /** Tiles count both passes when transparency goes through the model. */
  onTile?: (p: { tile: number; tiles: number; tileSize: number }) => void;
}

export interface RenderToFileResult {
  /** Input size (upright). */
  width: number;
  height: number;
  tileSize: number;
  /** Conversions made and metadata that could not be carried, in plain words. */
  notes: string[];
}

/** JPEG has no transparency: transparent areas are composited onto white. */
const JPEG_MATTE = 1;

/**
 * Decodes, upscales tile by tile and encodes one image into `opt.tmp`, which is created exclusively
 * (an existing file is never replaced) and removed again if anything fails.
 */
export async function renderToFile(
  model: LoadedModel,
  input: string,
  opt: RenderToFileOptions,
): Promise<RenderToFileResult> {
  try {
    checkOutputSize(opt.format, opt.outWidth, opt.outHeight);
  } catch (err) {
    throw new Error(`${input}: ${(err as Error).message}`, { cause: err });
  }
  await (await open(opt.tmp, 'wx')).close();
  try {
    return await render(model, input, opt);
  } catch (err) {
    await unlink(opt.tmp).catch(() => undefined);
    throw err;
  }
}

async function render(
  model: LoadedModel,
  input: string,
  opt: RenderToFileOptions,
): Promise<RenderToFileResult> {
  const img = await decodeImage(input, {
    keepMetadata: opt.keepMetadata,
    outWidth: opt.outWidth,
    outHeight: opt.outHeight,
  });
  const notes = [...img.notes];
  const mode = opt.transparency ?? DEFAULT_TRANSPARENCY;
  const throughModel = Boolean(img.alpha) && mode === 'model';
  const overlap = opt.overlap ?? model.defaultOverlap;
  const tile = opt.tile ?? chooseTileSize(model, overlap);
  opt.onPlan?.(tile);
  const plan = planTiles(img.rgb.width, img.rgb.height, tile, overlap);
  const work = plan.reduce((n, t) => n + t.region.w * t.region.h, 0) * (throughModel ? 2 : 1);
  const run = await model.jobRunner(opt.alpha, opt.tta ? 8 * work : work);
  const runTile = opt.tta ? selfEnsemble(run) : run;
  const tiles = plan.length * (throughModel ? 2 : 1);
  const upscale = (src: Raster, done: number): Promise<Raster> =>
    tiledUpscale(src, runTile, {
      scale: model.scale,
      tile,
      overlap,
      feather: Math.min(model.defaultFeather, overlap),
      signal: opt.signal,
      onTile: (p) => opt.onTile?.({ tile: done + p.tile, tiles, tileSize: tile }),
    });

  if (img.alpha) bleedHiddenColour(img.rgb, img.alpha);
  const colour = await upscale(img.rgb, 0);
  let alpha: Raster | undefined;
  if (img.alpha) {
    // Through the model as a grey image (one channel replicated, the mean taken back), or resized.
    alpha = throughModel
      ? meanOfChannels(await upscale(greyToRgb(img.alpha), plan.length))
      : img.alpha;
    if (opt.format === 'jpeg') {
      flattenOnto(colour, await resizeChannel(alpha, colour.width, colour.height), JPEG_MATTE);
      notes.push('transparency flattened onto white: JPEG has none');
      alpha = undefined;
    } else alpha = await resizeChannel(alpha, opt.outWidth, opt.outHeight);
  }
  try {
    notes.push(
      ...(await encodeToFile(colour, alpha, opt.tmp, {
        format: opt.format,
        quality: opt.quality,
        width: opt.outWidth,
        height: opt.outHeight,
        grey: img.grey,
        metadata: img.metadata,
      })),
    );
  } catch (err) {
    // Keeps an errno code (a full disk, say) so the queue can tell a disk fault from a bad image.
    const code = (err as NodeJS.ErrnoException).code;
    throw Object.assign(
      new Error(`${input}: cannot encode ${opt.format}: ${(err as Error).message}`, { cause: err }),
      code ? { code } : {},
    );
  }
  return { width: img.rgb.width, height: img.rgb.height, tileSize: tile, notes };
}
