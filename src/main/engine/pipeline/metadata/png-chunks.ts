import type { FileHandle } from 'node:fs/promises';
import { deflateSync, inflateSync } from 'node:zlib';
import type { Sharp } from 'sharp';
import { UpresError } from '../../../../shared/errors';
import { BIG_ENDIAN, readAt, u32be, writeAllAt } from './bytes';
import type { ImageMetadata } from './image-metadata';
import { physData } from './resolution';
import { incompressible, type Room, type RoomRange } from './room';

const SIGNATURE_AND_IHDR = 33;
/**
 * A private, ancillary, safe-to-copy chunk type (by the case of its letters) that every decoder
 * skips: it fills what the room has left over, and replaces colour chunks the encoder wrote.
 */
const SKIP = 'skIp';

function crc32(buf: Buffer): number {
  let c = ~0;
  for (let i = 0; i < buf.length; i++) {
    c ^= buf[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  return Buffer.concat([u32be(data.length), td, u32be(crc32(td))]);
}

/** ImageMagick's 'Raw profile type …' text layout, read by ExifTool, ImageMagick, ExifReader. */
function rawProfileText(name: string, data: Buffer): Buffer {
  const hex = data.toString('hex');
  const lines: string[] = [];
  for (let i = 0; i < hex.length; i += 72) lines.push(hex.slice(i, i + 72));
  return Buffer.from(`\n${name}\n${String(data.length).padStart(8)}\n${lines.join('\n')}\n`);
}

/** The chunks that carry the metadata, all of them placed before the image data. */
export function pngMetadataChunks(md: ImageMetadata): Buffer[] {
  const out: Buffer[] = [];
  if (md.icc)
    out.push(chunk('iCCP', Buffer.concat([Buffer.from('ICC profile\0\0'), deflateSync(md.icc)])));
  if (md.exif) out.push(chunk('eXIf', md.exif));
  if (md.xmp)
    out.push(chunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0'), md.xmp])));
  if (md.iptc) {
    const body = deflateSync(rawProfileText('iptc', md.iptc));
    out.push(chunk('zTXt', Buffer.concat([Buffer.from('Raw profile type iptc\0\0'), body])));
  }
  for (const t of md.text ?? []) {
    const keyword = Buffer.from(t.keyword, 'latin1').subarray(0, 79);
    out.push(
      chunk(
        'iTXt',
        Buffer.concat([keyword, Buffer.from('\0\0\0\0\0'), Buffer.from(t.text, 'utf8')]),
      ),
    );
  }
  return out;
}

/**
 * Asks the encoder to leave room for `total` bytes of chunks before the image data: libvips writes
 * XMP as a compressed zTXt chunk there, so the placeholder is random text that deflate cannot
 * shrink below `total` plus a skip chunk's 12 bytes (the rest is filled with one).
 */
export function reservePngRoom(img: Sharp, room: Room, total: number): Sharp {
  return img.withXmp(incompressible(room, Math.ceil((total + 64) / 0.8)));
}

const XMP_KEYWORD = Buffer.from('XML:com.adobe.xmp\0', 'latin1');

/** True when a zTXt / iTXt chunk's data is XMP that starts with the room's token. */
function holdsToken(type: string, data: Buffer, token: Buffer): boolean {
  if (!data.subarray(0, XMP_KEYWORD.length).equals(XMP_KEYWORD)) return false;
  const rest = data.subarray(XMP_KEYWORD.length);
  if (type === 'zTXt') {
    try {
      return inflateSync(rest.subarray(1)).subarray(0, token.length).equals(token);
    } catch {
      return false;
    }
  }
  // iTXt: compression flag and method, then NUL-terminated language tag and translated keyword.
  let o = 2;
  for (let nul = 0; nul < 2 && o < rest.length; o++) if (rest[o] === 0) nul++;
  const text = rest[0] ? inflateSyncOrEmpty(rest.subarray(o)) : rest.subarray(o);
  return text.subarray(0, token.length).equals(token);
}

function inflateSyncOrEmpty(b: Buffer): Buffer {
  try {
    return inflateSync(b);
  } catch {
    return Buffer.alloc(0);
  }
}

/** Colour chunks that the metadata's own would contradict. */
function replacedBy(md: ImageMetadata): Set<string> {
  const replaced = new Set(md.icc ? ['iCCP', 'sRGB', 'gAMA', 'cHRM'] : []);
  if (md.exif) replaced.add('eXIf');
  return replaced;
}

/**
 * Writes the chunks into the room the encoder left in the file open as `fh`, the spare bytes as a
 * skip chunk; colour chunks of the encoder that the metadata replaces become skip chunks too.
 */
export async function fillPngRoom(
  fh: FileHandle,
  room: Room,
  md: ImageMetadata,
  chunks: Buffer[],
  path: string,
): Promise<void> {
  const size = (await fh.stat()).size;
  const head = await readAt(fh, 0, SIGNATURE_AND_IHDR);
  if (head.toString('latin1', 12, 16) !== 'IHDR')
    throw new UpresError('internal', `${path}: the encoded PNG does not start with IHDR`);
  const token = Buffer.from(room.token, 'latin1');
  const replaced = replacedBy(md);
  let range: RoomRange | undefined;
  for (let o = SIGNATURE_AND_IHDR; o + 8 <= size;) {
    const h = await readAt(fh, o, 8);
    const type = h.toString('latin1', 4, 8);
    if (type === 'IDAT') break;
    const len = BIG_ENDIAN.u32(h, 0);
    const end = o + 12 + len;
    if (!range && (type === 'zTXt' || type === 'iTXt')) {
      if (holdsToken(type, await readAt(fh, o + 8, len), token)) range = { start: o, end };
    } else if (replaced.has(type)) {
      const data = await readAt(fh, o + 8, len);
      await writeAllAt(fh, [chunk(SKIP, data)], o);
    }
    o = end;
  }
  if (!range) throw new UpresError('internal', `${path}: no room for the metadata in the PNG`);
  const total = chunks.reduce((n, c) => n + c.length, 0);
  const spare = range.end - range.start - total;
  if (spare !== 0 && spare < 12)
    throw new UpresError('internal', `${path}: the PNG's room for metadata is ${spare} bytes off`);
  const fill = spare ? [chunk(SKIP, Buffer.alloc(spare - 12))] : [];
  await writeAllAt(fh, [...chunks, ...fill], range.start);
}

/**
 * Makes the PNG open as `fh` state `dpi` in its pHYs chunk, or no resolution (the chunk becomes a
 * skip chunk) when `dpi` is undefined: libvips always writes one, at its 25.4-dpi default when the
 * image has none. Returns false when the file has no pHYs chunk before its image data.
 */
export async function setPngResolution(fh: FileHandle, dpi: number | undefined): Promise<boolean> {
  const size = (await fh.stat()).size;
  for (let o = SIGNATURE_AND_IHDR; o + 8 <= size;) {
    const h = await readAt(fh, o, 8);
    const type = h.toString('latin1', 4, 8);
    if (type === 'IDAT' || type === 'IEND') return false;
    const len = BIG_ENDIAN.u32(h, 0);
    if (type === 'pHYs' && len === 9) {
      const c = dpi === undefined ? chunk(SKIP, Buffer.alloc(9)) : chunk('pHYs', physData(dpi));
      await writeAllAt(fh, [c], o);
      return true;
    }
    o += 12 + len;
  }
  return false;
}
