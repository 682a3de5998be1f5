import { readFile, writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { BIG_ENDIAN, u32be } from './bytes';

// An Ultra HDR JPEG (ISO 21496-1, as Android phones and libultrahdr write it) is a standard-range
// JPEG followed by a second, small JPEG: the gain map, which says per area how much brighter an
// HDR display may show the picture. The primary says so with an ISO version segment (APP2) and an
// MPF segment (APP2, CIPA DC-007) listing both images; the gain map carries the ISO metadata
// (APP2). sharp 0.35 keeps a gain map only for a JPEG it re-encodes itself, so Upres enlarges the
// input's gain map by the output's scale and writes that structure around its own JPEG.

const ISO_URN = 'urn:iso:std:iso:ts:21496:-1\0';
const APP2 = 0xe2;

/** The gain map of an Ultra HDR input, kept to be enlarged and attached to a JPEG output. */
export interface GainMap {
  /** The gain map JPEG as sharp reports it (with its ISO 21496-1 metadata segment). */
  image: Buffer;
  /** The input's size (upright), to scale the gain map with the picture. */
  width: number;
  height: number;
}

function segment(marker: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  BIG_ENDIAN.w16(head, 2, data.length + 2);
  return Buffer.concat([head, data]);
}

/** The APPn / COM segments of a JPEG (after SOI, before its tables), as whole segments. */
function appSegments(jpeg: Buffer): { marker: number; bytes: Buffer }[] {
  const out: { marker: number; bytes: Buffer }[] = [];
  for (let o = 2; o + 4 <= jpeg.length;) {
    const m = jpeg[o + 1];
    if (jpeg[o] !== 0xff || !((m >= 0xe0 && m <= 0xef) || m === 0xfe)) break;
    const end = o + 2 + BIG_ENDIAN.u16(jpeg, o + 2);
    out.push({ marker: m, bytes: jpeg.subarray(o, end) });
    o = end;
  }
  return out;
}

/** Where a JPEG's leading APPn / COM segments end (its tables start). */
function endOfApps(jpeg: Buffer): number {
  const apps = appSegments(jpeg);
  return apps.length
    ? apps.at(-1)!.bytes.byteOffset - jpeg.byteOffset + apps.at(-1)!.bytes.length
    : 2;
}

/** The gain map enlarged to go with a `width` × `height` picture, its own segments kept. */
async function enlargedGainMap(g: GainMap, width: number, height: number): Promise<Buffer> {
  const meta = await sharp(g.image).metadata();
  const w = Math.max(1, Math.round((width * meta.width!) / g.width));
  const h = Math.max(1, Math.round((height * meta.height!) / g.height));
  const encoded = await sharp(g.image)
    .resize(w, h, { kernel: 'lanczos3', fit: 'fill' })
    .jpeg({ quality: 95, chromaSubsampling: '4:4:4' })
    .toBuffer();
  // The ISO metadata (and the profile) of the original gain map, in front of the new pixels.
  const kept = appSegments(g.image).filter((s) => s.marker !== 0xe0 && s.marker !== 0xfe);
  const body = encoded.subarray(endOfApps(encoded));
  return Buffer.concat([encoded.subarray(0, 2), ...kept.map((s) => s.bytes), body]);
}

/** An MPF segment listing the primary (`primary` bytes) and the gain map after it. */
function mpfSegment(primary: number, gainMap: number, mpfAt: number): Buffer {
  // 'MPF\0', then a big-endian TIFF structure: version, image count, the two MP entries.
  const tiff = Buffer.alloc(8 + 2 + 3 * 12 + 4 + 32);
  tiff.write('MM\0*', 0, 'latin1');
  BIG_ENDIAN.w32(tiff, 4, 8);
  BIG_ENDIAN.w16(tiff, 8, 3);
  const entry = (i: number, tag: number, type: number, count: number, value: Buffer | number) => {
    const o = 10 + 12 * i;
    BIG_ENDIAN.w16(tiff, o, tag);
    BIG_ENDIAN.w16(tiff, o + 2, type);
    BIG_ENDIAN.w32(tiff, o + 4, count);
    if (typeof value === 'number') BIG_ENDIAN.w32(tiff, o + 8, value);
    else value.copy(tiff, o + 8);
  };
  const entries = 10 + 3 * 12 + 4;
  entry(0, 0xb000, 7, 4, Buffer.from('0100', 'latin1'));
  entry(1, 0xb001, 4, 1, 2);
  entry(2, 0xb002, 7, 32, entries);
  // The header's own offset is where MP offsets count from: 4 bytes into the segment's data.
  const header = mpfAt + 4 + 4;
  const mp = [
    [0x030000, primary, 0],
    [0, gainMap, primary - header],
  ];
  mp.forEach(([attr, size, offset], i) => {
    BIG_ENDIAN.w32(tiff, entries + 16 * i, attr);
    BIG_ENDIAN.w32(tiff, entries + 16 * i + 4, size);
    BIG_ENDIAN.w32(tiff, entries + 16 * i + 8, offset);
  });
  return segment(APP2, Buffer.concat([Buffer.from('MPF\0', 'latin1'), tiff]));
}

/**
 * Makes the JPEG at `path` (the output, `width` × `height`) an Ultra HDR JPEG with the input's
 * gain map enlarged to match: the ISO version and MPF segments go in after its metadata, the gain
 * map after its end. The file is read and written back whole (a JPEG, compressed).
 */
export async function attachGainMap(
  path: string,
  g: GainMap,
  width: number,
  height: number,
): Promise<void> {
  const [jpeg, map] = await Promise.all([readFile(path), enlargedGainMap(g, width, height)]);
  const at = endOfApps(jpeg);
  const iso = segment(APP2, Buffer.concat([Buffer.from(ISO_URN, 'latin1'), u32be(0)]));
  const mpfLen = mpfSegment(0, 0, 0).length;
  const primary = jpeg.length + iso.length + mpfLen;
  const mpf = mpfSegment(primary, map.length, at + iso.length);
  await writeFile(path, Buffer.concat([jpeg.subarray(0, at), iso, mpf, jpeg.subarray(at), map]));
}
