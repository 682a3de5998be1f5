import { open, type FileHandle } from 'node:fs/promises';
import { ByteOrder, readAt } from './bytes';
import { TAG, tiffByteOrder } from './exif';
import { TYPE_SIZE as ANY_TYPE_SIZE } from './tiff-ifd';

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

/** Bytes per value of each classic TIFF field type (BigTIFF's 16–18 are not valid here). */
const TYPE_SIZE: Record<number, number> = Object.fromEntries(
  Object.entries(ANY_TYPE_SIZE).filter(([type]) => Number(type) <= 13),
);
/** IFD0 tags of a TIFF that describe the photo (not the file's own layout), carried as EXIF. */
const TIFF_DESCRIPTIVE = new Set<number>([
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
  TAG.exifIfd,
  TAG.gpsIfd,
]);
/** Resolution, orientation: carried when present, but alone they are not worth an EXIF block. */
const LAYOUT_ONLY = new Set([0x011a, 0x011b, 0x0128, 0x0112]);

async function readIfd(
  fh: FileHandle,
  bo: ByteOrder,
  offset: number,
  keep: (tag: number) => boolean,
  depth: number,
): Promise<Ifd> {
  const n = bo.u16(await readAt(fh, offset, 2), 0);
  const table = await readAt(fh, offset + 2, 12 * n);
  const ifd: Ifd = { entries: [], subs: new Map() };
  for (let i = 0; i < n; i++) {
    const e = table.subarray(12 * i, 12 * i + 12);
    const tag = bo.u16(e, 0);
    const type = bo.u16(e, 2);
    const count = bo.u32(e, 4);
    const size = (TYPE_SIZE[type] ?? 0) * count;
    if (!keep(tag) || !TYPE_SIZE[type] || size > 1 << 20) continue;
    const pointer = tag === TAG.exifIfd || tag === TAG.gpsIfd || tag === TAG.interopIfd;
    if (pointer) {
      if (depth < 2) ifd.subs.set(tag, await readIfd(fh, bo, bo.u32(e, 8), () => true, depth + 1));
      ifd.entries.push({ tag, type: 4, count: 1, data: Buffer.alloc(4) });
      continue;
    }
    const data =
      size <= 4 ? Buffer.from(e.subarray(8, 8 + size)) : await readAt(fh, bo.u32(e, 8), size);
    ifd.entries.push({ tag, type, count, data });
  }
  return ifd;
}

function serialiseTiff(bo: ByteOrder, root: Ifd): Buffer {
  const head = Buffer.alloc(8);
  head.write(bo.le ? 'II' : 'MM', 0, 'latin1');
  bo.w16(head, 2, 42);
  bo.w32(head, 4, 8);
  const parts: Buffer[] = [head];
  let size = 8;
  const emit = (ifd: Ifd): number => {
    const at = size;
    const entries = [...ifd.entries].sort((a, b) => a.tag - b.tag);
    const table = Buffer.alloc(2 + 12 * entries.length + 4);
    parts.push(table);
    size += table.length;
    bo.w16(table, 0, entries.length);
    const pending: [number, Ifd][] = [];
    entries.forEach((e, i) => {
      const o = 2 + 12 * i;
      bo.w16(table, o, e.tag);
      bo.w16(table, o + 2, e.type);
      bo.w32(table, o + 4, e.count);
      const sub = ifd.subs.get(e.tag);
      if (sub) pending.push([o + 8, sub]);
      else if (e.data.length <= 4) e.data.copy(table, o + 8);
      else {
        bo.w32(table, o + 8, size);
        parts.push(e.data, Buffer.alloc(e.data.length & 1));
        size += e.data.length + (e.data.length & 1);
      }
    });
    for (const [o, sub] of pending) bo.w32(table, o, emit(sub));
    return at;
  };
  emit(root);
  return Buffer.concat(parts);
}

/**
 * EXIF for a TIFF input, which libvips does not expose: the descriptive IFD0 tags (make, model,
 * date, artist, copyright, resolution, orientation…) with the EXIF and GPS directories, rebuilt as
 * a stand-alone EXIF block in the file's byte order. Undefined when there is nothing of that kind.
 * Given an open handle (the decoder's checked one), reads through it and leaves it open.
 */
export async function exifFromTiff(file: string | FileHandle): Promise<Buffer | undefined> {
  const fh = typeof file === 'string' ? await open(file, 'r') : file;
  try {
    let bo: ByteOrder;
    const head = await readAt(fh, 0, 8);
    try {
      bo = tiffByteOrder(head);
    } catch {
      return undefined; // not a classic TIFF (BigTIFF has 43): nothing to rebuild
    }
    const ifd0 = await readIfd(fh, bo, bo.u32(head, 4), (t) => TIFF_DESCRIPTIVE.has(t), 0);
    const descriptive = ifd0.entries.filter((e) => !LAYOUT_ONLY.has(e.tag));
    return descriptive.length ? serialiseTiff(bo, ifd0) : undefined;
  } finally {
    if (typeof file === 'string') await fh.close();
  }
}
