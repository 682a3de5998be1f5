import type { FileHandle } from 'node:fs/promises';
import type { EngineMessage } from '../../../../shared/engine-message';
import { ByteOrder, readAt, writeAllAt } from './bytes';
import { TAG } from './exif';
import type { ImageMetadata } from './image-metadata';
import { iimOf } from './iptc';
import { exifNotCarried } from './metadata-fault';
import { entry, readExifTree, writeIfds, type IfdEntry, type IfdLayout } from './tiff-ifd';

const RESOLUTION = [0x011a, 0x011b, 0x0128];
const XMP = 700;
const IPTC = 33723;
const PHOTOSHOP = 34377;
const ICC = 34675;
/**
 * IFD0 tags of an EXIF block that describe the photo (make, model, dates, author, rating…) and the
 * EXIF / GPS directories: carried into the TIFF's own IFD0. Layout tags (size, strips, samples)
 * are the encoder's; resolution is written from the output's density.
 */
const DESCRIPTIVE = new Set<number>([
  0x010d,
  0x010e,
  0x010f,
  0x0110,
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

/** What the encoder wrote: byte order, classic or BigTIFF, and its first directory's entries. */
async function readHead(
  fh: FileHandle,
): Promise<{ l: IfdLayout; ifd0: number; raw: IfdEntry[]; next: number }> {
  const head = await readAt(fh, 0, 16);
  const mark = head.toString('latin1', 0, 2);
  if (mark !== 'II' && mark !== 'MM') throw new Error('the encoded TIFF has no byte-order mark');
  const order = new ByteOrder(mark === 'II');
  const version = order.u16(head, 2);
  if (version !== 42 && version !== 43) throw new Error(`the encoded TIFF has version ${version}`);
  const big = version === 43;
  const u64 = (b: Buffer, o: number) =>
    Number(order.le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  const ifd0 = big ? u64(head, 8) : order.u32(head, 4);
  const count = big ? u64(await readAt(fh, ifd0, 8), 0) : order.u16(await readAt(fh, ifd0, 2), 0);
  const es = big ? 20 : 12;
  const start = ifd0 + (big ? 8 : 2);
  const table = await readAt(fh, start, es * count + (big ? 8 : 4));
  const raw: IfdEntry[] = [];
  for (let i = 0; i < count; i++) {
    const e = table.subarray(es * i, es * i + es);
    raw.push({
      tag: order.u16(e, 0),
      type: 0,
      count: 0,
      data: Buffer.alloc(0),
      raw: Buffer.from(e),
    });
  }
  const next = big ? u64(table, es * count) : order.u32(table, es * count);
  return { l: { order, big }, ifd0, raw, next };
}

/**
 * Puts the metadata and the resolution into a TIFF the encoder has just written to the file open
 * as `fh`: a new first directory (the encoder's layout entries, copied, plus EXIF's descriptive
 * tags with its EXIF and GPS directories, XMP, IPTC, Photoshop resources, the ICC profile and
 * the resolution, or none when `dpi` is undefined) is appended at the end of the file and the
 * header pointed at it. The pixel data is not moved or rewritten; the old directory (a few
 * hundred bytes) stays unreferenced. Returns notes on anything not carried.
 */
export async function finishTiff(
  fh: FileHandle,
  md: ImageMetadata,
  dpi: number | undefined,
): Promise<EngineMessage[]> {
  const notes: EngineMessage[] = [];
  const { l, raw, next } = await readHead(fh);
  const o = l.order;
  const mine: IfdEntry[] = [];
  if (md.exif) {
    try {
      mine.push(...readExifTree(md.exif, o).filter((e) => DESCRIPTIVE.has(e.tag)));
    } catch (err) {
      notes.push(exifNotCarried(err));
    }
  }
  if (dpi !== undefined)
    mine.push(
      entry.rational(o, 0x011a, dpi),
      entry.rational(o, 0x011b, dpi),
      entry.short(o, 0x0128, 2),
    );
  if (md.xmp) mine.push(entry.bytes(XMP, 1, md.xmp));
  if (md.iptc) {
    const iim = iimOf(md.iptc);
    if (iim) mine.push(entry.bytes(IPTC, 7, iim));
    mine.push(entry.bytes(PHOTOSHOP, 1, md.iptc));
  }
  if (md.icc) mine.push(entry.bytes(ICC, 7, md.icc));
  const replaced = new Set([...RESOLUTION, XMP, IPTC, PHOTOSHOP, ICC, ...mine.map((e) => e.tag)]);
  const entries = [...raw.filter((e) => !replaced.has(e.tag)), ...mine];
  const size = (await fh.stat()).size;
  const base = size + (size & 1);
  const bytes = writeIfds(entries, base, l, next);
  if (!l.big && base + bytes.length > 0xffffffff)
    throw new Error(
      'the metadata would take the TIFF past 4 GB; it is written as BigTIFF above that',
    );
  await writeAllAt(fh, [Buffer.alloc(base - size), bytes], size);
  const pointer = Buffer.alloc(l.big ? 8 : 4);
  if (l.big) {
    if (o.le) pointer.writeBigUInt64LE(BigInt(base));
    else pointer.writeBigUInt64BE(BigInt(base));
  } else o.w32(pointer, 0, base);
  await writeAllAt(fh, [pointer], l.big ? 8 : 4);
  return notes;
}
