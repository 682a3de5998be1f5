import sharp, { type SharpOptions } from 'sharp';
import type { Raster } from './raster';

export type OutputFormat = 'png' | 'jpeg' | 'webp';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['png', 'jpeg', 'webp'];
const WEBP_MAX_SIDE = 16383;

export interface EncodeOptions {
  format: OutputFormat;
  /** 1–100 for JPEG and WebP. */
  quality?: number;
  /** Final size, when it differs from the model's output. */
  width?: number;
  height?: number;
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

/** Encodes RGB (+ optional alpha), resized to `width`×`height` with a Lanczos kernel when given. */
export async function encodeImage(
  rgb: Raster,
  alpha: Raster | undefined,
  opt: EncodeOptions,
): Promise<Buffer> {
  const width = opt.width ?? rgb.width;
  const height = opt.height ?? rgb.height;
  if (opt.format === 'webp' && Math.max(width, height) > WEBP_MAX_SIDE) {
    throw new Error(
      `WebP cannot hold ${width}×${height} (max ${WEBP_MAX_SIDE} px per side); choose PNG or JPEG`,
    );
  }
  const sixteen = rgb.data instanceof Uint16Array;
  const depth = sixteen ? ('ushort' as const) : ('uchar' as const);
  // sharp takes the raw sample depth from the typed array: a Uint16Array is read as ushort.
  const raw = (w: number, h: number, channels: 1 | 3 | 4): SharpOptions => ({
    raw: { width: w, height: h, channels },
    limitInputPixels: false,
  });
  const samples = (buf: Buffer): Buffer =>
    (sixteen ? new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2) : buf) as Buffer;
  let img = sharp(rgb.data, raw(rgb.width, rgb.height, 3));
  if (alpha) {
    // The model sees colour only; transparency is enlarged with Lanczos and joined back, as its own
    // step because sharp orders joinChannel after resize within one pipeline.
    const a = await sharp(alpha.data, raw(alpha.width, alpha.height, 1))
      .resize(rgb.width, rgb.height, { kernel: 'lanczos3' })
      .raw({ depth })
      .toBuffer();
    const rgba = await img
      .joinChannel(samples(a), raw(rgb.width, rgb.height, 1))
      .raw({ depth })
      .toBuffer();
    img = sharp(samples(rgba), raw(rgb.width, rgb.height, 4));
  }
  if (width !== rgb.width || height !== rgb.height)
    img = img.resize(width, height, { kernel: 'lanczos3', fit: 'fill' });
  if (sixteen) img = img.toColourspace(alpha ? 'rgba16' : 'rgb16');
  const q = opt.quality;
  switch (opt.format) {
    case 'png':
      return img.png({ compressionLevel: 6 }).toBuffer();
    case 'jpeg':
      return img.jpeg({ quality: q ?? 92, chromaSubsampling: '4:4:4', mozjpeg: true }).toBuffer();
    case 'webp':
      return img.webp({ quality: q ?? 90, alphaQuality: 100 }).toBuffer();
  }
}
