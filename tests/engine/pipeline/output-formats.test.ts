// TIFF and AVIF output, JPEG chroma: what a photographer gets back keeps its bit depth, channels,
// metadata and colour profile. Oracles: the nearest-neighbour ×4 enlargement the identity model
// makes (computed here from the input's values), read back with sharp AND a second decoder
// (geotiff.js for TIFF, Debian's libheif `heif-convert` for AVIF), and ExifReader for the metadata.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fromArrayBuffer } from 'geotiff';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkOutputSize, encodeToFile } from '../../../src/main/engine/pipeline/encode';
import type { Raster } from '../../../src/main/engine/pipeline/raster';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { loadIdentityModel } from '../../helpers/identity-model';
import {
  cameraJpeg,
  expectCameraExif,
  expectCameraIptc,
  expectCameraXmp,
  tagsOf,
} from '../../helpers/photo-fixtures';
import { upscaleOne } from '../../helpers/upscale-one';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-formats-'));
  model = await loadIdentityModel();
});
afterAll(() => model?.dispose());

/** 16-bit RGB samples with far more than 256 distinct levels. */
function gradient16(w: number, h: number): Uint16Array {
  const px = new Uint16Array(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = (i * 7919 + 13) % 65536;
  return px;
}

/** The nearest-neighbour ×k enlargement of interleaved samples (what the identity model returns). */
function nearest<T extends Uint8Array | Uint16Array>(
  src: T,
  w: number,
  h: number,
  c: number,
  k: number,
): number[] {
  const out: number[] = [];
  for (let y = 0; y < h * k; y++)
    for (let x = 0; x < w * k; x++)
      for (let ch = 0; ch < c; ch++)
        out.push(src[(Math.floor(y / k) * w + Math.floor(x / k)) * c + ch]);
  return out;
}

async function sharpSamples(path: string, sixteen: boolean, grey = false): Promise<number[]> {
  // Without a 16-bit colourspace sharp hands 16-bit files over as 8-bit values.
  const space = grey ? (sixteen ? 'grey16' : 'b-w') : sixteen ? 'rgb16' : 'srgb';
  const r = await sharp(path)
    .keepIccProfile()
    .toColourspace(space)
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer();
  return sixteen ? [...new Uint16Array(r.buffer, r.byteOffset, r.length / 2)] : [...r];
}

/** geotiff.js: an independent TIFF reader (JavaScript, its own inflate / LZW). */
async function geotiffRead(path: string) {
  const b = await readFile(path);
  const tiff = await fromArrayBuffer(b.buffer.slice(b.byteOffset, b.byteOffset + b.length));
  const image = await tiff.getImage();
  const samples = (await image.readRasters({ interleave: true })) as unknown as ArrayLike<number>;
  return {
    width: image.getWidth(),
    height: image.getHeight(),
    channels: image.getSamplesPerPixel(),
    bits: image.getBitsPerSample(0),
    tiled: image.isTiled,
    compression: (await image.fileDirectory.loadValue('Compression')) as number,
    samples: Array.from(samples),
  };
}

describe('TIFF output', () => {
  it('a 16-bit TIFF gives a 16-bit TIFF (the default format), every level kept, read by two decoders', async () => {
    const [w, h] = [16, 12];
    const px = gradient16(w, h);
    const input = join(dir, 'scan16.tif');
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .toColourspace('rgb16')
      .tiff({ compression: 'deflate' })
      .toFile(input);
    const res = await upscaleOne(model, input, { outDir: dir });
    expect(res.output.endsWith('.tif')).toBe(true);
    const meta = await sharp(res.output).metadata();
    expect([meta.format, meta.depth, meta.channels]).toEqual(['tiff', 'ushort', 3]);
    const want = nearest(px, w, h, 3, 4);
    expect(new Set(want).size).toBeGreaterThan(256);
    expect(await sharpSamples(res.output, true)).toEqual(want);
    const g = await geotiffRead(res.output);
    expect([g.width, g.height, g.channels, g.bits]).toEqual([64, 48, 3, 16]);
    expect(g.compression).toBe(8); // Deflate by default
    expect(g.samples).toEqual(want);
  });

  it('carries EXIF, XMP, IPTC and the Display P3 profile from a camera JPEG', async () => {
    const input = join(dir, 'camera.jpg');
    await writeFile(input, await cameraJpeg());
    const p3 = (await sharp(input).metadata()).icc!;
    const res = await upscaleOne(model, input, { outDir: dir, format: 'tiff' });
    const t = await tagsOf(res.output);
    expectCameraExif(t, 'tiff');
    expectCameraXmp(t, 'tiff');
    expectCameraIptc(t, 'tiff');
    expect(t.icc?.['ICC Description']?.description).toBe('sP3C');
    expect((await sharp(res.output).metadata()).icc?.equals(p3)).toBe(true);
    expect(res.notes).toEqual([]);
    // The pixels are the JPEG's decoded values, enlarged.
    const src = await sharp(input).keepIccProfile().raw().toBuffer({ resolveWithObject: true });
    expect(await sharpSamples(res.output, false)).toEqual(nearest(src.data, 12, 8, 3, 4));
  });

  it('writes greyscale 8/16-bit and RGBA, with LZW or no compression', async () => {
    const cases = [
      {
        name: 'grey16',
        grey: true,
        alpha: false,
        sixteen: true,
        compression: 'lzw' as const,
        tag: 5,
      },
      {
        name: 'grey8',
        grey: true,
        alpha: false,
        sixteen: false,
        compression: 'none' as const,
        tag: 1,
      },
      {
        name: 'rgba8',
        grey: false,
        alpha: true,
        sixteen: false,
        compression: 'deflate' as const,
        tag: 8,
      },
      {
        name: 'rgba16',
        grey: false,
        alpha: true,
        sixteen: true,
        compression: 'lzw' as const,
        tag: 5,
      },
    ];
    const [w, h] = [9, 5];
    for (const c of cases) {
      const n = w * h;
      const make = (ch: number, seed: number): Raster => {
        const data = c.sixteen ? new Uint16Array(n * ch) : new Uint8Array(n * ch);
        for (let i = 0; i < data.length; i++)
          data[i] = ((i * 2654435761 + seed) >>> 7) % (c.sixteen ? 65536 : 256);
        return { width: w, height: h, channels: ch, data };
      };
      const rgb = make(3, 1);
      if (c.grey)
        for (let i = 0; i < n; i++) rgb.data[i * 3 + 1] = rgb.data[i * 3 + 2] = rgb.data[i * 3];
      const alpha = c.alpha ? make(1, 99) : undefined;
      const path = join(dir, `${c.name}.tif`);
      await writeFile(path, '');
      const notes = await encodeToFile(rgb, alpha, path, {
        format: 'tiff',
        grey: c.grey,
        compression: c.compression,
      });
      expect(notes, c.name).toEqual([]);
      const want: number[] = [];
      for (let i = 0; i < n; i++) {
        if (c.grey) want.push(rgb.data[i * 3]);
        else want.push(rgb.data[i * 3], rgb.data[i * 3 + 1], rgb.data[i * 3 + 2]);
        if (alpha) want.push(alpha.data[i]);
      }
      const channels = (c.grey ? 1 : 3) + (c.alpha ? 1 : 0);
      const g = await geotiffRead(path);
      expect([g.channels, g.bits, g.compression], c.name).toEqual([
        channels,
        c.sixteen ? 16 : 8,
        c.tag,
      ]);
      expect(g.samples, c.name).toEqual(want);
      const meta = await sharp(path).metadata();
      expect([meta.channels, meta.depth], c.name).toEqual([
        channels,
        c.sixteen ? 'ushort' : 'uchar',
      ]);
      expect(await sharpSamples(path, c.sixteen, c.grey), c.name).toEqual(want);
    }
  });

  it('widens 8-bit values exactly when 16 bits are asked for (255 → 65535)', async () => {
    const data = new Uint8Array([0, 1, 128, 254, 255, 77]);
    const path = join(dir, 'wide.tif');
    await writeFile(path, '');
    await encodeToFile({ width: 2, height: 1, channels: 3, data }, undefined, path, {
      format: 'tiff',
      bitDepth: 16,
    });
    expect((await geotiffRead(path)).samples).toEqual([...data].map((v) => v * 257));
  });

  it('switches to BigTIFF and tiles above thresholds (lowered here), metadata still read', async () => {
    const [w, h] = [300, 20];
    const data = new Uint16Array(w * h * 3);
    for (let i = 0; i < data.length; i++) data[i] = (i * 31) % 65536;
    const rgb: Raster = { width: w, height: h, channels: 3, data };
    const p3 = (await sharp(await cameraJpeg()).metadata()).icc!;
    const md = { icc: p3, xmp: Buffer.from('<x:xmpmeta xmlns:x="adobe:ns:meta/"/>') };
    const big = join(dir, 'big.tif');
    const classic = join(dir, 'classic.tif');
    await writeFile(big, '');
    await writeFile(classic, '');
    await encodeToFile(rgb, undefined, big, {
      format: 'tiff',
      metadata: md,
      tiffLimits: { bigTiffAboveBytes: w * h * 6 - 1, tileAbovePixels: w * h - 1 },
    });
    await encodeToFile(rgb, undefined, classic, { format: 'tiff', metadata: md });
    const version = async (p: string) => (await readFile(p)).readUInt16LE(2);
    expect(await version(big)).toBe(43);
    expect(await version(classic)).toBe(42);
    for (const [p, tiled] of [
      [big, true],
      [classic, false],
    ] as const) {
      const g = await geotiffRead(p);
      expect(g.tiled, p).toBe(tiled);
      expect(g.samples, p).toEqual([...data]);
      expect(await sharpSamples(p, true), p).toEqual([...data]);
      const meta = await sharp(p).metadata();
      expect(meta.icc?.equals(p3), p).toBe(true);
      expect(meta.xmp?.toString(), p).toBe(md.xmp.toString());
    }
  });
});

describe('AVIF output', () => {
  it('writes 8-bit AVIF with EXIF, XMP and the Display P3 profile; sharp and libheif read it', async () => {
    const input = join(dir, 'camera-avif.jpg');
    await writeFile(input, await cameraJpeg(16, 12));
    const p3 = (await sharp(input).metadata()).icc!;
    const res = await upscaleOne(model, input, { outDir: dir, format: 'avif', quality: 95 });
    expect(res.output.endsWith('.avif')).toBe(true);
    const t = await tagsOf(res.output);
    expectCameraExif(t, 'avif');
    expectCameraXmp(t, 'avif');
    expect(t.icc?.['ICC Description']?.description).toBe('sP3C');
    expect(res.notes.join('\n')).toMatch(/IPTC not carried: AVIF/);
    const meta = await sharp(res.output).metadata();
    expect([meta.format, meta.width, meta.height]).toEqual(['heif', 64, 48]);
    expect(meta.icc?.equals(p3)).toBe(true);
    const src = await sharp(input).keepIccProfile().raw().toBuffer();
    const want = nearest(src, 16, 12, 3, 4);
    const got = await sharpSamples(res.output, false);
    const maxDiff = (a: number[]) => Math.max(...a.map((v, i) => Math.abs(v - want[i])));
    expect(maxDiff(got)).toBeLessThanOrEqual(8); // lossy, flat patch at quality 95
    // Debian's libheif (its own AV1 decoder; .ci/run installs libheif-examples).
    const png = join(dir, 'avif-by-libheif.png');
    execFileSync('heif-convert', [res.output, png], { stdio: 'ignore' });
    const other = await sharp(png).keepIccProfile().removeAlpha().raw().toBuffer();
    expect(maxDiff([...other])).toBeLessThanOrEqual(8);
  });

  it('keeps more than 8 bits: 10-bit AVIF from a 16-bit input', async () => {
    const [w, h] = [8, 8];
    const px = new Uint16Array(w * h * 3);
    // A smooth ramp in steps of 1/1023: 8 bits would merge neighbouring steps.
    for (let i = 0; i < w * h; i++) px.fill(((i * 3) << 6) + 32768, i * 3, i * 3 + 3);
    const input = join(dir, 'ramp16.png');
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(input);
    const res = await upscaleOne(model, input, { outDir: dir, format: 'avif', quality: 100 });
    const meta = await sharp(res.output).metadata();
    expect(meta.bitsPerSample).toBe(10);
    const got = await sharpSamples(res.output, true);
    const want = nearest(px, w, h, 3, 4);
    const err = Math.max(...got.map((v, i) => Math.abs(v - want[i])));
    // One 10-bit step is 64 in 16-bit units; an 8-bit file could not get within 128.
    expect(err).toBeLessThan(128);
  });

  it('refuses sizes the encoder cannot hold, with a message', () => {
    expect(() => checkOutputSize('avif', 20000, 100)).toThrow(
      /AVIF cannot hold 20000×100 \(max \d+ px per side\)/,
    );
    expect(() => checkOutputSize('tiff', 20000, 100)).not.toThrow();
  });
});

describe('JPEG chroma', () => {
  it('writes 4:4:4 at quality 90 and above, 4:2:0 below', async () => {
    const data = new Uint8Array(16 * 16 * 3).map((_, i) => (i * 37) % 256);
    const rgb: Raster = { width: 16, height: 16, channels: 3, data };
    for (const [quality, want] of [
      [92, '4:4:4'],
      [90, '4:4:4'],
      [85, '4:2:0'],
    ] as const) {
      const path = join(dir, `chroma-${quality}.jpg`);
      await writeFile(path, '');
      await encodeToFile(rgb, undefined, path, { format: 'jpeg', quality });
      expect((await sharp(path).metadata()).chromaSubsampling, String(quality)).toBe(want);
    }
  });
});
