import sharp, { type Sharp, type SharpOptions } from 'sharp';
import type { OutputFormatName } from '../../../shared/output-rules';
import { encodeWithMetadata, hasMetadataFor, iccColourSpace, type ImageMetadata } from './metadata';
import type { Raster } from './raster';
import { meanOfChannels } from './transparency';

export type OutputFormat = OutputFormatName;
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp'];

/** Largest side each format can hold: WebP's 14-bit sizes, libjpeg's JPEG_MAX_DIMENSION. */
export const MAX_SIDE: Record<OutputFormat, number> = {
  webp: 16383,
  jpeg: 65500,
  png: 2 ** 31 - 1,
};

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
}

export function extensionOf(format: OutputFormat): string {
  return format === 'jpeg' ? 'jpg' : format;
}

/** Maps an input container to the output format that keeps it (others become PNG). */
export function formatForInput(inputFormat: string): OutputFormat {
  if (inputFormat === 'jpeg' || inputFormat === 'jpg') return 'jpeg';
  if (inputFormat === 'webp') return 'webp';
  return 'png';
}

/** Throws a clear message when a format cannot hold an image of this size. */
export function checkOutputSize(format: OutputFormat, width: number, height: number): void {
  const max = MAX_SIDE[format];
  if (Math.max(width, height) <= max) return;
  const name = format === 'webp' ? 'WebP' : 'JPEG';
  const other = format === 'webp' ? 'PNG or JPEG' : 'PNG';
  throw new Error(
    `${name} cannot hold ${width}×${height} (max ${max} px per side); choose ${other} or a smaller size`,
  );
}

const raw = (r: Raster, channels = r.channels): SharpOptions => ({
  raw: { width: r.width, height: r.height, channels: channels as 1 | 2 | 3 | 4 },
  limitInputPixels: false,
});

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
): Promise<string[]> {
  const width = opt.width ?? colour.width;
  const height = opt.height ?? colour.height;
  checkOutputSize(opt.format, width, height);
  if (alpha && (alpha.width !== width || alpha.height !== height))
    throw new Error(`transparency is ${alpha.width}×${alpha.height}, expected ${width}×${height}`);
  const sixteen = colour.data instanceof Uint16Array && opt.format === 'png';
  // WebP is always RGB; PNG and JPEG hold greyscale.
  const grey = Boolean(opt.grey) && opt.format !== 'webp';
  const notes: string[] = [];
  const md: ImageMetadata = { ...opt.metadata };
  if (md.icc && iccColourSpace(md.icc) === 'GRAY' && !grey) {
    delete md.icc;
    notes.push('greyscale ICC profile not carried: WebP output is RGB');
  }
  const src = opt.grey && grey ? meanOfChannels(colour) : colour;
  let img: Sharp = sharp(src.data, raw(src));
  if (width !== src.width || height !== src.height)
    img = img.resize(width, height, { kernel: 'lanczos3', fit: 'fill' });
  // sharp joins channels after resizing, so one pipeline reads both buffers and writes the file.
  if (alpha) img = img.joinChannel(alpha.data as Buffer, raw(alpha, 1));
  img = img.toColourspace(grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb');
  const q = opt.quality;
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
          chromaSubsampling: '4:4:4',
          optimiseCoding: false,
          progressive: false,
        });
        notes.push(
          'large JPEG written as baseline without Huffman optimisation (a few % larger) to bound memory',
        );
      } else img = img.jpeg({ quality: q ?? 92, chromaSubsampling: '4:4:4', mozjpeg: true });
      break;
    case 'webp':
      img = img.webp({ quality: q ?? 90, alphaQuality: 100 });
      break;
  }
  if (!hasMetadataFor(md, opt.format)) {
    await img.toFile(path);
    return notes;
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
