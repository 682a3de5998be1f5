import { open, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { throwIfCancelled } from '../../../shared/cancel';
import { asMessage, msg, textOf, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import type { TiffCompression } from '../../../shared/output-rules';
import type { MetadataPolicy, OutputPlan, TransparencyMode } from '../../../shared/queue';
import type { LoadedModel } from '../runtime/loaded-model';
import { diskError, isDiskFault } from '../storage/disk-errors';
import { chooseTileSize, onGpu } from './choose-tile-size';
import { decodeImage, type ImageHeader } from './decode';
import { checkOutputSize, encodeToFile, outputBitDepth } from './encode';
import { rasterOverviewTensor, rasterRegionToTensor, type Raster } from './raster';
import { selfEnsemble } from './self-ensemble';
import { planTiles } from './tile-plan';
import { tileFingerprint, type TileFingerprintParts } from './tile-fingerprint';
import { offsetCache, TileStore, type TileCache } from './tile-store';
import { tiledUpscale } from './tiled-upscale';
import {
  bleedHiddenColour,
  DEFAULT_TRANSPARENCY,
  flattenOnto,
  greyToRgb,
  meanOfChannels,
  resizeChannel,
} from './transparency';

export interface RenderToFileOptions {
  /** The file to write (a temp file beside the final output; must not exist). */
  tmp: string;
  /**
   * What to write, as the queue planned it: the format and the final size (the model's output is
   * resized with Lanczos when it differs).
   */
  plan: Pick<OutputPlan, 'format' | 'width' | 'height'>;
  /** The input's header, read when the item was planned (read again only when absent). */
  header?: ImageHeader;
  quality?: number;
  /** Bits per channel, TIFF compression, AVIF effort (see EncodeOptions). */
  bitDepth?: number;
  compression?: TiffCompression;
  effort?: number;
  /** Multiply the resolution (DPI) by the scale so the print size stays. */
  keepPrintSize?: boolean;
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
  /** Checked between the stages (decode, model, each tile, encode): stops with `cancelled`. */
  signal?: AbortSignal;
  /** Called with the tile size once chosen, before the first tile (again with the tile count). */
  onPlan?: (tileSize: number, tiles?: number) => void;
  /**
   * Keeps finished tiles in a tile store in `dir` (see tile-store.ts; `tileStoreDirFor(output)`), so
   * an interrupted render continues from the next unfinished tile. `modelDigest` names the weights
   * (the manifests' sha256). The store is left in place: the caller discards it once the output is
   * committed or the item is cancelled for good.
   */
  tileStore?: { dir: string; modelDigest: string };
  /** Tiles count both passes when transparency goes through the model; `restored`: read back. */
  onTile?: (p: { tile: number; tiles: number; tileSize: number; restored?: boolean }) => void;
}

export interface RenderToFileResult {
  /** Input size (upright). */
  width: number;
  height: number;
  tileSize: number;
  /** Conversions made and metadata that could not be carried, in plain words. */
  notes: EngineMessage[];
}

/** A failure's own message (a system or library message, quoted as it is). */
const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err));

/**
 * Opens the render's tile store. A store is an optimisation: one that cannot be opened or written
 * (e.g. a read-only folder) is dropped with a note and the render goes on without it.
 */
async function openStore(
  spec: { dir: string },
  notes: EngineMessage[],
  parts: TileFingerprintParts,
): Promise<TileCache | undefined> {
  let store: TileStore;
  try {
    store = await TileStore.open(spec.dir, await tileFingerprint(parts));
  } catch (err) {
    notes.push(msg('pipeline.tilesNotKept', { dir: spec.dir, reason: reasonOf(err) }));
    return undefined;
  }
  let broken = false;
  return {
    has: (i) => !broken && store.has(i),
    read: (i) => (broken ? Promise.resolve(undefined) : store.read(i)),
    write: async (i, t) => {
      if (broken) return;
      try {
        await store.write(i, t);
      } catch (err) {
        broken = true;
        notes.push(msg('pipeline.tilesNoLongerKept', { dir: spec.dir, reason: reasonOf(err) }));
      }
    },
  };
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
  const { format, width, height } = opt.plan;
  checkOutputSize(format, width, height, input);
  if (opt.bitDepth !== undefined) outputBitDepth(format, false, opt.bitDepth, input);
  throwIfCancelled(opt.signal, input);
  try {
    await (await open(opt.tmp, 'wx')).close();
  } catch (err) {
    throw diskError(err, dirname(opt.tmp));
  }
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
  const { format, width: outWidth, height: outHeight } = opt.plan;
  const img = await decodeImage(input, {
    keepMetadata: opt.keepMetadata,
    keepPrintSize: opt.keepPrintSize,
    outWidth,
    outHeight,
    header: opt.header,
    signal: opt.signal,
  });
  const notes: EngineMessage[] = [...img.notes];
  const mode = opt.transparency ?? DEFAULT_TRANSPARENCY;
  const throughModel = Boolean(img.alpha) && mode === 'model';
  const overlap = opt.overlap ?? model.defaultOverlap;
  const tile = opt.tile ?? chooseTileSize(model, overlap, img.rgb);
  opt.onPlan?.(tile);
  const plan = planTiles(img.rgb.width, img.rgb.height, tile, overlap, {
    uniform: onGpu(model),
    align: model.tileAlign,
  });
  const work = plan.reduce((n, t) => n + t.region.w * t.region.h, 0) * (throughModel ? 2 : 1);
  const run = await model.jobRunner(opt.alpha, opt.tta ? 8 * work : work);
  throwIfCancelled(opt.signal, input);
  const runTile = opt.tta ? selfEnsemble(run) : run;
  // Whole-image passes (RealPLKSR's GroupNorm statistics) count as tiles of their own.
  const passes = model.wholeImagePasses(plan.length);
  const passTiles = plan.length * (1 + passes);
  const wholeNote = model.wholeImageNote(plan.length);
  if (wholeNote) notes.push(asMessage(wholeNote));
  const tiles = passTiles * (throughModel ? 2 : 1);
  opt.onPlan?.(tile, tiles);
  const feather = Math.min(model.defaultFeather, overlap);
  const store =
    opt.tileStore &&
    (await openStore(opt.tileStore, notes, {
      input,
      model: { id: model.id, digest: opt.tileStore.modelDigest },
      runtime: { device: model.choice.device, fp16: model.choice.fp16 },
      alpha: model.interpolates ? (opt.alpha ?? model.defaultAlpha) : undefined,
      tile,
      overlap,
      feather,
      tta: Boolean(opt.tta),
      transparency: throughModel ? 'model' : 'other',
      depth: img.rgb.data instanceof Uint16Array ? 16 : 8,
      wholeImage:
        passes > 0
          ? `statistics, overview + ${passes} passes`
          : wholeNote === undefined
            ? undefined
            : textOf(wholeNote),
    }));
  throwIfCancelled(opt.signal, input);
  const upscale = async (src: Raster, k: number): Promise<Raster> => {
    const kept = store && offsetCache(store, k * plan.length);
    let done = k * passTiles;
    const report = (restored?: boolean) =>
      opt.onTile?.({ tile: ++done, tiles, tileSize: tile, restored });
    // Every tile already stored: nothing is computed, so no whole-image pass either.
    const stored = kept !== undefined && plan.every((_, i) => kept.has(i));
    const whole = stored
      ? undefined
      : await model.wholeImageRunner(
          {
            tiles: plan,
            tensor: (r) => rasterRegionToTensor(src, r.x, r.y, r.w, r.h),
            preview: (px) => rasterOverviewTensor(src, px),
            signal: opt.signal,
            onTile: () => report(),
            note: (n) => notes.push(asMessage(n)),
            scratch: dirname(opt.tmp),
          },
          opt.alpha,
        );
    if (stored) done += passTiles - plan.length;
    return tiledUpscale(src, whole ? (opt.tta ? selfEnsemble(whole) : whole) : runTile, {
      scale: model.scale,
      tile,
      overlap,
      plan,
      feather,
      signal: opt.signal,
      store: kept,
      onTile: (p) => report(p.restored),
    });
  };

  if (img.alpha) bleedHiddenColour(img.rgb, img.alpha);
  const colour = await upscale(img.rgb, 0);
  let alpha: Raster | undefined;
  if (img.alpha) {
    // Through the model as a grey image (one channel replicated, the mean taken back), or resized.
    alpha = throughModel ? meanOfChannels(await upscale(greyToRgb(img.alpha), 1)) : img.alpha;
    if (format === 'jpeg') {
      flattenOnto(colour, await resizeChannel(alpha, colour.width, colour.height), JPEG_MATTE);
      notes.push(msg('pipeline.transparencyFlattened'));
      alpha = undefined;
    } else alpha = await resizeChannel(alpha, outWidth, outHeight);
  }
  throwIfCancelled(opt.signal, input);
  try {
    notes.push(
      ...(await encodeToFile(colour, alpha, opt.tmp, {
        format,
        quality: opt.quality,
        bitDepth: opt.bitDepth,
        compression: opt.compression,
        effort: opt.effort,
        width: outWidth,
        height: outHeight,
        grey: img.grey,
        metadata: img.metadata,
        label: input,
      })),
    );
  } catch (err) {
    // A full or read-only disk is told apart here, where the write happens, by its errno code.
    if (isDiskFault(err)) throw diskError(err, dirname(opt.tmp));
    // A refusal worded for the user already names the input: it is passed on as it is.
    if (err instanceof UpresError && err.detail) throw err;
    const code = err instanceof UpresError ? err.code : 'internal';
    throw new UpresError(
      code,
      msg('pipeline.encodeFailed', { file: input, format, reason: reasonOf(err) }),
      { cause: err },
    );
  }
  return { width: img.rgb.width, height: img.rgb.height, tileSize: tile, notes };
}
