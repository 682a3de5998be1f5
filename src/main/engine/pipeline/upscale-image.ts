import { freemem } from 'node:os';
import { basename, extname, join } from 'node:path';
import type { LoadedModel } from '../runtime/loaded-model';
import { inspectImage } from './decode';
import { extensionOf, formatForInput, type OutputFormat } from './encode';
import { renderToFile, type RenderToFileOptions } from './render-to-file';
import { commitOutput, finishCommit, tempPathFor } from './safe-write';
import { autoTileSize } from './tile-plan';
import type { TileProgress } from './tiled-upscale';

export interface UpscaleImageOptions extends Pick<
  RenderToFileOptions,
  'quality' | 'alpha' | 'tile' | 'overlap' | 'tta' | 'keepMetadata' | 'transparency' | 'signal'
> {
  outDir: string;
  /** Output format; defaults to the input's (PNG for formats Upres does not write). */
  format?: OutputFormat;
  /** Output size ÷ input size; defaults to the model's scale (others finish with a Lanczos resize). */
  scale?: number;
  onTile?: (p: TileProgress) => void;
}

export interface UpscaleImageResult {
  output: string;
  width: number;
  height: number;
  outWidth: number;
  outHeight: number;
  tile: number;
  /** Conversions made and metadata that could not be carried. */
  notes: string[];
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

/**
 * Upscales one image file with a loaded model and writes the result into `outDir` under the first
 * free name: `renderToFile` into a temp file there, then `commitOutput` with the suffix policy (never a partial file at
 * the final path, never an existing file replaced).
 */
export async function upscaleImage(
  model: LoadedModel,
  input: string,
  opt: UpscaleImageOptions,
): Promise<UpscaleImageResult> {
  const header = await inspectImage(input);
  const format = opt.format ?? formatForInput(header.format);
  const scale = opt.scale ?? model.scale;
  const outWidth = Math.max(1, Math.round(header.width * scale));
  const outHeight = Math.max(1, Math.round(header.height * scale));
  const path = outputPathFor(input, opt.outDir, scale, format);
  const tmp = tempPathFor(path);
  const r = await renderToFile(model, input, {
    tmp,
    format,
    quality: opt.quality,
    outWidth,
    outHeight,
    alpha: opt.alpha,
    tile: opt.tile,
    overlap: opt.overlap,
    tta: opt.tta,
    keepMetadata: opt.keepMetadata,
    transparency: opt.transparency,
    signal: opt.signal,
    onTile: opt.onTile && ((p) => opt.onTile!({ tile: p.tile, tiles: p.tiles })),
  });
  let output: string;
  try {
    ({ output } = await commitOutput(tmp, path, 'suffix'));
  } finally {
    await finishCommit(tmp);
  }
  return {
    output,
    width: r.width,
    height: r.height,
    outWidth,
    outHeight,
    tile: r.tileSize,
    notes: r.notes,
  };
}
