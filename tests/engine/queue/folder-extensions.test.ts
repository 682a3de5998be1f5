// A folder walk picks up what the decoders open: HEIC/HEIF from a phone (libheif) are photos,
// BMP is not (sharp has no BMP decoder, so queueing one would only fail later).
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectInputs } from '../../../src/main/engine/queue/collect-inputs';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-folder-ext-'));
  await mkdir(join(dir, 'phone'));
  for (const name of ['IMG_0001.HEIC', 'IMG_0002.heif', 'scan.bmp', 'DSC_0003.JPG', 'notes.txt'])
    await writeFile(join(dir, 'phone', name), 'bytes are not read by the walk');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('folder walk extensions', () => {
  it('collects HEIC and HEIF beside JPEG, and leaves BMP and text out', async () => {
    const { inputs, problems } = await collectInputs([join(dir, 'phone')]);
    expect(problems).toEqual([]);
    expect(inputs.map((i) => basename(i.path)).sort()).toEqual([
      'DSC_0003.JPG',
      'IMG_0001.HEIC',
      'IMG_0002.heif',
    ]);
  });
});
