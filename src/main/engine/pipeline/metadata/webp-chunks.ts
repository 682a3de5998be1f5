import { LITTLE_ENDIAN } from './bytes';
import type { ImageMetadata } from './image-metadata';

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  LITTLE_ENDIAN.w32(head, 4, data.length);
  return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
}

/**
 * The parts of an extended (VP8X) WebP holding the encoded image (in memory: libwebp builds the
 * whole file in memory anyway) with ICCP before the image data and EXIF, XMP after it.
 */
export function webpWithMetadata(
  encoded: Buffer,
  md: ImageMetadata,
  o: { width: number; height: number; alpha: boolean },
): Buffer[] {
  const size = encoded.length;
  if (
    size < 12 ||
    encoded.toString('latin1', 0, 4) !== 'RIFF' ||
    encoded.toString('latin1', 8, 12) !== 'WEBP'
  )
    throw new Error('encoded WebP has no RIFF header');
  const image: Buffer[] = [];
  let alpha = o.alpha;
  let flags = 0;
  for (let p = 12; p + 8 <= size;) {
    const fourcc = encoded.toString('latin1', p, p + 4);
    const len = LITTLE_ENDIAN.u32(encoded, p + 4);
    const end = Math.min(size, p + 8 + len + (len & 1));
    if (fourcc === 'VP8X') flags = encoded[p + 8];
    else if (!['ICCP', 'EXIF', 'XMP '].includes(fourcc)) image.push(encoded.subarray(p, end));
    if (fourcc === 'ALPH') alpha = true;
    p = end;
  }
  flags &= 0x02; // keep the animation bit only; the rest is recomputed
  if (md.icc) flags |= 0x20;
  if (alpha) flags |= 0x10;
  if (md.exif) flags |= 0x08;
  if (md.xmp) flags |= 0x04;
  const vp8x = Buffer.alloc(10);
  vp8x[0] = flags;
  vp8x.writeUIntLE(o.width - 1, 4, 3);
  vp8x.writeUIntLE(o.height - 1, 7, 3);
  const before = [riffChunk('VP8X', vp8x), ...(md.icc ? [riffChunk('ICCP', md.icc)] : [])];
  const after = [
    ...(md.exif ? [riffChunk('EXIF', md.exif)] : []),
    ...(md.xmp ? [riffChunk('XMP ', md.xmp)] : []),
  ];
  const parts = [...before, ...image, ...after];
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  LITTLE_ENDIAN.w32(riff, 4, 4 + parts.reduce((n, b) => n + b.length, 0));
  riff.write('WEBP', 8, 'latin1');
  return [riff, ...parts];
}
