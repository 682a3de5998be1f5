import type { Metadata } from 'sharp';
import { BIG_ENDIAN, LITTLE_ENDIAN } from './bytes';
import { stripExifPrefix, TAG } from './exif';
import { entry, readExifTree, writeIfds } from './tiff-ifd';

// Resolution (DPI) says how large an image prints. Upres keeps the input's by default, so the print
// size grows with the pixels (as Photoshop does when it resamples), or, asked to keep the print
// size, multiplies it by the scale. A file that states none gets none: libvips would otherwise
// write its default of 1 pixel per mm (25.4 dpi) into PNG pHYs, JPEG JFIF and TIFF tags.

/** Metres per inch: PNG states pixels per metre. */
const INCH = 0.0254;

/** A resolution rounded the way readers show it: whole dpi when within 0.01 (pHYs is per metre). */
export function roundDpi(dpi: number): number {
  const whole = Math.round(dpi);
  return Math.abs(dpi - whole) < 0.01 ? whole : Math.round(dpi * 1000) / 1000;
}

/** The X resolution an EXIF block's IFD0 states, in dpi, or undefined. */
function exifDpi(exif: Buffer): number | undefined {
  let tags;
  try {
    tags = readExifTree(stripExifPrefix(exif), LITTLE_ENDIAN);
  } catch {
    return undefined;
  }
  const x = tags.find((e) => e.tag === TAG.xResolution && e.type === 5 && e.count === 1);
  if (!x) return undefined;
  const unit = tags.find((e) => e.tag === TAG.resolutionUnit);
  const u = unit ? unit.data.readUInt16LE(0) : 2;
  const v = x.data.readUInt32LE(0) / x.data.readUInt32LE(4);
  if (!Number.isFinite(v) || v <= 0 || u === 1) return undefined; // unit 1: no absolute unit
  return roundDpi(u === 3 ? v * 2.54 : v);
}

/**
 * The resolution an input states, in dpi, or undefined. sharp reports a density only with a unit
 * when the container states one (a JPEG without JFIF or EXIF resolution reads as 72, unitless);
 * libvips' own default of 1 pixel per mm (25.4 dpi, which no camera or editor writes) counts as
 * none. WebP and AVIF hold it in EXIF only, which libvips does not turn into a density: it is read
 * from the EXIF there.
 */
export function statedDpi(
  meta: Pick<Metadata, 'density' | 'resolutionUnit' | 'exif'>,
): number | undefined {
  const d = meta.density;
  if (meta.resolutionUnit && d && Number.isFinite(d) && Math.abs(d - 25.4) >= 0.01)
    return roundDpi(d);
  const e = meta.exif?.length ? exifDpi(meta.exif) : undefined;
  return e !== undefined && Math.abs(e - 25.4) >= 0.01 ? e : undefined;
}

/**
 * A minimal EXIF block stating only the resolution: for WebP and AVIF, which hold it nowhere else,
 * when the input stated one but carried no EXIF.
 */
export function resolutionExif(dpi: number): Buffer {
  const o = LITTLE_ENDIAN;
  const head = Buffer.from([0x49, 0x49, 42, 0, 8, 0, 0, 0]);
  const ifd = [
    entry.rational(o, TAG.xResolution, dpi),
    entry.rational(o, TAG.yResolution, dpi),
    entry.short(o, TAG.resolutionUnit, 2),
  ];
  return Buffer.concat([head, writeIfds(ifd, 8, { order: o, big: false })]);
}

/** A JFIF APP0 segment stating `dpi` (for a JPEG the encoder wrote without one). */
export function jfifSegment(dpi: number): Buffer {
  const b = Buffer.from([0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 2, 1, 0, 0, 0, 0, 0, 0]);
  const v = Math.max(1, Math.min(65535, Math.round(dpi)));
  BIG_ENDIAN.w16(b, 12, v);
  BIG_ENDIAN.w16(b, 14, v);
  return b;
}

/** The output's resolution: the input's, times the scale when the print size is kept. */
export function outputDpi(
  stated: number | undefined,
  scale: number,
  keepPrintSize: boolean,
): number | undefined {
  if (stated === undefined) return undefined;
  return roundDpi(keepPrintSize ? stated * scale : stated);
}

/**
 * Sets the resolution in a JPEG's JFIF header (APP0 right after the start marker, as libjpeg writes
 * it) in `head`, its first 18 bytes: units dpi and the value, or "aspect ratio only" (units 0,
 * 1:1) when there is none. Returns false when the file does not start that way.
 */
export function patchJfif(head: Buffer, dpi: number | undefined): boolean {
  if (head.length < 18 || head[2] !== 0xff || head[3] !== 0xe0) return false;
  if (head.toString('latin1', 6, 11) !== 'JFIF\0') return false;
  const v = dpi === undefined ? 1 : Math.max(1, Math.min(65535, Math.round(dpi)));
  head[13] = dpi === undefined ? 0 : 1;
  BIG_ENDIAN.w16(head, 14, v);
  BIG_ENDIAN.w16(head, 16, v);
  return true;
}

/** A PNG pHYs chunk's data for `dpi` (pixels per metre, unit 1). */
export function physData(dpi: number): Buffer {
  const b = Buffer.alloc(9);
  const ppm = Math.round(dpi / INCH);
  BIG_ENDIAN.w32(b, 0, ppm);
  BIG_ENDIAN.w32(b, 4, ppm);
  b[8] = 1;
  return b;
}
