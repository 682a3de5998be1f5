import { open, type FileHandle } from 'node:fs/promises';
import type { Sharp } from 'sharp';
import { msg, type EngineMessage } from '../../../../shared/engine-message';
import type { OutputFormatName } from '../../../../shared/output-rules';
import { readAt, writeAllAt } from './bytes';
import { avifWithMetadata } from './avif-boxes';
import { attachGainMap } from './gain-map';
import { hasMetadataFor, type ImageMetadata } from './image-metadata';
import {
  fillJpegRoom,
  jpegMetadataSegments,
  jpegRoomFits,
  jpegWithSegments,
  reserveJpegRoom,
} from './jpeg-segments';
import { fillPngRoom, pngMetadataChunks, reservePngRoom, setPngResolution } from './png-chunks';
import { patchJfif, resolutionExif } from './resolution';
import { newRoom } from './room';
import { finishTiff } from './tiff-output';
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

/** Sets the JFIF resolution of the JPEG in `path` (see patchJfif). */
async function setJpegResolution(fh: FileHandle, dpi: number | undefined): Promise<void> {
  const head = await readAt(fh, 0, 18);
  if (patchJfif(head, dpi)) await writeAllAt(fh, [head.subarray(13, 18)], 13);
}

/**
 * Runs the encoder `img` (format options already set) into `path`, which the caller owns and
 * which is overwritten, with the metadata written into the container and the resolution stated
 * the same in every place that holds one (`md.dpi`, or nowhere); the file is written once, with no
 * second temp file. JPEG and PNG are encoded straight to disk as libvips streams them, with room
 * reserved for the metadata and filled in place (see room.ts); TIFF is streamed too and gets a new
 * first directory appended (tiff-output.ts). WebP and AVIF, which their encoders build in memory
 * anyway, and a JPEG whose metadata is larger than the room the encoder can leave (over about
 * 120 KB), are encoded to memory and written with the metadata in one pass. Returns notes on
 * anything that could not be carried.
 */
export async function encodeWithMetadata(
  img: Sharp,
  path: string,
  format: OutputFormatName,
  md: ImageMetadata,
  o: { width: number; height: number; alpha: boolean },
): Promise<EngineMessage[]> {
  const notes: EngineMessage[] = [];
  const room = newRoom();
  const has = hasMetadataFor(md, format);
  if (md.gainMap && format !== 'jpeg') notes.push(msg('pipeline.hdrNotJpeg'));
  if (format === 'webp' || format === 'avif') {
    if (md.iptc)
      notes.push(msg('pipeline.iptcNoPlace', { format: format === 'webp' ? 'WebP' : 'AVIF' }));
    if (!has) await img.toFile(path);
    else {
      // EXIF is where these formats state a resolution: one that states only it, if need be.
      const m = !md.exif && md.dpi !== undefined ? { ...md, exif: resolutionExif(md.dpi) } : md;
      const encoded = await img.toBuffer();
      const parts =
        format === 'webp' ? webpWithMetadata(encoded, m, o) : [avifWithMetadata(encoded, m)];
      await withFile(path, 'w', (fh) => writeAllAt(fh, parts, 0));
    }
  } else if (format === 'tiff') {
    await img.toFile(path);
    await withFile(
      path,
      'r+',
      async (fh) => void notes.push(...(await finishTiff(fh, md, md.dpi))),
    );
  } else if (format === 'jpeg') {
    const segments = has ? jpegMetadataSegments(md, notes) : [];
    if (!segments.length) await img.toFile(path);
    else if (!jpegRoomFits(sum(segments))) {
      const encoded = await img.toBuffer();
      patchJfif(encoded, md.dpi);
      const parts = jpegWithSegments(encoded, segments);
      await withFile(path, 'w', (fh) => writeAllAt(fh, parts, 0));
    } else {
      await reserveJpegRoom(img, room, sum(segments)).toFile(path);
      await withFile(path, 'r+', (fh) => fillJpegRoom(fh, room, segments, path));
    }
    await withFile(path, 'r+', (fh) => setJpegResolution(fh, md.dpi));
    if (md.gainMap) await attachGainMap(path, md.gainMap, o.width, o.height);
  } else {
    const chunks = has ? pngMetadataChunks(md) : [];
    if (!chunks.length) await img.toFile(path);
    else {
      await reservePngRoom(img, room, sum(chunks)).toFile(path);
      await withFile(path, 'r+', (fh) => fillPngRoom(fh, room, md, chunks, path));
    }
    await withFile(path, 'r+', async (fh) => {
      if (!(await setPngResolution(fh, md.dpi)) && md.dpi !== undefined)
        notes.push(msg('pipeline.pngNoPhys'));
    });
  }
  return notes;
}
