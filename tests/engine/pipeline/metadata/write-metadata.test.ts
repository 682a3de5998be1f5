// Metadata written as the encoder writes the file: one file in the output folder, never a second,
// and the metadata whatever its size lands byte for byte in a file whose pixels are those of the
// same image encoded without metadata. Oracles: the folder's own change events (inotify / FSEvents),
// and sharp / libvips reading the files back.
import { watch } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../../../../src/shared/engine-message';
import type { OutputFormatName } from '../../../../src/shared/output-rules';
import { encodeToFile } from '../../../../src/main/engine/pipeline/encode';
import type { ImageMetadata } from '../../../../src/main/engine/pipeline/metadata';
import type { Raster } from '../../../../src/main/engine/pipeline/raster';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-write-md-'));
});

const W = 40;
const H = 24;
function colour(): Raster {
  const data = new Uint8Array(W * H * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37) % 251;
  return { width: W, height: H, channels: 3, data };
}

/** A little-endian TIFF structure whose ImageDescription holds `n` characters. */
function exifOf(n: number): Buffer {
  const text = Buffer.concat([Buffer.from('d'.repeat(n), 'latin1'), Buffer.from([0])]);
  const b = Buffer.alloc(8 + 2 + 12 + 4);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(8, 4);
  b.writeUInt16LE(1, 8);
  b.writeUInt16LE(0x010e, 10);
  b.writeUInt16LE(2, 12);
  b.writeUInt32LE(text.length, 14);
  b.writeUInt32LE(b.length, 18);
  return Buffer.concat([b, text]);
}
const xmpOf = (n: number) =>
  Buffer.from(`<x:xmpmeta xmlns:x="adobe:ns:meta/"><!-- ${'x'.repeat(n)} --></x:xmpmeta>`, 'utf8');
let p3: Buffer;
beforeAll(async () => {
  const png = await sharp({ create: { width: 1, height: 1, channels: 3, background: '#000' } })
    .withIccProfile('p3')
    .png()
    .toBuffer();
  p3 = (await sharp(png).metadata()).icc!;
});

const exifBytes = (b: Buffer | undefined) =>
  b && b.toString('latin1', 0, 6) === 'Exif\0\0' ? b.subarray(6) : b;

async function pixels(path: string): Promise<Buffer> {
  // Kept, not applied: the file with a profile must hold the same values as the one without.
  return sharp(path, { failOn: 'warning' }).keepIccProfile().raw().toBuffer();
}

/** Encodes with and without metadata and checks what libvips reads back from the first. */
async function roundTrip(format: OutputFormatName, md: ImageMetadata, name: string) {
  const path = join(dir, `${name}.${format}`);
  const plain = join(dir, `${name}-plain.${format}`);
  await writeFile(path, '');
  await writeFile(plain, '');
  const notes = await encodeToFile(colour(), undefined, path, { format, metadata: md });
  await encodeToFile(colour(), undefined, plain, { format });
  const meta = await sharp(path).metadata();
  if (md.exif) expect(exifBytes(meta.exif)?.equals(md.exif), `${name}: EXIF`).toBe(true);
  if (md.xmp) expect(meta.xmp?.equals(md.xmp), `${name}: XMP`).toBe(true);
  if (md.icc) expect(meta.icc?.equals(md.icc), `${name}: ICC`).toBe(true);
  expect([meta.width, meta.height]).toEqual([W, H]);
  // Every placeholder the encoder wrote was overwritten.
  expect((await readFile(path)).includes('upres-room'), `${name}: placeholder left`).toBe(false);
  // Lossy formats too: the same encoder settings on the same pixels give the same image data.
  expect((await pixels(path)).equals(await pixels(plain)), `${name}: pixels`).toBe(true);
  return notes;
}

describe('metadata written with the encode', () => {
  it('never puts a second file in the output folder (JPEG, PNG, WebP)', async () => {
    const md: ImageMetadata = { exif: exifOf(500), xmp: xmpOf(500), icc: p3 };
    for (const format of ['jpeg', 'png', 'webp'] as OutputFormatName[]) {
      const out = await mkdtemp(join(dir, `single-${format}-`));
      const path = join(out, `photo.${format}.upres-tmp`);
      await writeFile(path, ''); // the caller's exclusive temp file
      const seen = new Set<string>();
      let sawSentinel: () => void = () => undefined;
      const sentinelSeen = new Promise<void>((r) => (sawSentinel = r));
      const watcher = watch(out, (_event, file) => {
        if (file === 'sentinel') sawSentinel();
        else if (file) seen.add(String(file));
      });
      try {
        await encodeToFile(colour(), undefined, path, { format, metadata: md });
        // Change events arrive in order: once the sentinel's has come, every earlier one has.
        await writeFile(join(out, 'sentinel'), '');
        await sentinelSeen;
      } finally {
        watcher.close();
      }
      expect([...seen], format).toEqual([`photo.${format}.upres-tmp`]);
      expect((await readdir(out)).sort(), format).toEqual([
        'photo.' + format + '.upres-tmp',
        'sentinel',
      ]);
      expect((await sharp(path).metadata()).icc?.equals(p3), format).toBe(true);
    }
  });

  it('fits small, exact-size and two-placeholder metadata into a JPEG as it is written', async () => {
    // Smaller than the smallest placeholder: the rest is a comment segment.
    expect(await roundTrip('jpeg', { exif: exifOf(1) }, 'jpeg-tiny')).toEqual([]);
    expect(await roundTrip('jpeg', { exif: exifOf(3000), icc: p3 }, 'jpeg-one')).toEqual([]);
    // Over the 60 000 bytes one XMP placeholder holds: an EXIF placeholder joins it.
    const big = { exif: exifOf(50_000), xmp: xmpOf(40_000), icc: p3 };
    expect(await roundTrip('jpeg', big, 'jpeg-two')).toEqual([]);
  });

  it('writes a JPEG whose metadata outgrows the room from memory, still carrying all of it', async () => {
    const huge = { exif: exifOf(64_000), xmp: xmpOf(64_000), icc: p3 };
    expect(await roundTrip('jpeg', huge, 'jpeg-huge')).toEqual([]);
  });

  it('fits tiny and large metadata into a PNG as it is written', async () => {
    expect(await roundTrip('png', { exif: exifOf(1) }, 'png-tiny')).toEqual([]);
    const large = { exif: exifOf(200_000), xmp: xmpOf(300_000), icc: p3 };
    expect(await roundTrip('png', large, 'png-large')).toEqual([]);
  });

  it('writes WebP with EXIF, XMP and ICC, and says IPTC has no place there', async () => {
    const iptc = Buffer.from('8BIM\x04\x04\0\0\0\0\0\x04\x1c\x02\x05\0', 'latin1');
    const notes = await roundTrip(
      'webp',
      { exif: exifOf(100), xmp: xmpOf(100), icc: p3, iptc },
      'webp',
    );
    expect(notes.map(textOf).join('\n')).toMatch(/IPTC not carried: WebP/);
  });
});
