import { stat } from 'node:fs/promises';
import sharp from 'sharp';
import type { ImageTokens, TokenImage } from './image-tokens';

/** Formats every browser shows as they are; anything else (TIFF, BMP, HEIF…) is sent as PNG. */
const BROWSER_TYPES: Record<string, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  webp: 'image/webp',
  gif: 'image/gif',
};

const UNLIMITED = { limitInputPixels: false as const };

/**
 * A token for an image file the queue knows: the file itself where a browser can show it,
 * otherwise a PNG of it; with `maxSide`, a downsampled JPEG (PNG where there is transparency).
 * Made once per file version and size, then served from the token store's cache.
 */
export async function fileImageToken(
  tokens: ImageTokens,
  path: string,
  maxSide: number | undefined,
  valid: () => boolean,
): Promise<TokenImage> {
  const st = await stat(path);
  const key = `${path}|${st.mtimeMs}|${st.size}|${maxSide ?? 'full'}`;
  const cached = tokens.cached(key);
  if (cached) return cached;
  const meta = await sharp(path, UNLIMITED).metadata();
  if (!meta.width || !meta.height) throw new Error(`${path}: not a readable image`);
  const upright = (meta.orientation ?? 1) >= 5;
  const width = upright ? meta.height : meta.width;
  const height = upright ? meta.width : meta.height;
  const type = meta.format ? BROWSER_TYPES[meta.format] : undefined;
  const small = maxSide !== undefined && Math.max(width, height) > maxSide;
  if (!small && type && (meta.pages ?? 1) === 1)
    return tokens.putFile(path, type, { width, height }, key, valid);
  let img = sharp(path, UNLIMITED).rotate();
  if (small) img = img.resize(maxSide, maxSide, { fit: 'inside', kernel: 'lanczos3' });
  const out =
    small && !meta.hasAlpha
      ? img.jpeg({ quality: 88 })
      : img.png({ compressionLevel: small ? 6 : 2 });
  const { data, info } = await out.toBuffer({ resolveWithObject: true });
  const mime = info.format === 'jpeg' ? 'image/jpeg' : 'image/png';
  return tokens.putBytes(data, mime, { width: info.width, height: info.height }, key, valid);
}
