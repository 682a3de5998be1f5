// Ultra HDR (a JPEG with an ISO 21496-1 gain map): the gain map is enlarged with the picture and
// attached to JPEG output, so an HDR display still shows it as HDR; other formats say it was
// dropped. The reader is libultrahdr inside sharp (independent of Upres's writer).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp, { type Sharp } from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { loadIdentityModel } from '../../helpers/identity-model';
import { EXIF, tagsOf } from '../../helpers/photo-fixtures';
import { upscaleOne } from '../../helpers/upscale-one';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-hdr-'));
  model = await loadIdentityModel();
});
afterAll(() => model?.dispose());

/** A 64×48 Ultra HDR JPEG: libultrahdr (in sharp 0.35) computes and attaches the gain map. */
async function ultraHdr(): Promise<Buffer> {
  const px = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < 64 * 48; i++) px.set([(i % 64) * 4, 90, 200 - (i % 48)], i * 3);
  const sdr = await sharp(px, { raw: { width: 64, height: 48, channels: 3 } })
    .withExif(EXIF)
    .jpeg({ quality: 95 })
    .toBuffer();
  // (sharp 0.35's typings do not declare withGainMap yet.)
  const hdr = sharp(sdr) as Sharp & { withGainMap(): Sharp };
  return hdr.withGainMap().keepExif().jpeg({ quality: 95 }).toBuffer();
}

describe('Ultra HDR input', () => {
  it('keeps the gain map, enlarged to the output, in JPEG output', async () => {
    const input = join(dir, 'ultrahdr.jpg');
    await writeFile(input, await ultraHdr());
    const inMap = (await sharp(input).metadata()).gainMap!.image;
    const inSize = await sharp(inMap).metadata();
    const res = await upscaleOne(model, input, { outDir: dir });
    expect(res.notes.join('\n')).not.toMatch(/HDR/);
    const meta = await sharp(res.output).metadata();
    expect([meta.width, meta.height]).toEqual([256, 192]);
    expect(meta.gainMap?.image.length).toBeGreaterThan(0);
    const outSize = await sharp(meta.gainMap!.image).metadata();
    expect([outSize.width, outSize.height]).toEqual([inSize.width! * 4, inSize.height! * 4]);
    // The gain map's values are the input's, enlarged (mean within a few levels).
    const mean = async (b: Buffer) => (await sharp(b).stats()).channels[0].mean;
    expect(Math.abs((await mean(meta.gainMap!.image)) - (await mean(inMap)))).toBeLessThan(3);
    // The rest of the file is still what it was: EXIF carried, the picture decodes.
    expect((await tagsOf(res.output)).exif?.Make?.description).toBe('Canon');
    // libultrahdr can turn it into HDR again (it reads the MPF and ISO metadata written here).
    const hdr = sharp(res.output) as Sharp & { withGainMap(): Sharp };
    const rendered = await hdr.withGainMap().raw().toBuffer({ resolveWithObject: true });
    expect([rendered.info.width, rendered.info.height]).toEqual([256, 192]);
  });

  it('says the HDR was dropped for a format that cannot hold the gain map', async () => {
    const input = join(dir, 'ultrahdr2.jpg');
    await writeFile(input, await ultraHdr());
    const res = await upscaleOne(model, input, { outDir: dir, format: 'png' });
    expect(res.notes.join('\n')).toMatch(/HDR dropped: the Ultra HDR gain map is carried to JPEG/);
  });
});
