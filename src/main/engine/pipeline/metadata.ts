import { open, type FileHandle } from 'node:fs/promises';
import { deflateSync } from 'node:zlib';
import type { Metadata } from 'sharp';
import type { OutputFormat } from './encode';

/**
 * The metadata of a photo that Upres carries from input to output. sharp reads all of it but can
 * only attach it to an output that was decoded from the same file, and ours is encoded from raw
 * pixels; so the blobs are kept as bytes here and written into the encoded container directly
 * (see `writeWithMetadata`), byte for byte except for the fields the upscale changes.
 */
export interface ImageMetadata {
  /** EXIF as a TIFF structure ('II*\0' / 'MM\0*'), without the 'Exif\0\0' prefix. */
  exif?: Buffer;
  /** The XMP packet (UTF-8 XML). */
  xmp?: Buffer;
  /** Photoshop image resources ('8BIM' blocks): IPTC-IIM (0x0404) and its digest (0x0425). */
  iptc?: Buffer;
  /** ICC profile: the input's, re-attached because inference runs on the untouched values. */
  icc?: Buffer;
  /** PNG text chunks (Title, Author, Description, …), carried to PNG output. */
  text?: { keyword: string; text: string }[];
}

/** ICC colour space of a profile ('RGB ', 'GRAY', 'CMYK', 'Lab '…) from its header. */
export function iccColourSpace(icc: Buffer): string | undefined {
  return icc.length >= 20 ? icc.toString('latin1', 16, 20) : undefined;
}

// --- EXIF (a TIFF structure) -------------------------------------------------------------------

const TAG_ORIENTATION = 0x0112;
const TAG_IMAGE_WIDTH = 0x0100;
const TAG_IMAGE_LENGTH = 0x0101;
const TAG_EXIF_IFD = 0x8769;
const TAG_PIXEL_X = 0xa002;
const TAG_PIXEL_Y = 0xa003;

class Tiff {
  readonly le: boolean;
  constructor(readonly b: Buffer) {
    const mark = b.toString('latin1', 0, 2);
    if (b.length < 8 || (mark !== 'II' && mark !== 'MM')) throw new Error('not a TIFF structure');
    this.le = mark === 'II';
    if (this.u16(2) !== 42) throw new Error('not a TIFF structure');
  }
  u16(o: number): number {
    return this.le ? this.b.readUInt16LE(o) : this.b.readUInt16BE(o);
  }
  u32(o: number): number {
    return this.le ? this.b.readUInt32LE(o) : this.b.readUInt32BE(o);
  }
  w16(o: number, v: number): void {
    if (this.le) this.b.writeUInt16LE(v, o);
    else this.b.writeUInt16BE(v, o);
  }
  w32(o: number, v: number): void {
    if (this.le) this.b.writeUInt32LE(v, o);
    else this.b.writeUInt32BE(v, o);
  }
  /** Offsets of an IFD's 12-byte entries and of its next-IFD pointer. */
  ifd(offset: number): { entries: number[]; next: number } {
    if (offset < 8 || offset + 2 > this.b.length) throw new Error('IFD outside the EXIF block');
    const n = this.u16(offset);
    const next = offset + 2 + 12 * n;
    if (next + 4 > this.b.length) throw new Error('IFD outside the EXIF block');
    return { entries: Array.from({ length: n }, (_, i) => offset + 2 + 12 * i), next };
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
 * thumbnail unlinked (it is stored unturned and would show sideways). Everything else, maker notes
 * included, stays byte for byte. Throws when the structure cannot be walked.
 */
export function patchExif(
  exif: Buffer,
  o: { width: number; height: number; turned: boolean },
): Buffer {
  const t = new Tiff(Buffer.from(exif));
  const ifd0 = t.ifd(t.u32(4));
  for (const e of ifd0.entries) {
    const tag = t.u16(e);
    if (tag === TAG_ORIENTATION) {
      t.w16(e + 2, 3);
      t.w32(e + 4, 1);
      t.w32(e + 8, 0);
      t.w16(e + 8, 1);
    } else if (tag === TAG_IMAGE_WIDTH) t.setLong(e, o.width);
    else if (tag === TAG_IMAGE_LENGTH) t.setLong(e, o.height);
    else if (tag === TAG_EXIF_IFD) {
      for (const x of t.ifd(t.u32(e + 8)).entries) {
        const sub = t.u16(x);
        if (sub === TAG_PIXEL_X) t.setLong(x, o.width);
        else if (sub === TAG_PIXEL_Y) t.setLong(x, o.height);
      }
    }
  }
  if (o.turned) t.w32(ifd0.next, 0);
  return t.b;
}

/** Reads the Orientation tag of an EXIF block (1 when absent). */
export function exifOrientation(exif: Buffer): number {
  const t = new Tiff(exif);
  for (const e of t.ifd(t.u32(4)).entries) if (t.u16(e) === TAG_ORIENTATION) return t.u16(e + 8);
  return 1;
}

function stripExifPrefix(exif: Buffer): Buffer {
  return exif.toString('latin1', 0, 6) === 'Exif\0\0' ? exif.subarray(6) : exif;
}

// --- XMP -------------------------------------------------------------------------------------

/** The XMP packet with tiff:Orientation set to 1 and the pixel dimensions set to the output's. */
export function patchXmp(xmp: Buffer, o: { width: number; height: number }): Buffer {
  const set = (s: string, names: string[], v: number): string => {
    for (const n of names) {
      s = s
        .replace(new RegExp(`(${n}\\s*=\\s*["'])\\d+(["'])`, 'g'), `$1${v}$2`)
        .replace(new RegExp(`(<${n}>)\\s*\\d+\\s*(</${n}>)`, 'g'), `$1${v}$2`);
    }
    return s;
  };
  let s = xmp.toString('utf8');
  s = set(s, ['tiff:Orientation'], 1);
  s = set(s, ['tiff:ImageWidth', 'exif:PixelXDimension'], o.width);
  s = set(s, ['tiff:ImageLength', 'exif:PixelYDimension'], o.height);
  return Buffer.from(s, 'utf8');
}

// --- IPTC ------------------------------------------------------------------------------------

const PHOTOSHOP = 'Photoshop 3.0\0';
const IPTC_NAA = 0x0404;
const IPTC_DIGEST = 0x0425;

/** The IPTC-IIM records at the start of `b`, cut after the last whole record (TIFF pads them). */
function iimRecords(b: Buffer): Buffer {
  let o = 0;
  while (o + 5 <= b.length && b[o] === 0x1c) {
    const len = b.readUInt16BE(o + 3);
    if (len & 0x8000 || o + 5 + len > b.length) break; // extended-length records are not used
    o += 5 + len;
  }
  return b.subarray(0, o);
}

function resourceBlock(id: number, data: Buffer): Buffer {
  const head = Buffer.alloc(12);
  head.write('8BIM', 0, 'latin1');
  head.writeUInt16BE(id, 4);
  // Empty Pascal name padded to even length (2 bytes), then the size.
  head.writeUInt32BE(data.length, 8);
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
    const id = b.readUInt16BE(o + 4);
    const nameLen = b[o + 6];
    const nameTotal = (nameLen + 1 + 1) & ~1;
    const sizeAt = o + 6 + nameTotal;
    if (sizeAt + 4 > b.length) break;
    const size = b.readUInt32BE(sizeAt);
    const end = sizeAt + 4 + size + (size & 1);
    if (sizeAt + 4 + size > b.length) break;
    if (id === IPTC_NAA || id === IPTC_DIGEST)
      kept.push(resourceBlock(id, b.subarray(sizeAt + 4, sizeAt + 4 + size)));
    o = end;
  }
  return kept.some((k) => k.readUInt16BE(4) === IPTC_NAA) ? Buffer.concat(kept) : undefined;
}

// --- Collecting -------------------------------------------------------------------------------

/**
 * The metadata to carry from an input, from sharp's view of it. `turned` says the pixels were
 * turned upright from an EXIF orientation other than 1; `width` × `height` is the output size.
 * Pieces that cannot be carried safely are left out with a note.
 */
export function collectMetadata(
  meta: Metadata,
  o: { width: number; height: number; turned: boolean },
  notes: string[],
): ImageMetadata {
  const md: ImageMetadata = {};
  if (meta.exif?.length) {
    try {
      md.exif = patchExif(stripExifPrefix(meta.exif), o);
    } catch (err) {
      // Without a walkable structure the Orientation cannot be reset: carrying it could turn the
      // upright output a second time in viewers.
      notes.push(`EXIF not carried: ${(err as Error).message}`);
    }
  }
  if (meta.xmp?.length) md.xmp = patchXmp(meta.xmp, o);
  if (meta.iptc?.length) md.iptc = normaliseIptc(meta.iptc);
  const text = (meta.comments ?? []).filter(
    (c) => !/^(raw profile type |xml:com\.adobe\.xmp$)/i.test(c.keyword),
  );
  if (text.length) md.text = text;
  return md;
}

// --- Writing into containers -----------------------------------------------------------------

type Part = Buffer | { start: number; end: number };

const u32be = (v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v >>> 0);
  return b;
};

function crc32(buf: Buffer): number {
  let c = ~0;
  for (let i = 0; i < buf.length; i++) {
    c ^= buf[i];
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

function pngChunk(type: string, data: Buffer): Buffer {
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

function pngMetadataChunks(md: ImageMetadata): Buffer[] {
  const out: Buffer[] = [];
  if (md.icc)
    out.push(
      pngChunk('iCCP', Buffer.concat([Buffer.from('ICC profile\0\0'), deflateSync(md.icc)])),
    );
  if (md.exif) out.push(pngChunk('eXIf', md.exif));
  if (md.xmp)
    out.push(pngChunk('iTXt', Buffer.concat([Buffer.from('XML:com.adobe.xmp\0\0\0\0\0'), md.xmp])));
  if (md.iptc) {
    const body = deflateSync(rawProfileText('iptc', md.iptc));
    out.push(pngChunk('zTXt', Buffer.concat([Buffer.from('Raw profile type iptc\0\0'), body])));
  }
  for (const t of md.text ?? []) {
    const keyword = Buffer.from(t.keyword, 'latin1').subarray(0, 79);
    out.push(
      pngChunk(
        'iTXt',
        Buffer.concat([keyword, Buffer.from('\0\0\0\0\0'), Buffer.from(t.text, 'utf8')]),
      ),
    );
  }
  return out;
}

function jpegSegment(marker: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  head.writeUInt16BE(data.length + 2, 2);
  return Buffer.concat([head, data]);
}

const JPEG_SEGMENT_MAX = 65533;
const XMP_NS = 'http://ns.adobe.com/xap/1.0/\0';

function jpegMetadataSegments(md: ImageMetadata, notes: string[]): Buffer[] {
  const out: Buffer[] = [];
  if (md.exif) {
    const data = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), md.exif]);
    if (data.length <= JPEG_SEGMENT_MAX) out.push(jpegSegment(0xe1, data));
    else notes.push(`EXIF not carried: ${md.exif.length} bytes do not fit a JPEG segment (64 KB)`);
  }
  if (md.xmp) {
    const data = Buffer.concat([Buffer.from(XMP_NS, 'latin1'), md.xmp]);
    if (data.length <= JPEG_SEGMENT_MAX) out.push(jpegSegment(0xe1, data));
    else notes.push(`XMP not carried: ${md.xmp.length} bytes do not fit a JPEG segment (64 KB)`);
  }
  if (md.icc) {
    const per = JPEG_SEGMENT_MAX - 14;
    const count = Math.ceil(md.icc.length / per);
    if (count <= 255) {
      for (let i = 0; i < count; i++) {
        const head = Buffer.from('ICC_PROFILE\0\0\0', 'latin1');
        head[12] = i + 1;
        head[13] = count;
        out.push(jpegSegment(0xe2, Buffer.concat([head, md.icc.subarray(i * per, (i + 1) * per)])));
      }
    } else notes.push('ICC profile not carried: too large for JPEG');
  }
  if (md.iptc) {
    const data = Buffer.concat([Buffer.from(PHOTOSHOP, 'latin1'), md.iptc]);
    if (data.length <= JPEG_SEGMENT_MAX) out.push(jpegSegment(0xed, data));
    else notes.push('IPTC not carried: it does not fit a JPEG segment (64 KB)');
  }
  return out;
}

function riffChunk(fourcc: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.write(fourcc, 0, 'latin1');
  head.writeUInt32LE(data.length, 4);
  return Buffer.concat([head, data, Buffer.alloc(data.length & 1)]);
}

async function readAt(fh: FileHandle, pos: number, len: number): Promise<Buffer> {
  const b = Buffer.alloc(len);
  const { bytesRead } = await fh.read(b, 0, len, pos);
  if (bytesRead !== len) throw new Error('unexpected end of the encoded file');
  return b;
}

async function jpegParts(fh: FileHandle, size: number, md: ImageMetadata, notes: string[]) {
  const soi = await readAt(fh, 0, 2);
  if (soi[0] !== 0xff || soi[1] !== 0xd8) throw new Error('encoded JPEG has no start marker');
  return [soi, ...jpegMetadataSegments(md, notes), { start: 2, end: size }];
}

/** PNG: the metadata chunks go right after IHDR; ancillary colour chunks the encoder wrote give way. */
async function pngParts(fh: FileHandle, size: number, md: ImageMetadata): Promise<Part[]> {
  const parts: Part[] = [{ start: 0, end: 33 }, ...pngMetadataChunks(md)];
  const replaced = new Set(md.icc ? ['iCCP', 'sRGB', 'gAMA', 'cHRM'] : []);
  if (md.exif) replaced.add('eXIf');
  let o = 33;
  while (o + 8 <= size) {
    const h = await readAt(fh, o, 8);
    const type = h.toString('latin1', 4, 8);
    if (type === 'IDAT') break;
    const end = o + 12 + h.readUInt32BE(0);
    if (!replaced.has(type)) parts.push({ start: o, end });
    o = end;
  }
  parts.push({ start: o, end: size });
  return parts;
}

/** WebP: an extended (VP8X) file with ICCP before the image data and EXIF, XMP after it. */
async function webpParts(
  fh: FileHandle,
  size: number,
  md: ImageMetadata,
  o: { width: number; height: number; alpha: boolean },
): Promise<Part[]> {
  const head = await readAt(fh, 0, 12);
  if (head.toString('latin1', 0, 4) !== 'RIFF' || head.toString('latin1', 8, 12) !== 'WEBP')
    throw new Error('encoded WebP has no RIFF header');
  const image: { start: number; end: number }[] = [];
  let alpha = o.alpha;
  let flags = 0;
  for (let p = 12; p + 8 <= size;) {
    const h = await readAt(fh, p, 8);
    const fourcc = h.toString('latin1', 0, 4);
    const len = h.readUInt32LE(4);
    const end = Math.min(size, p + 8 + len + (len & 1));
    if (fourcc === 'VP8X') flags = (await readAt(fh, p + 8, 1))[0];
    else if (!['ICCP', 'EXIF', 'XMP '].includes(fourcc)) image.push({ start: p, end });
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
  const body =
    4 +
    [...before, ...after].reduce((n, b) => n + b.length, 0) +
    image.reduce((n, r) => n + r.end - r.start, 0);
  const riff = Buffer.alloc(12);
  riff.write('RIFF', 0, 'latin1');
  riff.writeUInt32LE(body, 4);
  riff.write('WEBP', 8, 'latin1');
  return [riff, ...before, ...image, ...after];
}

/** True when there is anything to write for this format. */
export function hasMetadataFor(md: ImageMetadata, format: OutputFormat): boolean {
  return Boolean(
    md.exif || md.xmp || md.icc || (format !== 'webp' && md.iptc) || (format === 'png' && md.text),
  );
}

/**
 * Copies the encoded file `src` into `dst` (which the caller owns and which is truncated) with the
 * metadata written into the container; streams the image data, so memory stays small whatever the
 * file size. Returns notes on anything that could not be carried.
 */
export async function writeWithMetadata(
  src: string,
  dst: string,
  format: OutputFormat,
  md: ImageMetadata,
  o: { width: number; height: number; alpha: boolean },
): Promise<string[]> {
  const notes: string[] = [];
  const fh = await open(src, 'r');
  try {
    const size = (await fh.stat()).size;
    const parts =
      format === 'jpeg'
        ? await jpegParts(fh, size, md, notes)
        : format === 'png'
          ? await pngParts(fh, size, md)
          : await webpParts(fh, size, md, o);
    if (format === 'webp' && md.iptc)
      notes.push('IPTC not carried: WebP has no place for it (its XMP copy, if any, is kept)');
    const out = await open(dst, 'w');
    try {
      const chunk = Buffer.alloc(4 << 20);
      for (const p of parts) {
        if (Buffer.isBuffer(p)) {
          await out.write(p);
          continue;
        }
        for (let pos = p.start; pos < p.end;) {
          const { bytesRead } = await fh.read(chunk, 0, Math.min(chunk.length, p.end - pos), pos);
          if (bytesRead === 0) throw new Error('unexpected end of the encoded file');
          await out.write(chunk, 0, bytesRead);
          pos += bytesRead;
        }
      }
    } finally {
      await out.close();
    }
  } finally {
    await fh.close();
  }
  return notes;
}

// --- EXIF from a TIFF file ---------------------------------------------------------------------

interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  /** Value bytes in the file's byte order. */
  data: Buffer;
}
interface Ifd {
  entries: IfdEntry[];
  subs: Map<number, Ifd>;
}

/** Bytes per value of each TIFF field type. */
const TYPE_SIZE: Record<number, number> = {
  1: 1,
  2: 1,
  3: 2,
  4: 4,
  5: 8,
  6: 1,
  7: 1,
  8: 2,
  9: 4,
  10: 8,
  11: 4,
  12: 8,
  13: 4,
};
const TAG_GPS_IFD = 0x8825;
const TAG_INTEROP_IFD = 0xa005;
/** IFD0 tags of a TIFF that describe the photo (not the file's own layout), carried as EXIF. */
const TIFF_DESCRIPTIVE = new Set([
  0x010e,
  0x010f,
  0x0110,
  0x0112,
  0x011a,
  0x011b,
  0x0128,
  0x0131,
  0x0132,
  0x013b,
  0x013c,
  0x8298,
  0x4746,
  0x4749,
  0x9c9b,
  0x9c9c,
  0x9c9d,
  0x9c9e,
  0x9c9f,
  TAG_EXIF_IFD,
  TAG_GPS_IFD,
]);

async function readIfd(
  fh: FileHandle,
  le: boolean,
  offset: number,
  keep: (tag: number) => boolean,
  depth: number,
): Promise<Ifd> {
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const n = u16(await readAt(fh, offset, 2), 0);
  const table = await readAt(fh, offset + 2, 12 * n);
  const ifd: Ifd = { entries: [], subs: new Map() };
  for (let i = 0; i < n; i++) {
    const e = table.subarray(12 * i, 12 * i + 12);
    const tag = u16(e, 0);
    const type = u16(e, 2);
    const count = u32(e, 4);
    const size = (TYPE_SIZE[type] ?? 0) * count;
    if (!keep(tag) || !TYPE_SIZE[type] || size > 1 << 20) continue;
    const pointer = tag === TAG_EXIF_IFD || tag === TAG_GPS_IFD || tag === TAG_INTEROP_IFD;
    if (pointer) {
      if (depth < 2) ifd.subs.set(tag, await readIfd(fh, le, u32(e, 8), () => true, depth + 1));
      ifd.entries.push({ tag, type: 4, count: 1, data: Buffer.alloc(4) });
      continue;
    }
    const data =
      size <= 4 ? Buffer.from(e.subarray(8, 8 + size)) : await readAt(fh, u32(e, 8), size);
    ifd.entries.push({ tag, type, count, data });
  }
  return ifd;
}

function serialiseTiff(le: boolean, root: Ifd): Buffer {
  const w16 = (b: Buffer, o: number, v: number) =>
    le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o);
  const w32 = (b: Buffer, o: number, v: number) =>
    le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o);
  const head = Buffer.alloc(8);
  head.write(le ? 'II' : 'MM', 0, 'latin1');
  w16(head, 2, 42);
  w32(head, 4, 8);
  const parts: Buffer[] = [head];
  let size = 8;
  const emit = (ifd: Ifd): number => {
    const at = size;
    const entries = [...ifd.entries].sort((a, b) => a.tag - b.tag);
    const table = Buffer.alloc(2 + 12 * entries.length + 4);
    parts.push(table);
    size += table.length;
    w16(table, 0, entries.length);
    const pending: [number, Ifd][] = [];
    entries.forEach((e, i) => {
      const o = 2 + 12 * i;
      w16(table, o, e.tag);
      w16(table, o + 2, e.type);
      w32(table, o + 4, e.count);
      const sub = ifd.subs.get(e.tag);
      if (sub) pending.push([o + 8, sub]);
      else if (e.data.length <= 4) e.data.copy(table, o + 8);
      else {
        w32(table, o + 8, size);
        parts.push(e.data, Buffer.alloc(e.data.length & 1));
        size += e.data.length + (e.data.length & 1);
      }
    });
    for (const [o, sub] of pending) w32(table, o, emit(sub));
    return at;
  };
  emit(root);
  return Buffer.concat(parts);
}

/**
 * EXIF for a TIFF input, which libvips does not expose: the descriptive IFD0 tags (make, model,
 * date, artist, copyright, resolution, orientation…) with the EXIF and GPS directories, rebuilt as
 * a stand-alone EXIF block in the file's byte order. Undefined when there is nothing of that kind.
 */
export async function exifFromTiff(path: string): Promise<Buffer | undefined> {
  const fh = await open(path, 'r');
  try {
    const head = await readAt(fh, 0, 8);
    const mark = head.toString('latin1', 0, 2);
    if (mark !== 'II' && mark !== 'MM') return undefined;
    const le = mark === 'II';
    if ((le ? head.readUInt16LE(2) : head.readUInt16BE(2)) !== 42) return undefined; // BigTIFF: no
    const ifd0 = await readIfd(
      fh,
      le,
      le ? head.readUInt32LE(4) : head.readUInt32BE(4),
      (t) => TIFF_DESCRIPTIVE.has(t),
      0,
    );
    const descriptive = ifd0.entries.filter(
      (e) => ![0x011a, 0x011b, 0x0128, 0x0112].includes(e.tag),
    );
    return descriptive.length ? serialiseTiff(le, ifd0) : undefined;
  } finally {
    await fh.close();
  }
}
