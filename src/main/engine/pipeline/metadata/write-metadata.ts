import { open, type FileHandle } from 'node:fs/promises';
import type { Sharp } from 'sharp';
import type { OutputFormatName } from '../../../../shared/output-rules';
import { writeAllAt } from './bytes';
import type { ImageMetadata } from './image-metadata';
import {
  fillJpegRoom,
  jpegMetadataSegments,
  jpegRoomFits,
  jpegWithSegments,
  reserveJpegRoom,
} from './jpeg-segments';
import { fillPngRoom, pngMetadataChunks, reservePngRoom } from './png-chunks';
import { newRoom } from './room';
import { webpWithMetadata } from './webp-chunks';

async function withFile(path: string, flags: string, fn: (fh: FileHandle) => Promise<void>) {
  const fh = await open(path, flags);
  try {
    await fn(fh);
  } finally {
    await fh.close();
  }
}

const sum = (parts: Buffer[]) => parts.reduce((n, p) => n + p.length, 0);

/**
 * Runs the encoder `img` (format options already set) into `path`, which the caller owns and
 * which is overwritten, with the metadata written into the container; the file is written once,
 * with no second temp file. JPEG and PNG are encoded straight to disk as libvips streams them,
 * with room reserved for the metadata and filled in place (see room.ts). WebP, which libwebp builds
 * in memory anyway, and a JPEG whose metadata is larger than the room the encoder can leave (over
 * about 120 KB), are encoded to memory and written with the metadata in one pass. Returns notes
 * on anything that could not be carried.
 */
export async function encodeWithMetadata(
  img: Sharp,
  path: string,
  format: OutputFormatName,
  md: ImageMetadata,
  o: { width: number; height: number; alpha: boolean },
): Promise<string[]> {
  const notes: string[] = [];
  const room = newRoom();
  if (format === 'webp') {
    if (md.iptc)
      notes.push('IPTC not carried: WebP has no place for it (its XMP copy, if any, is kept)');
    const parts = webpWithMetadata(await img.toBuffer(), md, o);
    await withFile(path, 'w', (fh) => writeAllAt(fh, parts, 0));
  } else if (format === 'jpeg') {
    const segments = jpegMetadataSegments(md, notes);
    if (!segments.length) await img.toFile(path);
    else if (!jpegRoomFits(sum(segments))) {
      const parts = jpegWithSegments(await img.toBuffer(), segments);
      await withFile(path, 'w', (fh) => writeAllAt(fh, parts, 0));
    } else {
      await reserveJpegRoom(img, room, sum(segments)).toFile(path);
      await withFile(path, 'r+', (fh) => fillJpegRoom(fh, room, segments, path));
    }
  } else {
    const chunks = pngMetadataChunks(md);
    await reservePngRoom(img, room, sum(chunks)).toFile(path);
    await withFile(path, 'r+', (fh) => fillPngRoom(fh, room, md, chunks, path));
  }
  return notes;
}
