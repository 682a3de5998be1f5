import sharp, { type Metadata, type Sharp } from 'sharp';
import type { Raster } from './raster';

export interface DecodedImage {
  rgb: Raster;
  /** Transparency channel at the same depth, when the image has one. */
  alpha?: Raster;
  /** Container format sharp detected (png, jpeg, webp, tiff, …). */
  format: string;
  sixteenBit: boolean;
}

const UNLIMITED = { limitInputPixels: false as const, failOn: 'warning' as const };

/** Decodes an image upright (EXIF orientation applied) into RGB, plus alpha if present. */
export async function decodeImage(path: string): Promise<DecodedImage> {
  let meta: Metadata;
  try {
    meta = await sharp(path, UNLIMITED).metadata();
  } catch (err) {
    throw new Error(`${path}: not a readable image (${(err as Error).message})`, { cause: err });
  }
  if (!meta.format || !meta.width || !meta.height) throw new Error(`${path}: not a readable image`);
  if ((meta.pages ?? 1) > 1)
    throw new Error(`${path}: animated or multi-page images are not supported yet`);
  const sixteenBit = meta.depth === 'ushort';
  const upright = (): Sharp => sharp(path, UNLIMITED).rotate();
  try {
    const rgb = await upright()
      .removeAlpha()
      .toColourspace(sixteenBit ? 'rgb16' : 'srgb')
      .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
      .toBuffer({ resolveWithObject: true });
    const toRaster = (buf: Buffer, w: number, h: number, c: number): Raster => ({
      width: w,
      height: h,
      channels: c,
      data: sixteenBit
        ? new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength))
        : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength),
    });
    const out: DecodedImage = {
      rgb: toRaster(rgb.data, rgb.info.width, rgb.info.height, 3),
      format: meta.format,
      sixteenBit,
    };
    if (rgb.info.channels !== 3)
      throw new Error(`decoded ${rgb.info.channels} channels instead of 3`);
    if (meta.hasAlpha) {
      const a = await upright()
        .extractChannel('alpha')
        .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
        .toBuffer({ resolveWithObject: true });
      out.alpha = toRaster(a.data, a.info.width, a.info.height, 1);
    }
    return out;
  } catch (err) {
    throw new Error(
      `${path}: cannot decode; the file may be damaged or truncated (${(err as Error).message})`,
      {
        cause: err,
      },
    );
  }
}
