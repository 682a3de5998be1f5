import type { FileHandle } from 'node:fs/promises';
import type { Sharp } from 'sharp';
import { UpresError } from '../../../../shared/errors';
import { msg, type EngineMessage } from '../../../../shared/engine-message';
import { BIG_ENDIAN, readAt, writeAllAt } from './bytes';
import type { ImageMetadata } from './image-metadata';
import { PHOTOSHOP } from './iptc';
import { jfifSegment } from './resolution';
import { spaces, type Room, type RoomRange } from './room';

/** Largest payload of one JPEG marker segment (its length field counts itself). */
const SEGMENT_MAX = 65533;
const XMP_NS = 'http://ns.adobe.com/xap/1.0/\0';
const APP1 = 0xe1;
const COM = 0xfe;
/** libvips writes XMP of at most this many bytes into a JPEG (measured with sharp 0.35). */
const XMP_PLACEHOLDER_MAX = 60000;
/** Room one XMP placeholder segment gives: marker, length, namespace, packet. */
const XMP_ROOM_MAX = 4 + XMP_NS.length + XMP_PLACEHOLDER_MAX;
/** The EXIF placeholder's string: libvips adds about 200 bytes of its own tags around it. */
const EXIF_PLACEHOLDER_MAX = 65000;

function segment(marker: number, data: Buffer): Buffer {
  const head = Buffer.from([0xff, marker, 0, 0]);
  BIG_ENDIAN.w16(head, 2, data.length + 2);
  return Buffer.concat([head, data]);
}

/** The APP segments that carry the metadata, with notes on what does not fit a JPEG. */
export function jpegMetadataSegments(md: ImageMetadata, notes: EngineMessage[]): Buffer[] {
  // JFIF first, as its standard wants: libjpeg as libvips drives it writes none with our settings.
  const out: Buffer[] = md.dpi !== undefined ? [jfifSegment(md.dpi)] : [];
  if (md.exif) {
    const data = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), md.exif]);
    if (data.length <= SEGMENT_MAX) out.push(segment(APP1, data));
    else notes.push(msg('pipeline.exifTooLargeJpeg', { bytes: md.exif.length }));
  }
  if (md.xmp) {
    const data = Buffer.concat([Buffer.from(XMP_NS, 'latin1'), md.xmp]);
    if (data.length <= SEGMENT_MAX) out.push(segment(APP1, data));
    else notes.push(msg('pipeline.xmpTooLargeJpeg', { bytes: md.xmp.length }));
  }
  if (md.icc) {
    const per = SEGMENT_MAX - 14;
    const count = Math.ceil(md.icc.length / per);
    if (count <= 255) {
      for (let i = 0; i < count; i++) {
        const head = Buffer.from('ICC_PROFILE\0\0\0', 'latin1');
        head[12] = i + 1;
        head[13] = count;
        out.push(segment(0xe2, Buffer.concat([head, md.icc.subarray(i * per, (i + 1) * per)])));
      }
    } else notes.push(msg('pipeline.iccTooLargeJpeg'));
  }
  if (md.iptc) {
    const data = Buffer.concat([Buffer.from(PHOTOSHOP, 'latin1'), md.iptc]);
    if (data.length <= SEGMENT_MAX) out.push(segment(0xed, data));
    else notes.push(msg('pipeline.iptcTooLargeJpeg'));
  }
  return out;
}

/** Empty comment segments filling `length` bytes exactly (0, or at least 4). */
function filler(length: number): Buffer[] {
  const out: Buffer[] = [];
  while (length > 0) {
    // A segment is 4 to SEGMENT_MAX + 4 bytes; leave at least 4 for the next one.
    const n = length <= SEGMENT_MAX + 4 ? length : Math.min(SEGMENT_MAX + 4, length - 4);
    out.push(segment(COM, Buffer.alloc(n - 4, 0x20)));
    length -= n;
  }
  return out;
}

/** True when placeholders in the encoder's output can hold `total` bytes of segments. */
export function jpegRoomFits(total: number): boolean {
  return total <= XMP_ROOM_MAX + EXIF_PLACEHOLDER_MAX;
}

/**
 * Asks the encoder to leave room for `total` bytes of segments right after its start marker: one
 * XMP placeholder sized so the room is exact (or a few bytes more, filled with a comment), and for
 * more than it holds, an EXIF placeholder before it.
 */
export function reserveJpegRoom(img: Sharp, room: Room, total: number): Sharp {
  const xmpOverhead = 4 + XMP_NS.length;
  if (total <= XMP_ROOM_MAX) {
    // An exact fit, unless the segments are smaller than the smallest placeholder plus a comment.
    const minimum = xmpOverhead + room.token.length;
    const packet = total >= minimum ? total - xmpOverhead : room.token.length + 4;
    return img.withXmp(spaces(room, packet));
  }
  const exif = Math.min(EXIF_PLACEHOLDER_MAX, total - XMP_ROOM_MAX);
  return img
    .withExif({ IFD0: { ImageDescription: spaces(room, exif) } })
    .withXmp(spaces(room, XMP_PLACEHOLDER_MAX));
}

/** The contiguous run of placeholder segments between the start marker and the image data. */
async function findRoom(fh: FileHandle, room: Room, size: number): Promise<RoomRange> {
  const soi = await readAt(fh, 0, 2);
  if (soi[0] !== 0xff || soi[1] !== 0xd8) throw new Error('encoded JPEG has no start marker');
  const token = Buffer.from(room.token, 'latin1');
  let range: RoomRange | undefined;
  for (let o = 2; o + 4 <= size;) {
    const h = await readAt(fh, o, 4);
    if (h[0] !== 0xff || h[1] === 0xda || h[1] < 0xe0) break; // tables and scans: past the APPs
    const end = o + 2 + BIG_ENDIAN.u16(h, 2);
    const ours = h[1] === APP1 && (await readAt(fh, o, end - o)).includes(token);
    if (ours && !range) range = { start: o, end };
    else if (ours && range?.end === o) range.end = end;
    else if (ours) throw new Error('placeholders are not adjacent');
    o = end;
  }
  if (!range) throw new Error('placeholder not found');
  return range;
}

/** Writes the segments into the room the encoder left in the file open as `fh`. */
export async function fillJpegRoom(
  fh: FileHandle,
  room: Room,
  segments: Buffer[],
  path: string,
): Promise<void> {
  const size = (await fh.stat()).size;
  const range = await findRoom(fh, room, size).catch((err: Error) => {
    throw new UpresError(
      'internal',
      `${path}: no room for the metadata in the JPEG (${err.message})`,
    );
  });
  const total = segments.reduce((n, s) => n + s.length, 0);
  const spare = range.end - range.start - total;
  if (spare < 0 || (spare > 0 && spare < 4))
    throw new UpresError('internal', `${path}: the JPEG's room for metadata is ${spare} bytes off`);
  await writeAllAt(fh, [...segments, ...filler(spare)], range.start);
}

/** The parts of a JPEG with the segments after its start marker (the encoded file in memory). */
export function jpegWithSegments(encoded: Buffer, segments: Buffer[]): Buffer[] {
  if (encoded[0] !== 0xff || encoded[1] !== 0xd8)
    throw new Error('encoded JPEG has no start marker');
  return [encoded.subarray(0, 2), ...segments, encoded.subarray(2)];
}
