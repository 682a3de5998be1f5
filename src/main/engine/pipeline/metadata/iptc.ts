import { BIG_ENDIAN } from './bytes';

/** The signature that opens Photoshop image resources in a JPEG's APP13 segment. */
export const PHOTOSHOP = 'Photoshop 3.0\0';
const IPTC_NAA = 0x0404;
const IPTC_DIGEST = 0x0425;

/** The IPTC-IIM records at the start of `b`, cut after the last whole record (TIFF pads them). */
function iimRecords(b: Buffer): Buffer {
  let o = 0;
  while (o + 5 <= b.length && b[o] === 0x1c) {
    const len = BIG_ENDIAN.u16(b, o + 3);
    if (len & 0x8000 || o + 5 + len > b.length) break; // extended-length records are not used
    o += 5 + len;
  }
  return b.subarray(0, o);
}

function resourceBlock(id: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.write('8BIM', 0, 'latin1');
  BIG_ENDIAN.w16(head, 4, id);
  // Empty Pascal name padded to even length (2 bytes), then the size.
  BIG_ENDIAN.w32(head, 8, data.length);
  return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
}

/**
 * Normalises IPTC as sharp reports it (a JPEG's APP13 Photoshop resources, or a TIFF's raw IIM
 * records) into '8BIM' blocks holding only the IPTC-IIM records and their digest: other Photoshop
 * resources (thumbnails, print settings) describe the original file, not the upscaled one.
 */
export function normaliseIptc(iptc: Buffer): Buffer | undefined {
  let b = iptc;
  if (b.toString('latin1', 0, PHOTOSHOP.length) === PHOTOSHOP) b = b.subarray(PHOTOSHOP.length);
  if (b[0] === 0x1c) {
    const iim = iimRecords(b);
    return iim.length ? resourceBlock(IPTC_NAA, iim) : undefined;
  }
  const kept: Buffer[] = [];
  let o = 0;
  while (o + 12 <= b.length && b.toString('latin1', o, o + 4) === '8BIM') {
    const id = BIG_ENDIAN.u16(b, o + 4);
    const nameLen = b[o + 6];
    const nameTotal = (nameLen + 1 + 1) & ~1;
    const sizeAt = o + 6 + nameTotal;
    if (sizeAt + 4 > b.length) break;
    const size = BIG_ENDIAN.u32(b, sizeAt);
    const end = sizeAt + 4 + size + (size & 1);
    if (sizeAt + 4 + size > b.length) break;
    if (id === IPTC_NAA || id === IPTC_DIGEST)
      kept.push(resourceBlock(id, b.subarray(sizeAt + 4, sizeAt + 4 + size)));
    o = end;
  }
  return kept.some((k) => BIG_ENDIAN.u16(k, 4) === IPTC_NAA) ? Buffer.concat(kept) : undefined;
}

/** The IPTC-IIM records inside normalised '8BIM' blocks (what a TIFF's tag 33723 holds). */
export function iimOf(resources: Buffer): Buffer | undefined {
  for (let o = 0; o + 12 <= resources.length;) {
    const id = BIG_ENDIAN.u16(resources, o + 4);
    const size = BIG_ENDIAN.u32(resources, o + 8);
    if (id === IPTC_NAA) return resources.subarray(o + 12, o + 12 + size);
    o += 12 + size + (size & 1);
  }
  return undefined;
}
