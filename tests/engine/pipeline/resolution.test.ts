// Resolution (DPI): kept by default (the print size grows with the pixels), multiplied by the scale
// with keepPrintSize, never invented, and stated the same in every place a file holds it (JFIF and
// EXIF, pHYs and eXIf, TIFF tags). The oracle is ExifReader reading each statement separately.
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputFormatName } from '../../../src/shared/output-rules';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { loadIdentityModel } from '../../helpers/identity-model';
import { EXIF, flat, tagsOf } from '../../helpers/photo-fixtures';
import { upscaleOne } from '../../helpers/upscale-one';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-dpi-'));
  model = await loadIdentityModel();
});
afterAll(() => model?.dispose());

type Value = { value: unknown } | undefined;
const num = (v: unknown): number =>
  Array.isArray(v) ? (v[0] as number) / (v[1] as number) : (v as number);

/** Every resolution a file states, in dpi, with where it says so. */
async function statements(path: string): Promise<{ where: string; dpi: number }[]> {
  const t = (await tagsOf(path)) as unknown as Record<string, Record<string, Value> | undefined>;
  const out: { where: string; dpi: number }[] = [];
  const exif = t.exif;
  for (const k of ['XResolution', 'YResolution'])
    if (exif?.[k]) {
      const unit = num(exif.ResolutionUnit?.value ?? 2);
      out.push({ where: `exif ${k}`, dpi: num(exif[k]!.value) * (unit === 3 ? 2.54 : 1) });
    }
  const jfif = t.jfif;
  if (jfif?.XResolution && num(jfif['Resolution Unit']?.value) !== 0) {
    const unit = num(jfif['Resolution Unit']?.value);
    for (const k of ['XResolution', 'YResolution'])
      out.push({ where: `jfif ${k}`, dpi: num(jfif[k]!.value) * (unit === 2 ? 2.54 : 1) });
  }
  const png = t.png ?? t.pngFile;
  if (png?.['Pixels Per Unit X'] && num(png['Pixel Units']?.value) === 1)
    for (const k of ['Pixels Per Unit X', 'Pixels Per Unit Y'])
      out.push({ where: `pHYs ${k}`, dpi: num(png[k]!.value) * 0.0254 });
  return out;
}

/** Where each format states a resolution. */
const PLACES: Record<OutputFormatName, string[]> = {
  jpeg: ['jfif', 'exif'],
  png: ['pHYs', 'exif'],
  tiff: ['exif'], // a TIFF's own IFD0 tags (ExifReader lists them with EXIF's)
  webp: ['exif'],
  avif: ['exif'],
};

describe('resolution (DPI)', () => {
  it('300 dpi in → 300 dpi out, 1200 with keepPrintSize at ×4, the same in every place, per format', async () => {
    const input = join(dir, 'print300.jpg');
    const jpeg = await flat(12, 8, [120, 130, 140])
      .withExif(EXIF)
      .withMetadata({ density: 300 })
      .jpeg()
      .toBuffer();
    // libvips states it in EXIF only; a camera's JPEG has JFIF too (APP0, 300 dpi), added by hand.
    const jfif = Buffer.from([
      0xff, 0xe0, 0, 16, 0x4a, 0x46, 0x49, 0x46, 0, 1, 1, 1, 1, 0x2c, 1, 0x2c, 0, 0,
    ]);
    await writeFile(input, Buffer.concat([jpeg.subarray(0, 2), jfif, jpeg.subarray(2)]));
    const given = await statements(input);
    expect(given.map((s) => s.where).sort()).toEqual([
      'exif XResolution',
      'exif YResolution',
      'jfif XResolution',
      'jfif YResolution',
    ]);
    expect(given.every((s) => s.dpi === 300)).toBe(true);
    for (const format of ['jpeg', 'png', 'tiff', 'webp', 'avif'] as OutputFormatName[]) {
      for (const keepPrintSize of [false, true]) {
        const what = `${format}${keepPrintSize ? ' keepPrintSize' : ''}`;
        const res = await upscaleOne(model, input, { outDir: dir, format, keepPrintSize });
        const want = keepPrintSize ? 1200 : 300;
        const s = await statements(res.output);
        for (const place of PLACES[format])
          expect(s.filter((x) => x.where.startsWith(place)).length, `${what}: ${place}`).toBe(2);
        for (const x of s) expect(x.dpi, `${what}: ${x.where}`).toBeCloseTo(want, 1);
        // libvips (a second reader) turns JFIF, pHYs and TIFF tags into a density; not WebP's EXIF.
        if (format !== 'webp' && format !== 'avif')
          expect((await sharp(res.output).metadata()).density, what).toBeCloseTo(want, 0);
      }
    }
  });

  it('a 300-dpi TIFF gives 300 dpi in PNG pHYs and JPEG JFIF (not libvips 25.4-dpi default)', async () => {
    const input = join(dir, 'scan300.tif');
    await flat(8, 6, [50, 60, 70])
      .tiff({ xres: 300 / 25.4, yres: 300 / 25.4 })
      .toFile(input);
    for (const format of ['png', 'jpeg'] as OutputFormatName[]) {
      const res = await upscaleOne(model, input, { outDir: dir, format });
      const s = await statements(res.output);
      expect(s.length, format).toBeGreaterThanOrEqual(2);
      for (const x of s) expect(x.dpi, `${format}: ${x.where}`).toBeCloseTo(300, 1);
    }
  });

  it('a file that states no resolution gets none (no 25.4 or 72 dpi invented)', async () => {
    // A PNG without pHYs: libvips writes one, so it is cut out of the encoded file.
    const encoded = await flat(8, 8, [10, 200, 30]).png().toBuffer();
    const chunks: Buffer[] = [encoded.subarray(0, 8)];
    for (let o = 8; o < encoded.length;) {
      const len = encoded.readUInt32BE(o);
      if (encoded.toString('latin1', o + 4, o + 8) !== 'pHYs')
        chunks.push(encoded.subarray(o, o + 12 + len));
      o += 12 + len;
    }
    const input = join(dir, 'nodpi.png');
    await writeFile(input, Buffer.concat(chunks));
    expect(await statements(input)).toEqual([]);
    for (const format of ['jpeg', 'png', 'tiff'] as OutputFormatName[]) {
      const res = await upscaleOne(model, input, { outDir: dir, format, keepPrintSize: true });
      expect(await statements(res.output), format).toEqual([]);
    }
  });
});
