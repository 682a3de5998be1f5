// Every pixel kept: transparency without fringes, 16-bit depth, greyscale, palette, CMYK, and clear
// refusals for animations, each through the queue and renderToFile as they ship. The model here returns the nearest-neighbour ×4 enlargement exactly, so
// whatever changes the values is the pipeline around it.
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bleedHiddenColour } from '../../../src/main/engine/pipeline/transparency';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { loadIdentityModel } from '../../helpers/identity-model';
import { upscaleOne } from '../../helpers/upscale-one';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-fidelity-'));
  model = await loadIdentityModel();
});
afterAll(() => model?.dispose());

async function readRaw(path: string, sixteen = false) {
  let img = sharp(path).keepIccProfile();
  if (sixteen) img = img.toColourspace('rgb16');
  const { data, info } = await img
    .raw({ depth: sixteen ? 'ushort' : 'uchar' })
    .toBuffer({ resolveWithObject: true });
  const px = sixteen ? new Uint16Array(data.buffer, data.byteOffset, data.byteLength / 2) : data;
  return { px, info };
}

/** An opaque red disc on fully transparent black: the classic dark-fringe trap. */
async function redDisc(path: string): Promise<void> {
  const s = 24;
  const px = Buffer.alloc(s * s * 4);
  for (let y = 0; y < s; y++)
    for (let x = 0; x < s; x++)
      if ((x - 11.5) ** 2 + (y - 11.5) ** 2 <= 8 ** 2) px.set([255, 0, 0, 255], (y * s + x) * 4);
  await sharp(px, { raw: { width: s, height: s, channels: 4 } })
    .png()
    .toFile(path);
}

describe('transparency', () => {
  it.each(['resize', 'model'] as const)(
    "keeps transparency with no dark fringe ('%s', finished at ×3 with a Lanczos resize)",
    async (transparency) => {
      const input = join(dir, `disc-${transparency}.png`);
      await redDisc(input);
      const res = await upscaleOne(model, input, { outDir: dir, scale: 3, transparency });
      const { px, info } = await readRaw(res.output);
      expect([info.width, info.height, info.channels]).toEqual([72, 72, 4]);
      let partial = 0;
      for (let i = 0; i < px.length; i += 4) {
        const a = px[i + 3];
        if (a > 0 && a < 255) partial++;
        if (a < 0.1 * 255) continue;
        // Everything visible is red: no black dragged in from under the transparent area.
        expect(px[i], `R at alpha ${a}`).toBeGreaterThanOrEqual(245);
        expect(Math.max(px[i + 1], px[i + 2]), `G, B at alpha ${a}`).toBeLessThanOrEqual(10);
      }
      expect(partial).toBeGreaterThan(0); // soft edges exist, so the check above bit
      expect(px[3]).toBe(0); // corner stays fully transparent
      expect(px[(36 * 72 + 36) * 4 + 3]).toBe(255); // centre stays opaque
    },
  );

  it('bleeds colour only into hidden pixels', () => {
    const rgb = {
      width: 3,
      height: 1,
      channels: 3,
      data: new Uint8Array([0, 0, 0, 200, 50, 10, 7, 7, 7]),
    };
    const alpha = { width: 3, height: 1, channels: 1, data: new Uint8Array([0, 255, 128]) };
    bleedHiddenColour(rgb, alpha);
    expect([...rgb.data]).toEqual([200, 50, 10, 200, 50, 10, 7, 7, 7]);
  });

  it('flattens onto white for JPEG, which has no transparency', async () => {
    const input = join(dir, 'disc-jpeg.png');
    await redDisc(input);
    const res = await upscaleOne(model, input, { outDir: dir, format: 'jpeg' });
    const { px, info } = await readRaw(res.output);
    expect(info.channels).toBe(3);
    expect([...px.subarray(0, 3)].every((v) => v > 245)).toBe(true);
    expect(res.notes.join()).toMatch(/flattened onto white/);
  });
});

describe('bit depth, greyscale, palette, CMYK', () => {
  it('keeps 16-bit values exactly (RGB with transparency) and writes 16-bit PNG', async () => {
    const w = 300;
    const h = 2;
    const src = new Uint16Array(w * h * 4);
    for (let x = 0; x < w; x++)
      for (let y = 0; y < h; y++) {
        const v = Math.round((x / (w - 1)) * 65535);
        src.set([v, 65535 - v, (v * 7) % 65536, y ? 65535 : 40000], (y * w + x) * 4);
      }
    const input = join(dir, 'deep-rgba.png');
    await sharp(src, { raw: { width: w, height: h, channels: 4 } })
      .toColourspace('rgb16')
      .png()
      .toFile(input);
    const res = await upscaleOne(model, input, { outDir: dir });
    expect((await sharp(res.output).metadata()).depth).toBe('ushort');
    const { px, info } = await readRaw(res.output, true);
    expect(info.channels).toBe(4);
    const levels = new Set<number>();
    for (let x = 0; x < w; x++)
      for (let y = 0; y < h; y++) {
        const o = (y * 4 * info.width + x * 4) * 4; // nearest ×4: output (4x, 4y) is input (x, y)
        expect([...px.subarray(o, o + 3)]).toEqual([
          ...src.subarray((y * w + x) * 4, (y * w + x) * 4 + 3),
        ]);
        levels.add(px[o]);
      }
    expect(levels.size).toBeGreaterThan(256);
  });

  it('writes greyscale as greyscale (8- and 16-bit), keeping 16-bit levels', async () => {
    for (const sixteen of [false, true]) {
      const w = 300;
      const src = sixteen ? new Uint16Array(w * 2) : new Uint8Array(w * 2);
      for (let i = 0; i < src.length; i++)
        src[i] = Math.round(((i % w) / (w - 1)) * (sixteen ? 65535 : 255));
      const input = join(dir, `grey-${sixteen ? 16 : 8}.png`);
      await sharp(src, { raw: { width: w, height: 2, channels: 1 } })
        .toColourspace(sixteen ? 'grey16' : 'b-w')
        .png()
        .toFile(input);
      expect((await sharp(input).metadata()).channels).toBe(1);
      const res = await upscaleOne(model, input, { outDir: dir });
      const meta = await sharp(res.output).metadata();
      expect([meta.channels, meta.depth, meta.space]).toEqual(
        sixteen ? [1, 'ushort', 'grey16'] : [1, 'uchar', 'b-w'],
      );
      const raw = await sharp(res.output)
        .toColourspace(sixteen ? 'grey16' : 'b-w')
        .raw({ depth: sixteen ? 'ushort' : 'uchar' })
        .toBuffer();
      const out = sixteen ? new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2) : raw;
      for (let x = 0; x < w; x++) expect(out[x * 4]).toBe(src[x]);
      if (sixteen) expect(new Set(out).size).toBeGreaterThan(256);
    }
  });

  it('keeps greyscale with transparency as greyscale with transparency (8- and 16-bit)', async () => {
    for (const sixteen of [false, true]) {
      const max = sixteen ? 65535 : 255;
      const src = sixteen ? new Uint16Array(6 * 4 * 2) : new Uint8Array(6 * 4 * 2);
      for (let i = 0; i < 24; i++) src.set([Math.round((i / 23) * max), i % 3 ? max : 0], 2 * i);
      const input = join(dir, `grey-alpha-${sixteen ? 16 : 8}.png`);
      await sharp(src, { raw: { width: 6, height: 4, channels: 2 } })
        .toColourspace(sixteen ? 'grey16' : 'b-w')
        .png()
        .toFile(input);
      const res = await upscaleOne(model, input, { outDir: dir });
      const meta = await sharp(res.output).metadata();
      expect([meta.space, meta.channels, meta.depth]).toEqual(
        sixteen ? ['grey16', 2, 'ushort'] : ['b-w', 2, 'uchar'],
      );
    }
  });

  it('reads palette PNGs (with and without transparency) and writes truecolour', async () => {
    for (const alpha of [false, true]) {
      const input = join(dir, `palette-${alpha}.png`);
      const c = alpha ? 4 : 3;
      const px = Buffer.alloc(8 * 8 * c);
      for (let i = 0; i < 64; i++)
        px.set(
          i % 2 ? [250, 200, 0, 255].slice(0, c) : [0, 90, 200, alpha ? 0 : 255].slice(0, c),
          i * c,
        );
      await sharp(px, { raw: { width: 8, height: 8, channels: c } })
        .png({ palette: true })
        .toFile(input);
      expect((await sharp(input).metadata()).isPalette).toBe(true);
      const res = await upscaleOne(model, input, { outDir: dir });
      const meta = await sharp(res.output).metadata();
      expect([meta.isPalette, meta.channels, meta.width]).toEqual([false, c, 32]);
      const { px: out } = await readRaw(res.output);
      expect([...out.subarray(4 * c, 4 * c + 3)]).toEqual([250, 200, 0]);
    }
  });

  it('converts a CMYK JPEG to RGB tagged sRGB, with a note', async () => {
    const input = join(dir, 'print.jpg');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#2060c0' } })
      .toColourspace('cmyk')
      .jpeg()
      .toFile(input);
    expect((await sharp(input).metadata()).space).toBe('cmyk');
    const res = await upscaleOne(model, input, { outDir: dir });
    const meta = await sharp(res.output).metadata();
    expect([meta.space, meta.channels, meta.format]).toEqual(['srgb', 3, 'jpeg']);
    expect(meta.icc && (await sharp(res.output).metadata()).icc!.toString('latin1', 16, 20)).toBe(
      'RGB ',
    );
    expect(res.notes.join()).toMatch(/CMYK converted to RGB/);
    const { px } = await readRaw(res.output);
    // Same colour as sharp's own CMYK → sRGB conversion of the input.
    const ref = await sharp(input).removeAlpha().raw().toBuffer();
    for (let k = 0; k < 3; k++) expect(Math.abs(px[k] - ref[k])).toBeLessThanOrEqual(3);
  });
});

describe('animations and multi-page files', () => {
  it('refuses animated GIF and WebP, animated PNG and multi-page TIFF with a clear message', async () => {
    const frame = (background: string) =>
      sharp({ create: { width: 8, height: 8, channels: 3, background } })
        .png()
        .toBuffer();
    const frames = [await frame('#f00'), await frame('#00f')];
    for (const f of ['gif', 'webp'] as const)
      await sharp(frames, { join: { animated: true } })
        .toFormat(f)
        .toFile(join(dir, `anim.${f}`));
    await sharp(Buffer.alloc(8 * 16 * 3, 128), {
      raw: { width: 8, height: 16, channels: 3, pageHeight: 8 },
    })
      .tiff()
      .toFile(join(dir, 'pages.tif'));
    // APNG: an acTL chunk before the image data (libvips would silently read the first frame).
    const png = frames[0];
    const actlBody = Buffer.concat([Buffer.from('acTL'), Buffer.from([0, 0, 0, 2, 0, 0, 0, 0])]);
    const actl = Buffer.alloc(4 + actlBody.length + 4);
    actl.writeUInt32BE(8, 0);
    actlBody.copy(actl, 4);
    actl.writeUInt32BE(crc32(actlBody) >>> 0, 4 + actlBody.length);
    await writeFile(
      join(dir, 'anim.png'),
      Buffer.concat([png.subarray(0, 33), actl, png.subarray(33)]),
    );
    expect((await readFile(join(dir, 'anim.png'))).includes('acTL')).toBe(true);
    const out = await mkdtemp(join(tmpdir(), 'upres-anim-'));
    for (const [name, message] of [
      ['anim.gif', /anim\.gif: animated image \(2 frames\)/],
      ['anim.webp', /anim\.webp: animated image \(2 frames\)/],
      ['anim.png', /anim\.png: animated PNG/],
      ['pages.tif', /pages\.tif: multi-page TIFF \(2 pages\)/],
    ] as const)
      await expect(upscaleOne(model, join(dir, name), { outDir: out })).rejects.toThrow(message);
  });
});

describe('the temp file renderToFile writes', () => {
  it('is never an existing file, and is gone again when the item fails', async () => {
    const { renderToFile } = await import('../../../src/main/engine/pipeline/render-to-file');
    const out = await mkdtemp(join(tmpdir(), 'upres-tmpfile-'));
    const good = join(dir, 'tmp-good.png');
    await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } })
      .png()
      .toFile(good);
    const opt = { plan: { format: 'png' as const, width: 16, height: 16 } };
    // An existing file at the temp path is left alone.
    const taken = join(out, '.taken.upres-tmp');
    await writeFile(taken, 'mine');
    await expect(renderToFile(model, good, { ...opt, tmp: taken })).rejects.toThrow(/EEXIST/);
    expect(await readFile(taken, 'utf8')).toBe('mine');
    // A failure after the temp file was claimed removes it.
    const broken = join(dir, 'tmp-broken.png');
    await writeFile(broken, (await readFile(good)).subarray(0, 60));
    await expect(
      renderToFile(model, broken, { ...opt, tmp: join(out, '.broken.upres-tmp') }),
    ).rejects.toThrow(/tmp-broken\.png/);
    expect(readdirSync(out)).toEqual(['.taken.upres-tmp']);
  });
});
