// Item images (thumbnails and full views): the pipeline's pixel limit before any decode, a
// shrink-on-load copy that matches sharp's own resize, one decode per file version.
import { mkdtemp, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UpresError } from '../../../src/shared/errors';
import { ImageTokens, type ImageSource } from '../../../src/main/engine/service/image-tokens';
import { fileImageToken, itemImageDecodes } from '../../../src/main/engine/service/item-images';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-item-images-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type: string, data: Buffer): Buffer {
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  body.copy(out, 4);
  out.writeUInt32BE(crc32(body), 8 + data.length);
  return out;
}

/** A valid-looking PNG whose IHDR declares width × height RGB, with a few rows of data. */
function pngHeader(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bit, RGB, deflate, no filter, no interlace
  const rows = deflateSync(Buffer.alloc(4 * (1 + width * 3)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', rows),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A smooth test picture (gradients and a disc) as raw RGB. */
function picture(width: number, height: number): Buffer {
  const data = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      const inDisc = (x - width / 2) ** 2 + (y - height / 2) ** 2 < (height / 3) ** 2;
      data[i] = Math.round((255 * x) / width);
      data[i + 1] = Math.round((255 * y) / height);
      data[i + 2] = inDisc ? 230 : 40;
    }
  return data;
}

async function pixels(input: Buffer | string) {
  const { data, info } = await sharp(input)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

function bytesOf(source: ImageSource | undefined): Buffer {
  if (source?.kind !== 'bytes') throw new Error(`expected bytes, got ${source?.kind}`);
  return source.data;
}

describe('fileImageToken', () => {
  it('refuses a PNG declaring 1600 MP from its header, quickly, without decoding it', async () => {
    const path = join(dir, 'bomb.png');
    const file = pngHeader(40_000, 40_000);
    expect(file.length).toBeLessThan(200_000);
    await writeFile(path, file);
    expect((await sharp(path, { limitInputPixels: false }).metadata()).width).toBe(40_000);
    const before = itemImageDecodes.count;
    for (const maxSide of [96, undefined]) {
      const t0 = performance.now();
      const err = await fileImageToken(new ImageTokens(), path, maxSide, () => true).catch(
        (e: unknown) => e,
      );
      expect(performance.now() - t0).toBeLessThan(2000);
      expect(err).toBeInstanceOf(UpresError);
      expect(err).toMatchObject({
        code: 'input.too-large',
        message: expect.stringContaining(path),
      });
      expect((err as Error).message).toMatch(/1600 megapixels, over the 500-megapixel limit/);
    }
    expect(itemImageDecodes.count).toBe(before);
  });

  it("makes a thumbnail that matches sharp's own resize, once per file version", async () => {
    const path = join(dir, 'photo.jpg');
    // Stored 1200×800, EXIF orientation 6: upright it is 800×1200.
    await sharp(picture(1200, 800), { raw: { width: 1200, height: 800, channels: 3 } })
      .jpeg({ quality: 95 })
      .withMetadata({ orientation: 6 })
      .toFile(path);
    const tokens = new ImageTokens();
    const before = itemImageDecodes.count;
    const thumb = await fileImageToken(tokens, path, 96, () => true);
    expect(itemImageDecodes.count).toBe(before + 1);
    expect(thumb).toMatchObject({ width: 64, height: 96 });
    const source = tokens.open(thumb.token);
    expect(source).toMatchObject({ kind: 'bytes', type: 'image/jpeg' });
    const got = await pixels(bytesOf(source));
    // The oracle: sharp's exact resize of the upright image (no shrink-on-load).
    const want = await pixels(
      await sharp(path)
        .rotate()
        .resize(96, 96, { fit: 'inside', kernel: 'lanczos3', fastShrinkOnLoad: false })
        .png()
        .toBuffer(),
    );
    expect([got.width, got.height]).toEqual([want.width, want.height]);
    let sum = 0;
    for (let i = 0; i < got.data.length; i++) sum += Math.abs(got.data[i] - want.data[i]);
    expect(sum / got.data.length).toBeLessThan(3);

    // Asked again (the UI asks once per row): the same token, no decode.
    const again = await fileImageToken(tokens, path, 96, () => true);
    expect(again).toEqual(thumb);
    expect(itemImageDecodes.count).toBe(before + 1);
    // Another size, or a changed file, is a new copy.
    await fileImageToken(tokens, path, 48, () => true);
    expect(itemImageDecodes.count).toBe(before + 2);
    const later = new Date(Date.now() + 5000);
    await utimes(path, later, later);
    const changed = await fileImageToken(tokens, path, 96, () => true);
    expect(changed.token).not.toBe(thumb.token);
    expect(itemImageDecodes.count).toBe(before + 3);
  });

  it('serves a small browser-readable file as it is, and converts what browsers cannot show', async () => {
    const png = join(dir, 'small.png');
    await sharp(picture(40, 30), { raw: { width: 40, height: 30, channels: 3 } })
      .png()
      .toFile(png);
    const tokens = new ImageTokens();
    const before = itemImageDecodes.count;
    const full = await fileImageToken(tokens, png, undefined, () => true);
    expect(full).toMatchObject({ width: 40, height: 30 });
    expect(tokens.open(full.token)).toEqual({ kind: 'file', path: png, type: 'image/png' });
    const fits = await fileImageToken(tokens, png, 96, () => true);
    expect(tokens.open(fits.token)).toMatchObject({ kind: 'file' });
    expect(itemImageDecodes.count).toBe(before);

    const tiff = join(dir, 'scan.tif');
    await sharp(picture(40, 30), { raw: { width: 40, height: 30, channels: 3 } })
      .tiff()
      .toFile(tiff);
    const converted = await fileImageToken(tokens, tiff, undefined, () => true);
    const bytes = bytesOf(tokens.open(converted.token));
    expect((await sharp(bytes).metadata()).format).toBe('png');
    const [got, want] = await Promise.all([pixels(bytes), pixels(tiff)]);
    expect(got.data.equals(want.data)).toBe(true);
  });

  it('names the file when it is missing or not a regular file', async () => {
    const missing = join(dir, 'gone.png');
    await expect(fileImageToken(new ImageTokens(), missing, 96, () => true)).rejects.toMatchObject({
      code: 'input.missing',
      message: expect.stringContaining(missing),
    });
    await expect(fileImageToken(new ImageTokens(), dir, 96, () => true)).rejects.toMatchObject({
      code: 'input.unsupported',
      message: expect.stringContaining(dir),
    });
  });
});
