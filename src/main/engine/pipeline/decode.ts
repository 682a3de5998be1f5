import type { FileHandle } from 'node:fs/promises';
import sharp, { type Metadata, type OutputInfo } from 'sharp';
import { throwIfCancelled } from '../../../shared/cancel';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError, type ErrorCode } from '../../../shared/errors';
import type { MetadataPolicy } from '../../../shared/queue';
import { tiffTagsNotCarried } from './metadata/metadata-fault';
import {
  collectMetadata,
  exifFromTiff,
  iccColourSpace,
  iccLabel,
  outputDpi,
  statedDpi,
  type ImageMetadata,
} from './metadata';
import { cameraRawKind } from './camera-raw';
import { decodeHeic } from './heic-decode';
import type { Raster } from './raster';
import { descriptorPath, openRegularFile, readAll, type RegularFile } from '../storage/safe-open';

/**
 * Largest input Upres decodes, in pixels (500 megapixels: twice a 250 MP medium-format scan).
 * Checked from the header before any pixel is decoded, so a file declaring 100000×100000 (a
 * decompression bomb, or a damaged header) is refused instead of exhausting memory.
 */
export const MAX_INPUT_PIXELS = 500_000_000;

/** What the header says about an image file. */
export interface ImageHeader {
  /** Container format sharp detected (png, jpeg, webp, tiff, …). */
  format: string;
  /** Size as stored and upright (EXIF orientation applied). */
  storedWidth: number;
  storedHeight: number;
  width: number;
  height: number;
  orientation: number;
  meta: Metadata;
}

export interface DecodedImage {
  /** Colour as RGB; a greyscale image is replicated into three channels for the model. */
  rgb: Raster;
  /** Transparency channel at the same depth, when the image has one. */
  alpha?: Raster;
  /** Container format sharp detected (png, jpeg, webp, tiff, …). */
  format: string;
  sixteenBit: boolean;
  /** The image is greyscale: the output is written with one colour channel again. */
  grey: boolean;
  /** Metadata to carry (see metadata.ts); the ICC profile is present under either policy. */
  metadata: ImageMetadata;
  /** Conversions made on the way in (CMYK to RGB, …), for the item's notes. */
  notes: EngineMessage[];
}

export interface DecodeOptions {
  /** 'all' (default): EXIF, XMP, IPTC and the ICC profile; 'none': the ICC profile only. */
  keepMetadata?: MetadataPolicy;
  /** Output size, written into the carried EXIF and XMP (default: the input's). */
  outWidth?: number;
  outHeight?: number;
  /** Multiply the input's resolution by the scale (print size kept); default: the DPI is kept. */
  keepPrintSize?: boolean;
  /** The header as `inspectImage` read it when the item was planned: not read a second time. */
  header?: ImageHeader;
  /** Checked between the decode's steps (header, pixels, metadata). */
  signal?: AbortSignal;
}

/** An error whose message names the file and the problem (an input fault, never a disk fault). */
function fail(
  message: EngineMessage,
  cause?: unknown,
  code: ErrorCode = 'input.unreadable',
): UpresError {
  return new UpresError(code, message, cause === undefined ? undefined : { cause });
}

/**
 * First line of a libvips message, without its 'VipsJpeg: '-style prefixes (and with the
 * descriptor path sharp was given left out: the caller's message names the file).
 */
function vipsReason(err: unknown, input?: string | Buffer): string {
  let first = String((err as Error)?.message ?? err).split('\n')[0];
  if (typeof input === 'string')
    first = first.replaceAll(`"${input}" `, '').replaceAll(input, 'the file');
  return first.replace(/^(Input file has corrupt header: )?(\w+: )?/, '').trim() || first;
}

/** True when a PNG file holds an animation (an acTL chunk before its image data). */
async function isAnimatedPng(fh: FileHandle, size: number): Promise<boolean> {
  const head = Buffer.alloc(8);
  for (let o = 8; o + 8 <= size;) {
    const { bytesRead } = await fh.read(head, 0, 8, o);
    if (bytesRead < 8) return false;
    const type = head.toString('latin1', 4, 8);
    if (type === 'acTL') return true;
    if (type === 'IDAT' || type === 'IEND') return false;
    o += 12 + head.readUInt32BE(0);
  }
  return false;
}

/**
 * Largest image file Upres opens: a 500-megapixel image stored uncompressed at 16 bits with alpha
 * (8 bytes a pixel). Checked on the opened file, before sharp reads a byte.
 */
export const MAX_INPUT_BYTES = MAX_INPUT_PIXELS * 8;

/**
 * Opens an image the user named: a regular file only (a FIFO, a device or a folder is refused at
 * once, checked on the opened descriptor; see storage/safe-open.ts), at most MAX_INPUT_BYTES.
 */
export function openImageFile(path: string): Promise<RegularFile> {
  return openRegularFile(path, 'image', { maxBytes: MAX_INPUT_BYTES });
}

/**
 * What to give sharp for an opened image: the descriptor's own path where the platform has one
 * (the checked inode, read only as far as libvips needs), else the file's bytes, read through the
 * checked handle within its size. Sharp never opens the user's path itself, so the file cannot be
 * swapped for a FIFO or a device between the check and the read.
 */
export async function sharpInputOf(file: RegularFile, path: string): Promise<string | Buffer> {
  return descriptorPath(file) ?? (await readAll(file, path, 'image'));
}

/**
 * Reads an image's header with a clear, file-naming error for every way it can fail: missing,
 * a folder or another special file, unreadable (permissions), empty, not an image, damaged header,
 * over MAX_INPUT_PIXELS, animated or multi-page. Decodes no pixels. Errors carry no errno code.
 */
export async function inspectImage(path: string): Promise<ImageHeader> {
  const file = await openImageFile(path);
  try {
    return await inspectOpened(file, path);
  } finally {
    await file.close();
  }
}

/** inspectImage on a file already opened with openImageFile. */
export async function inspectOpened(file: RegularFile, path: string): Promise<ImageHeader> {
  if (file.size === 0) throw fail(msg('pipeline.inputEmpty', { file: path }));
  const raw = await cameraRawKind(file.handle, path, file.size);
  if (raw)
    throw fail(
      'ext' in raw
        ? msg('pipeline.inputCameraRawExt', { file: path, ext: raw.ext })
        : msg('pipeline.inputCameraRaw', { file: path, kind: raw.name }),
      undefined,
      'input.unsupported',
    );
  const input = await sharpInputOf(file, path);
  let meta: Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch (err) {
    const reason = vipsReason(err, input);
    if (/unsupported image format/i.test(reason))
      throw fail(msg('pipeline.inputNotImage', { file: path }), err, 'input.unsupported');
    throw fail(msg('pipeline.inputDamagedHeader', { file: path, reason }), err);
  }
  if (!meta.format || !meta.width || !meta.height)
    throw fail(msg('pipeline.inputNoSize', { file: path }));
  const pixels = meta.width * meta.height;
  if (pixels > MAX_INPUT_PIXELS) {
    throw fail(
      msg('pipeline.inputTooManyPixels', {
        file: path,
        width: meta.width,
        height: meta.height,
        megapixels: Math.round(pixels / 1e6),
        limit: MAX_INPUT_PIXELS / 1e6,
      }),
      undefined,
      'input.too-large',
    );
  }
  const pages = meta.pages ?? 1;
  // A HEIF file may hold several images (bursts, edits): the primary one is the photo.
  if (pages > 1 && meta.format !== 'heif') {
    throw fail(
      meta.format === 'tiff'
        ? msg('pipeline.inputMultiPageTiff', { file: path, pages })
        : msg('pipeline.inputAnimated', { file: path, frames: pages }),
      undefined,
      'input.unsupported',
    );
  }
  if (meta.format === 'png' && (await isAnimatedPng(file.handle, file.size)))
    throw fail(msg('pipeline.inputAnimatedPng', { file: path }), undefined, 'input.unsupported');
  const orientation = meta.orientation ?? 1;
  const turn = orientation >= 5;
  return {
    format: meta.format,
    storedWidth: meta.width,
    storedHeight: meta.height,
    width: turn ? meta.height : meta.width,
    height: turn ? meta.width : meta.height,
    orientation,
    meta,
  };
}

/** Views sharp's raw output as 8- or 16-bit samples (copying only if misaligned). */
export function samplesOf(buf: Buffer, sixteen: boolean): Uint8Array | Uint16Array {
  if (!sixteen) return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.byteOffset % 2 === 0)
    return new Uint16Array(buf.buffer, buf.byteOffset, buf.byteLength / 2);
  return new Uint16Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
}

let srgbProfile: Promise<Buffer> | undefined;

/** libvips' built-in sRGB ICC profile (what a converted CMYK image is tagged with). */
function builtInSrgbProfile(): Promise<Buffer> {
  srgbProfile ??= sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('srgb')
    .png()
    .toBuffer()
    .then(async (b) => (await sharp(b).metadata()).icc!);
  return srgbProfile;
}

/**
 * Decodes an image upright (EXIF orientation applied to the pixels) in its own colour values: an
 * embedded ICC profile is kept, not applied, so the model sees the numbers the file holds and the
 * profile, re-attached to the output, gives them the same meaning again. Exceptions, each noted:
 * CMYK is converted to sRGB through its embedded profile (or libvips' generic CMYK profile) and
 * tagged sRGB; Lab and other non-RGB spaces are converted to sRGB.
 *
 * 16-bit PNG/TIFF stays 16-bit; greyscale comes back as RGB with `grey` set; palette images are
 * expanded to RGB(A).
 */
export async function decodeImage(path: string, opt: DecodeOptions = {}): Promise<DecodedImage> {
  throwIfCancelled(opt.signal, path);
  const file = await openImageFile(path);
  try {
    return await decodeOpened(file, path, opt);
  } finally {
    await file.close();
  }
}

async function decodeOpened(
  file: RegularFile,
  path: string,
  opt: DecodeOptions,
): Promise<DecodedImage> {
  const header = opt.header ?? (await inspectOpened(file, path));
  throwIfCancelled(opt.signal, path);
  const input = await sharpInputOf(file, path);
  const { meta } = header;
  const notes: EngineMessage[] = [];
  const space = meta.space as string;
  const cmyk = space === 'cmyk';
  const grey = space === 'b-w' || space === 'grey16';
  const sixteenBit = meta.depth === 'ushort' && !cmyk;
  const rgbLike = grey || space === 'srgb' || space === 'rgb' || space === 'rgb16';
  let img = sharp(input, { limitInputPixels: MAX_INPUT_PIXELS, failOn: 'warning' }).rotate();
  // Keeping the profile stops sharp from converting to sRGB through it; CMYK must be converted.
  if (!cmyk) img = img.keepIccProfile();
  // 16-bit grey decodes as one channel (+ alpha); 8-bit grey as sRGB, i.e. the grey value replicated
  // exactly, because sharp's 8-bit 'b-w' output drops the transparency channel.
  const oneChannel = grey && sixteenBit;
  img = img.toColourspace(oneChannel ? 'grey16' : sixteenBit ? 'rgb16' : 'srgb');
  let raw: { data: Buffer; info: Pick<OutputInfo, 'width' | 'height' | 'channels'> };
  const hevc = meta.format === 'heif' && meta.compression === 'hevc';
  try {
    if (hevc) {
      const bytes = typeof input === 'string' ? await readAll(file, path, 'image') : input;
      const px = decodeHeic(bytes, meta.bitsPerSample ?? 8);
      if (px.sixteen !== sixteenBit) throw new Error('the decoded depth differs from the header');
      raw = { data: px.data, info: px };
      if (px.images > 1)
        notes.push(msg('pipeline.heifImages', { count: px.images, others: px.images - 1 }));
    } else
      raw = await img
        .raw({ depth: sixteenBit ? 'ushort' : 'uchar' })
        .toBuffer({ resolveWithObject: true });
  } catch (err) {
    throw fail(
      msg('pipeline.inputCannotDecode', { file: path, reason: vipsReason(err, input) }),
      err,
    );
  }
  throwIfCancelled(opt.signal, path);
  const { width, height, channels } = raw.info;
  const all = samplesOf(raw.data, sixteenBit);
  const colour = oneChannel ? 1 : 3;
  if (channels !== colour && channels !== colour + 1)
    throw fail(
      msg('pipeline.inputChannels', { file: path, channels, colour, colourAlpha: colour + 1 }),
    );
  const n = width * height;
  const make = (c: number): Raster => ({
    width,
    height,
    channels: c,
    data: sixteenBit ? new Uint16Array(n * c) : new Uint8Array(n * c),
  });
  const rgb = make(3);
  const alpha = channels > colour ? make(1) : undefined;
  for (let i = 0; i < n; i++) {
    const s = i * channels;
    if (oneChannel) rgb.data[i * 3] = rgb.data[i * 3 + 1] = rgb.data[i * 3 + 2] = all[s];
    else {
      rgb.data[i * 3] = all[s];
      rgb.data[i * 3 + 1] = all[s + 1];
      rgb.data[i * 3 + 2] = all[s + 2];
    }
    if (alpha) alpha.data[i] = all[s + colour];
  }

  const turned = header.orientation > 1;
  const size = { width: opt.outWidth ?? width, height: opt.outHeight ?? height };
  const keep = (opt.keepMetadata ?? 'all') === 'all';
  if (keep && meta.format === 'tiff' && !meta.exif) {
    // libvips reads a TIFF's tags but does not hand its EXIF over: rebuild it from the file.
    try {
      meta.exif = await exifFromTiff(file.handle);
    } catch (err) {
      notes.push(tiffTagsNotCarried(err));
    }
  }
  const dpi = outputDpi(statedDpi(meta), size.width / width, Boolean(opt.keepPrintSize));
  const metadata: ImageMetadata = keep
    ? collectMetadata(meta, { ...size, turned, dpi }, notes)
    : {};
  if (dpi !== undefined) metadata.dpi = dpi;
  if (meta.gainMap?.image?.length) {
    // The gain map is stored as the picture is: an EXIF-turned input would need it turned too.
    if (turned) notes.push(msg('pipeline.hdrTurned'));
    else metadata.gainMap = { image: meta.gainMap.image, width, height };
  }
  if (cmyk) {
    metadata.icc = await builtInSrgbProfile();
    notes.push(msg(meta.icc ? 'pipeline.cmykEmbedded' : 'pipeline.cmykGeneric'));
  } else if (!rgbLike) {
    notes.push(msg(sixteenBit ? 'pipeline.spaceToRgb16' : 'pipeline.spaceToSrgb', { space }));
  } else if (meta.icc?.length) {
    const profileSpace = iccColourSpace(meta.icc);
    if (profileSpace === (grey ? 'GRAY' : 'RGB ')) metadata.icc = meta.icc;
    else
      notes.push(
        msg(grey ? 'pipeline.iccNotFitGrey' : 'pipeline.iccNotFitColour', {
          profile: iccLabel(meta.icc),
        }),
      );
  }
  return { rgb, alpha, format: meta.format, sixteenBit, grey, metadata, notes };
}
