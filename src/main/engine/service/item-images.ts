import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { inspectOpened, MAX_INPUT_PIXELS, openImageFile, sharpInputOf } from '../pipeline/decode';
import { heicAsSharp } from '../pipeline/heic-decode';
import { readAll } from '../storage/safe-open';
import type { ImageTokens, TokenImage } from './image-tokens';

/** Formats every browser shows as they are; anything else (TIFF, BMP, HEIF…) is sent as PNG. */
const BROWSER_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

/** Pixel decodes made by fileImageToken (a cached answer makes none); read by tests. */
export const itemImageDecodes = { count: 0 };

/**
 * A token for an image file the queue knows: the file itself where a browser can show it,
 * otherwise a PNG of it; with `maxSide`, a downsampled JPEG (PNG where there is transparency).
 * The header is checked as the pipeline checks it (inspectImage: the same MAX_INPUT_PIXELS, so a
 * file declaring 1600 MP is refused before any pixel is decoded, as `input.too-large`), and the
 * copy is made once per file version (path, mtime, size) and `maxSide`, then served from the
 * token store's cache.
 */
export async function fileImageToken(
  tokens: ImageTokens,
  path: string,
  maxSide: number | undefined,
  valid: () => boolean,
): Promise<TokenImage> {
  const st = await stat(path).catch((err: NodeJS.ErrnoException) => {
    throw new UpresError(
      err.code === 'ENOENT' ? 'input.missing' : 'input.unreadable',
      msg('batch.fileUnreadable', { file: path, reason: err.code ?? err.message }),
      { cause: err },
    );
  });
  // A FIFO or device would block sharp's read for ever: only regular files are shown.
  if (!st.isFile())
    throw new UpresError('input.unsupported', msg('batch.notRegularFile', { file: path }));
  const key = `${path}|${st.mtimeMs}|${st.size}|${maxSide ?? 'full'}`;
  const cached = tokens.cached(key);
  if (cached) return cached;
  // Header and pixels come through one checked descriptor (openImageFile: a regular file, within
  // the size limit), so the file cannot be swapped between the check and the decode.
  const file = await openImageFile(path);
  try {
    const header = await inspectOpened(file, path);
    const { width, height, meta } = header;
    const type = BROWSER_TYPES[header.format];
    const small = maxSide !== undefined && Math.max(width, height) > maxSide;
    if (!small && type) return tokens.putFile(path, type, { width, height }, key, valid);
    // sharp exposes no EXIF thumbnail (only the raw EXIF block), so a small copy is decoded with
    // shrink-on-load (libjpeg's and libwebp's scaled decode: a 24 MP JPEG costs ~1/64 of its
    // pixels), within the pipeline's pixel limit even if the header check above were bypassed.
    itemImageDecodes.count++;
    // sharp's libheif has no HEVC decoder: an iPhone HEIC is decoded by the engine's own.
    const hevc = header.format === 'heif' && meta.compression === 'hevc';
    let img = hevc
      ? heicAsSharp(await readAll(file, path, 'image'), meta.bitsPerSample ?? 8)
      : sharp(await sharpInputOf(file, path), { limitInputPixels: MAX_INPUT_PIXELS }).rotate();
    if (small)
      img = img.resize(maxSide, maxSide, {
        fit: 'inside',
        kernel: 'lanczos3',
        fastShrinkOnLoad: true,
      });
    const out =
      small && !meta.hasAlpha
        ? img.jpeg({ quality: 88 })
        : img.png({ compressionLevel: small ? 6 : 2 });
    const { data, info } = await out.toBuffer({ resolveWithObject: true }).catch((err: unknown) => {
      throw new UpresError(
        'input.unreadable',
        msg('batch.imageUndecodable', { file: path, reason: (err as Error).message }),
        { cause: err },
      );
    });
    const mime = info.format === 'jpeg' ? 'image/jpeg' : 'image/png';
    return tokens.putBytes(data, mime, { width: info.width, height: info.height }, key, valid);
  } finally {
    await file.close();
  }
}
