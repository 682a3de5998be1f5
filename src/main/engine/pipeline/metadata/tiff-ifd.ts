import { ByteOrder } from './bytes';
import { MetadataFault } from './metadata-fault';
import { TAG, tiffByteOrder } from './exif';

/**
 * A TIFF directory entry held in memory, its value bytes already in the byte order of the file it
 * will be written into. `raw` is an entry copied verbatim from that file (its offsets are absolute
 * and stay valid); `sub` a directory the entry points to (EXIF, GPS, Interop).
 */
export interface IfdEntry {
  tag: number;
  type: number;
  count: number;
  data: Buffer;
  raw?: Buffer;
  sub?: IfdEntry[];
}

/** Bytes per value of each TIFF field type (BigTIFF's 16–18 included). */
export const TYPE_SIZE: Record<number, number> = {
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
  16: 8,
  17: 8,
  18: 8,
};
/** The unit each type's bytes are swapped in when the byte order changes (rationals: halves). */
const SWAP_UNIT: Record<number, number> = { 3: 2, 8: 2, 4: 4, 9: 4, 11: 4, 13: 4, 5: 4, 10: 4 };
const SWAP8 = new Set([12, 16, 17, 18]);
const POINTERS = new Set<number>([TAG.exifIfd, TAG.gpsIfd, TAG.interopIfd]);

function swapped(data: Buffer, type: number): Buffer {
  const out = Buffer.from(data);
  if (SWAP8.has(type)) out.swap64();
  else if (SWAP_UNIT[type] === 2) out.swap16();
  else if (SWAP_UNIT[type] === 4) out.swap32();
  return out;
}

/**
 * The directories of an EXIF block (a classic TIFF structure in memory) as entries in the byte
 * order `to`: IFD0 with its EXIF, GPS and Interop directories. Throws when it cannot be walked.
 */
export function readExifTree(exif: Buffer, to: ByteOrder): IfdEntry[] {
  const from = tiffByteOrder(exif);
  const read = (offset: number, depth: number): IfdEntry[] => {
    if (offset < 8 || offset + 2 > exif.length)
      throw new MetadataFault('ifdOutside', 'IFD outside the EXIF block');
    const n = from.u16(exif, offset);
    if (offset + 2 + 12 * n > exif.length)
      throw new MetadataFault('ifdOutside', 'IFD outside the EXIF block');
    const out: IfdEntry[] = [];
    for (let i = 0; i < n; i++) {
      const e = offset + 2 + 12 * i;
      const tag = from.u16(exif, e);
      const type = from.u16(exif, e + 2);
      const count = from.u32(exif, e + 4);
      const size = (TYPE_SIZE[type] ?? 0) * count;
      if (!TYPE_SIZE[type] || size > 1 << 24) continue;
      if (POINTERS.has(tag)) {
        if (depth < 2)
          out.push({
            tag,
            type: 4,
            count: 1,
            data: Buffer.alloc(4),
            sub: read(from.u32(exif, e + 8), depth + 1),
          });
        continue;
      }
      const at = size <= 4 ? e + 8 : from.u32(exif, e + 8);
      if (at + size > exif.length) continue; // a value outside the block: dropped, not guessed
      const data = exif.subarray(at, at + size);
      out.push({
        tag,
        type,
        count,
        data: from.le === to.le ? Buffer.from(data) : swapped(data, type),
      });
    }
    return out;
  };
  return read(from.u32(exif, 4), 0);
}

/** Where an entry table goes and how wide its fields are: classic TIFF or BigTIFF. */
export interface IfdLayout {
  order: ByteOrder;
  big: boolean;
}

const entrySize = (l: IfdLayout) => (l.big ? 20 : 12);
const inline = (l: IfdLayout) => (l.big ? 8 : 4);

/**
 * Serialises directories to be written at file offset `base` (even): the root table first, then
 * its values and sub-directories, every offset absolute. Entries are sorted by tag, as TIFF wants.
 * Returns the bytes and the root table's offset (= base).
 */
export function writeIfds(root: IfdEntry[], base: number, l: IfdLayout, next = 0): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  const o = l.order;
  const wOff = (b: Buffer, at: number, v: number) => {
    if (l.big) {
      if (o.le) b.writeBigUInt64LE(BigInt(v), at);
      else b.writeBigUInt64BE(BigInt(v), at);
    } else o.w32(b, at, v);
  };
  const push = (b: Buffer) => {
    parts.push(b);
    size += b.length;
    if (b.length & 1) {
      parts.push(Buffer.alloc(1));
      size += 1;
    }
  };
  const emit = (entries: IfdEntry[], nextIfd: number): number => {
    const at = base + size;
    const sorted = [...entries].sort((a, b) => a.tag - b.tag);
    const es = entrySize(l);
    const head = l.big ? 8 : 2;
    const table = Buffer.alloc(head + es * sorted.length + (l.big ? 8 : 4));
    if (l.big) wOff(table, 0, sorted.length);
    else o.w16(table, 0, sorted.length);
    wOff(table, head + es * sorted.length, nextIfd);
    push(table);
    const subs: [number, IfdEntry[]][] = [];
    sorted.forEach((e, i) => {
      const p = head + es * i;
      if (e.raw) {
        e.raw.copy(table, p);
        return;
      }
      o.w16(table, p, e.tag);
      const type = e.sub && l.big ? 18 : e.type;
      o.w16(table, p + 2, type);
      if (l.big) wOff(table, p + 4, e.count);
      else o.w32(table, p + 4, e.count);
      const v = p + (l.big ? 12 : 8);
      if (e.sub) subs.push([v, e.sub]);
      else if (e.data.length <= inline(l)) e.data.copy(table, v);
      else {
        wOff(table, v, base + size);
        push(e.data);
      }
    });
    for (const [v, sub] of subs) wOff(table, v, emit(sub, 0));
    return at;
  };
  emit(root, next);
  return Buffer.concat(parts);
}

/** One value as a typed entry in byte order `o` (SHORT, LONG, RATIONAL, bytes). */
export const entry = {
  short(o: ByteOrder, tag: number, v: number): IfdEntry {
    const data = Buffer.alloc(2);
    o.w16(data, 0, v);
    return { tag, type: 3, count: 1, data };
  },
  rational(o: ByteOrder, tag: number, v: number): IfdEntry {
    const data = Buffer.alloc(8);
    const den = Number.isInteger(v) ? 1 : 10000;
    o.w32(data, 0, Math.round(v * den));
    o.w32(data, 4, den);
    return { tag, type: 5, count: 1, data };
  },
  bytes(tag: number, type: 1 | 7, data: Buffer): IfdEntry {
    return { tag, type, count: data.length, data };
  },
};
