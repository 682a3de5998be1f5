import sharp, { type Sharp, type SharpOptions } from 'sharp';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import {
  BIT_DEPTHS,
  extensionFor,
  type OutputFormatName,
  type TiffCompression,
} from '../../../shared/output-rules';
import { encodeWithMetadata, iccColourSpace, type ImageMetadata } from './metadata';
import type { Raster } from './raster';
import { meanOfChannels } from './transparency';

export type OutputFormat = OutputFormatName;
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp', 'tiff', 'avif'];

/** Largest AVIF side sharp's libheif + libaom encode (measured with sharp 0.35). */
const AVIF_MAX_SIDE = 16384;

/**
 * Largest side each format can hold: WebP's 14-bit sizes, libjpeg's JPEG_MAX_DIMENSION, and for
 * AVIF what sharp's libheif + libaom encode (measured; see docs/metadata.md).
 */
export const MAX_SIDE: Record<OutputFormat, number> = {
  webp: 16383,
  jpeg: 65500,
  png: 2 ** 31 - 1,
  tiff: 2 ** 31 - 1,
  avif: AVIF_MAX_SIDE,
};

/**
 * When a TIFF is written tiled (256×256 tiles: a reader can show part of a large image without
 * reading all of it) and when as BigTIFF (64-bit offsets; a classic TIFF ends at 4 GB). The
 * BigTIFF switch is taken on the uncompressed size, as compression cannot be known ahead, with
 * room for the metadata. Tests lower both.
 */
export const TIFF_LIMITS = { tileAbovePixels: 4096 * 4096, bigTiffAboveBytes: 2 ** 32 - 2 ** 26 };

export interface EncodeOptions {
  format: OutputFormat;
  /** 1–100 for JPEG and WebP. */
  quality?: number;
  /** Final size, when it differs from the model's output (Lanczos-3 resize of the colour). */
  width?: number;
  height?: number;
  /** Write one colour channel (the mean of the three the model returned). */
  grey?: boolean;
  /** Metadata written into the file (see metadata/write-metadata.ts). */
  metadata?: ImageMetadata;
  /** Bits per channel (see BIT_DEPTHS; default: 16 for 16-bit input to PNG / TIFF, 10 to AVIF). */
  bitDepth?: number;
  /** TIFF compression (default deflate, with the horizontal predictor). */
  compression?: TiffCompression;
  /** AVIF encoder effort 0–9 (default 4). */
  effort?: number;
  /** Overrides TIFF_LIMITS (tests). */
  tiffLimits?: Partial<typeof TIFF_LIMITS>;
  /** The file a refusal names (the input the output is made from); default: the path written. */
  label?: string;
}

export function extensionOf(format: OutputFormat): string {
  return extensionFor(format);
}

const NAME: Record<OutputFormat, string> = {
  png: 'PNG',
  jpeg: 'JPEG',
  webp: 'WebP',
  tiff: 'TIFF',
  avif: 'AVIF',
};

/**
 * Throws `output.too-large` with a clear message (naming `file` when given) when a format cannot
 * hold an image of this size.
 */
export function checkOutputSize(
  format: OutputFormat,
  width: number,
  height: number,
  file?: string,
): void {
  const max = MAX_SIDE[format];
  if (Math.max(width, height) <= max) return;
  const p = { format: NAME[format], width, height, max };
  throw new UpresError(
    'output.too-large',
    file === undefined
      ? msg('pipeline.outputTooLarge', p)
      : msg('pipeline.outputTooLargeFile', { file, ...p }),
  );
}

// One key per count of depths a format holds, so each language joins the list its own way.
const BIT_DEPTH_KEYS = [
  ['pipeline.bitDepthOne', 'pipeline.bitDepthOneFile'],
  ['pipeline.bitDepthTwo', 'pipeline.bitDepthTwoFile'],
  ['pipeline.bitDepthThree', 'pipeline.bitDepthThreeFile'],
] as const;

/** "PNG holds 8 or 16 bits per channel, not 12", naming `file` when given. */
function bitDepthRefusal(format: OutputFormat, asked: number, file?: string): EngineMessage {
  const depths = BIT_DEPTHS[format];
  const p: Record<string, string | number> = { format: NAME[format], asked };
  depths.forEach((d, i) => (p['abc'[i]] = d));
  const [bare, named] = BIT_DEPTH_KEYS[depths.length - 1];
  return file === undefined ? msg(bare, p) : msg(named, { file, ...p });
}

/**
 * The bits per channel an output gets: the one asked for (a depth the format cannot hold is
 * refused as `request.invalid`, naming `file` when given), else the input's where it fits.
 */
export function outputBitDepth(
  format: OutputFormat,
  sixteenIn: boolean,
  asked?: number,
  file?: string,
): number {
  if (asked !== undefined) {
    if (!BIT_DEPTHS[format].includes(asked))
      throw new UpresError('request.invalid', bitDepthRefusal(format, asked, file));
    return asked;
  }
  if (!sixteenIn) return 8;
  return format === 'png' || format === 'tiff' ? 16 : format === 'avif' ? 10 : 8;
}

const raw = (r: Raster, channels = r.channels): SharpOptions => ({
  raw: { width: r.width, height: r.height, channels: channels as 1 | 2 | 3 | 4 },
  limitInputPixels: false,
});

/** 8-bit samples as 16-bit ones over the full range. */
function widen(r: Raster): Raster {
  const data = new Uint16Array(r.data.length);
  for (let i = 0; i < data.length; i++) data[i] = r.data[i] * 257;
  return { ...r, data };
}

/** Above this many output pixels JPEG is encoded in a streaming mode (see encodeToFile). */
const STREAMED_JPEG_PIXELS = 40_000_000;

/**
 * Encodes colour (three channels at the model's output size, 8- or 16-bit) and an optional
 * transparency channel already at the final size, straight into `path` (a file the caller created
 * and owns; it is overwritten). Colour is resized to the final size with Lanczos-3 when it differs;
 * 16-bit is kept for PNG. Metadata is written into the container as the file is written, in one
 * write and with no second file (see `encodeWithMetadata`). Returns notes on anything that could
 * not be carried.
 */
export async function encodeToFile(
  colour: Raster,
  alpha: Raster | undefined,
  path: string,
  opt: EncodeOptions,
): Promise<EngineMessage[]> {
  const width = opt.width ?? colour.width;
  const height = opt.height ?? colour.height;
  const label = opt.label ?? path;
  checkOutputSize(opt.format, width, height, label);
  if (alpha && (alpha.width !== width || alpha.height !== height))
    throw new Error(`transparency is ${alpha.width}×${alpha.height}, expected ${width}×${height}`);
  const depth = outputBitDepth(opt.format, colour.data instanceof Uint16Array, opt.bitDepth, label);
  const sixteen = depth > 8;
  // WebP and AVIF are written as RGB; PNG, JPEG and TIFF hold greyscale.
  const rgbOnly = opt.format === 'webp' || opt.format === 'avif';
  const grey = Boolean(opt.grey) && !rgbOnly;
  const notes: EngineMessage[] = [];
  const md: ImageMetadata = { ...opt.metadata };
  if (md.icc && iccColourSpace(md.icc) === 'GRAY' && !grey) {
    delete md.icc;
    notes.push(msg('pipeline.iccGreyInRgb', { format: NAME[opt.format] }));
  }
  // 8-bit values asked for at more bits are widened exactly (v · 257: 255 → 65535); libvips'
  // own conversion shifts by 8 (255 → 65280).
  const wide = sixteen && !(colour.data instanceof Uint16Array);
  const src0 = opt.grey && grey ? meanOfChannels(colour) : colour;
  const src = wide ? widen(src0) : src0;
  if (wide && alpha) alpha = widen(alpha);
  let img: Sharp = sharp(src.data, raw(src));
  if (width !== src.width || height !== src.height)
    img = img.resize(width, height, { kernel: 'lanczos3', fit: 'fill' });
  // sharp joins channels after resizing, so one pipeline reads both buffers and writes the file.
  if (alpha) img = img.joinChannel(alpha.data as Buffer, raw(alpha, 1));
  img = img.toColourspace(grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');
  const q = opt.quality;
  // 4:2:0 halves the colour resolution: at 400 % photographers see colour bleed along edges.
  const chroma = (q ?? 92) >= 90 ? '4:4:4' : '4:2:0';
  const channels = (grey ? 1 : 3) + (alpha ? 1 : 0);
  const limits = { ...TIFF_LIMITS, ...opt.tiffLimits };
  switch (opt.format) {
    case 'png':
      img = img.png({ compressionLevel: 6 });
      break;
    case 'jpeg':
      if (width * height > STREAMED_JPEG_PIXELS) {
        // Huffman optimisation and progressive scans hold every DCT coefficient of the image
        // (measured: +1.5 GB for a 128 MP output); a baseline JPEG streams row by row.
        img = img.jpeg({
          quality: q ?? 92,
          chromaSubsampling: chroma,
          optimiseCoding: false,
          progressive: false,
        });
        notes.push(msg('pipeline.jpegBaseline'));
      } else img = img.jpeg({ quality: q ?? 92, chromaSubsampling: chroma, mozjpeg: true });
      break;
    case 'webp':
      img = img.webp({ quality: q ?? 90, alphaQuality: 100 });
      break;
    case 'tiff': {
      const compression = opt.compression ?? 'deflate';
      const bytes = width * height * channels * (sixteen ? 2 : 1);
      img = img.tiff({
        compression,
        predictor: compression === 'none' ? 'none' : 'horizontal',
        tile: width * height > limits.tileAbovePixels,
        tileWidth: 256,
        tileHeight: 256,
        bigtiff: bytes > limits.bigTiffAboveBytes,
      });
      break;
    }
    case 'avif': {
      const aq = q ?? 80;
      img = img.avif({
        quality: aq,
        effort: opt.effort ?? 4,
        chromaSubsampling: aq >= 90 ? '4:4:4' : '4:2:0',
        bitdepth: depth as 8 | 10 | 12,
      });
      break;
    }
  }
  notes.push(
    ...(await encodeWithMetadata(img, path, opt.format, md, {
      width,
      height,
      alpha: Boolean(alpha),
    })),
  );
  return notes;
}
