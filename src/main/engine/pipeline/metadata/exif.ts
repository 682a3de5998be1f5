import { ByteOrder } from './bytes';
import { MetadataFault } from './metadata-fault';

/** EXIF tags the upscale changes or follows. */
export const TAG = {
  imageWidth: 0x0100,
  imageLength: 0x0101,
  orientation: 0x0112,
  exifIfd: 0x8769,
  gpsIfd: 0x8825,
  interopIfd: 0xa005,
  pixelX: 0xa002,
  pixelY: 0xa003,
  xResolution: 0x011a,
  yResolution: 0x011b,
  resolutionUnit: 0x0128,
} as const;

/** The byte order a TIFF structure declares ('II' / 'MM' then 42); throws when it is not one. */
export function tiffByteOrder(head: Buffer): ByteOrder {
  const mark = head.toString('latin1', 0, 2);
  if (head.length < 8 || (mark !== 'II' && mark !== 'MM'))
    throw new MetadataFault('notTiff', 'not a TIFF structure');
  const order = new ByteOrder(mark === 'II');
  if (order.u16(head, 2) !== 42) throw new MetadataFault('notTiff', 'not a TIFF structure');
  return order;
}

/** A TIFF structure held in memory, walked and edited in place. */
class Tiff {
  readonly order: ByteOrder;
  constructor(readonly b: Buffer) {
    this.order = tiffByteOrder(b);
  }
  u16(o: number): number {
    return this.order.u16(this.b, o);
  }
  u32(o: number): number {
    return this.order.u32(this.b, o);
  }
  w16(o: number, v: number): void {
    this.order.w16(this.b, o, v);
  }
  w32(o: number, v: number): void {
    this.order.w32(this.b, o, v);
  }
  /** Offsets of an IFD's 12-byte entries and of its next-IFD pointer. */
  ifd(offset: number): { entries: number[]; next: number } {
    if (offset < 8 || offset + 2 > this.b.length)
      throw new MetadataFault('ifdOutside', 'IFD outside the EXIF block');
    const n = this.u16(offset);
    const next = offset + 2 + 12 * n;
    if (next + 4 > this.b.length)
      throw new MetadataFault('ifdOutside', 'IFD outside the EXIF block');
    return { entries: Array.from({ length: n }, (_, i) => offset + 2 + 12 * i), next };
  }
  /** Rewrites a one-value RATIONAL entry's value where it lies (denominator 1 or 10000). */
  setRational(entry: number, v: number): void {
    if (this.u16(entry + 2) !== 5 || this.u32(entry + 4) !== 1) return;
    const at = this.u32(entry + 8);
    if (at + 8 > this.b.length) return;
    const den = Number.isInteger(v) ? 1 : 10000;
    this.w32(at, Math.round(v * den));
    this.w32(at + 4, den);
  }
  /** Rewrites an entry in place as one LONG (fits the 4-byte value field whatever it was). */
  setLong(entry: number, v: number): void {
    this.w16(entry + 2, 4);
    this.w32(entry + 4, 1);
    this.w32(entry + 8, v);
  }
}

/**
 * A copy of an EXIF block for the upscaled image: Orientation set to 1 (the pixels are upright
 * now), the pixel dimensions set to the output's, and, when the image was turned, the IFD1
 * thumbnail unlinked (it is stored unturned and would show sideways), and the resolution, where
 * IFD0 states one, set to `dpi` (so it agrees with the container's). Everything else, maker notes
 * included, stays byte for byte. Throws when the structure cannot be walked.
 */
export function patchExif(
  exif: Buffer,
  o: { width: number; height: number; turned: boolean; dpi?: number },
): Buffer {
  const t = new Tiff(Buffer.from(exif));
  const ifd0 = t.ifd(t.u32(4));
  for (const e of ifd0.entries) {
    const tag = t.u16(e);
    if (tag === TAG.orientation) {
      t.w16(e + 2, 3);
      t.w32(e + 4, 1);
      t.w32(e + 8, 0);
      t.w16(e + 8, 1);
    } else if (tag === TAG.imageWidth) t.setLong(e, o.width);
    else if (tag === TAG.imageLength) t.setLong(e, o.height);
    else if ((tag === TAG.xResolution || tag === TAG.yResolution) && o.dpi !== undefined)
      t.setRational(e, o.dpi);
    else if (tag === TAG.resolutionUnit && o.dpi !== undefined) {
      t.w16(e + 2, 3);
      t.w32(e + 4, 1);
      t.w32(e + 8, 0);
      t.w16(e + 8, 2);
    } else if (tag === TAG.exifIfd) {
      for (const x of t.ifd(t.u32(e + 8)).entries) {
        const sub = t.u16(x);
        if (sub === TAG.pixelX) t.setLong(x, o.width);
        else if (sub === TAG.pixelY) t.setLong(x, o.height);
      }
    }
  }
  if (o.turned) t.w32(ifd0.next, 0);
  return t.b;
}

/** The TIFF structure of an EXIF block as sharp reports it, without the 'Exif\0\0' prefix. */
export function stripExifPrefix(exif: Buffer): Buffer {
  return exif.toString('latin1', 0, 6) === 'Exif\0\0' ? exif.subarray(6) : exif;
}
