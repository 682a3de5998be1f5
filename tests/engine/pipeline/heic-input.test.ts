// iPhone-style HEIC input: real HEVC files made by Debian's heif-enc (x265; .ci/run installs
// libheif-examples), decoded upright with their metadata, 10-bit depth and primary image, upscaled
// and written as JPEG and TIFF. Oracles: the source pixels (turned by sharp from the JPEG's EXIF
// orientation) enlarged nearest-neighbour as the identity model does, and ExifReader.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../../src/main/engine/pipeline/decode';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { withIrot } from '../../helpers/heif-rotate';
import { loadIdentityModel } from '../../helpers/identity-model';
import { EXIF, expectCameraExif, tagsOf } from '../../helpers/photo-fixtures';
import { upscaleOne } from '../../helpers/upscale-one';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-heic-'));
  model = await loadIdentityModel();
});
afterAll(() => model?.dispose());

const heifEnc = (args: string[]) => execFileSync('heif-enc', args, { stdio: 'ignore' });

/** Largest difference between two sample lists of the same length. */
function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

function nearest(src: ArrayLike<number>, w: number, h: number, c: number, k: number): number[] {
  const out: number[] = [];
  for (let y = 0; y < h * k; y++)
    for (let x = 0; x < w * k; x++)
      for (let ch = 0; ch < c; ch++)
        out.push(src[(Math.floor(y / k) * w + Math.floor(x / k)) * c + ch]);
  return out;
}

/** A smooth 8-bit picture, 24×16, stored with EXIF orientation 6 (shown turned 90° clockwise). */
async function portraitJpeg(path: string) {
  const [w, h] = [24, 16];
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < w * h; i++) px.set([(i % w) * 10, Math.floor(i / w) * 15, 100], i * 3);
  await sharp(px, { raw: { width: w, height: h, channels: 3 } })
    .withExif({ ...EXIF, IFD0: { ...EXIF.IFD0, Make: 'Canon' } })
    .withIccProfile('p3')
    .withMetadata({ orientation: 6 })
    .jpeg({ quality: 100, chromaSubsampling: '4:4:4' })
    .toFile(path);
}

describe('HEIC input', () => {
  it('decodes an 8-bit HEIC upright with its EXIF and profile, and writes JPEG and TIFF', async () => {
    const jpg = join(dir, 'portrait.jpg');
    await portraitJpeg(jpg);
    const plain = join(dir, 'plain.heic');
    heifEnc(['-q', '95', '-p', 'chroma=444', '-o', plain, jpg]);
    // As an iPhone does: the rotation as an irot property (heif-enc 1.15 keeps it in EXIF only).
    const input = join(dir, 'IMG_0001.heic');
    await writeFile(input, withIrot(await readFile(plain), 3));
    expect(execFileSync('heif-info', [input]).toString()).toMatch(/image: 16x24/);
    const header = await inspectImage(input);
    expect([header.format, header.width, header.height]).toEqual(['heif', 16, 24]);
    const upright = await sharp(jpg).rotate().keepIccProfile().raw().toBuffer();
    const p3 = (await sharp(jpg).metadata()).icc!;
    const want = nearest(upright, 16, 24, 3, 4);
    for (const format of [undefined, 'tiff'] as const) {
      const res = await upscaleOne(model, input, { outDir: dir, format });
      expect(res.output, String(format)).toMatch(format ? /\.tif$/ : /\.jpg$/); // JPEG by default
      const meta = await sharp(res.output).metadata();
      expect([meta.width, meta.height, meta.orientation ?? 1]).toEqual([64, 96, 1]);
      expect(meta.icc?.equals(p3)).toBe(true);
      const t = await tagsOf(res.output);
      expectCameraExif(t, `heic → ${format ?? 'jpeg'}`);
      const got = await sharp(res.output).keepIccProfile().raw().toBuffer();
      // HEVC at quality 95 and (for JPEG) a second lossy encode: close, and turned the right way.
      expect(maxDiff(got, want), String(format)).toBeLessThanOrEqual(20);
      const wrongWay = nearest(
        await sharp(jpg).rotate(270).keepIccProfile().raw().toBuffer(),
        16,
        24,
        3,
        4,
      );
      expect(maxDiff(got, wrongWay)).toBeGreaterThan(60);
    }
  });

  it('keeps 10-bit depth: a 10-bit HEIC gives a 16-bit TIFF with more than 256 levels', async () => {
    const [w, h] = [32, 32];
    const px = new Uint16Array(w * h * 3);
    for (let i = 0; i < w * h; i++) {
      const k = i % 1024;
      px.set(
        [k, (k * 7) % 1024, 1023 - k].map((v) => Math.round((v * 65535) / 1023)),
        i * 3,
      );
    }
    const png = join(dir, 'ramp16.png');
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(png);
    const input = join(dir, 'ramp10.heic');
    heifEnc(['-L', '-p', 'chroma=444', '-b', '10', '-o', input, png]);
    const res = await upscaleOne(model, input, { outDir: dir, format: 'tiff' });
    const r = await sharp(res.output).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer();
    const got = new Uint16Array(r.buffer, r.byteOffset, r.length / 2);
    expect((await sharp(res.output).metadata()).depth).toBe('ushort');
    expect(new Set(got).size).toBeGreaterThan(256);
    // Within one 10-bit step (65) of the source: 8 bits would be off by up to 128.
    expect(maxDiff(got, nearest(px, w, h, 3, 4))).toBeLessThanOrEqual(65);
  });

  it('upscales the primary image of a multi-image HEIC and notes the others', async () => {
    const a = join(dir, 'first.png');
    const b = join(dir, 'second.png');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c04020' } })
      .png()
      .toFile(a);
    await sharp({ create: { width: 12, height: 4, channels: 3, background: '#2040c0' } })
      .png()
      .toFile(b);
    const input = join(dir, 'burst.heic');
    heifEnc(['-q', '90', '-o', input, a, b]);
    const res = await upscaleOne(model, input, { outDir: dir, format: 'png' });
    expect([res.outWidth, res.outHeight]).toEqual([32, 32]);
    const [r, g, bl] = await sharp(res.output).raw().toBuffer();
    expect(Math.abs(r - 0xc0) + Math.abs(g - 0x40) + Math.abs(bl - 0x20)).toBeLessThan(12);
    expect(res.notes.join('\n')).toMatch(/holds 2 images: the primary one was upscaled/);
  });
});
