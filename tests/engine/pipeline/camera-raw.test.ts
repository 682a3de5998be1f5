// Camera raw files are refused with a message that says what to do, whatever they are named, and
// never decoded into a wrong picture (most are TIFF containers that libvips would open).
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { inspectImage } from '../../../src/main/engine/pipeline/decode';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-raw-'));
});

/**
 * A minimal DNG: a little-endian TIFF whose IFD0 holds an 8×8 8-bit grey strip and the DNGVersion
 * tag (50706), as every DNG's IFD0 does. Written byte by byte, so nothing in Upres made it.
 */
function tinyDng(): Buffer {
  const entries: [number, number, number, number][] = [
    [256, 3, 1, 8], // ImageWidth
    [257, 3, 1, 8], // ImageLength
    [258, 3, 1, 8], // BitsPerSample
    [259, 3, 1, 1], // Compression: none
    [262, 3, 1, 1], // BlackIsZero
    [273, 4, 1, 0], // StripOffsets (patched below)
    [277, 3, 1, 1], // SamplesPerPixel
    [278, 3, 1, 8], // RowsPerStrip
    [279, 4, 1, 64], // StripByteCounts
    [50706, 1, 4, 0x00000401], // DNGVersion 1.4.0.0 (4 bytes inline)
  ];
  const ifdAt = 8;
  const dataAt = ifdAt + 2 + 12 * entries.length + 4;
  const b = Buffer.alloc(dataAt + 64, 0x80);
  b.write('II', 0, 'latin1');
  b.writeUInt16LE(42, 2);
  b.writeUInt32LE(ifdAt, 4);
  b.writeUInt16LE(entries.length, ifdAt);
  entries.forEach(([tag, type, count, value], i) => {
    const o = ifdAt + 2 + 12 * i;
    b.writeUInt16LE(tag, o);
    b.writeUInt16LE(type, o + 2);
    b.writeUInt32LE(count, o + 4);
    b.writeUInt32LE(0, o + 8);
    if (tag === 273) b.writeUInt32LE(dataAt, o + 8);
    else if (tag === 50706) b.set([1, 4, 0, 0], o + 8);
    else if (type === 3) b.writeUInt16LE(value, o + 8);
    else b.writeUInt32LE(value, o + 8);
  });
  b.writeUInt32LE(0, ifdAt + 2 + 12 * entries.length);
  return b;
}

const MESSAGE = /camera raw files; export a 16-bit TIFF from your raw editor/;

describe('camera raw input', () => {
  it('refuses a DNG by content, under its own name and renamed to .tif', async () => {
    const dng = tinyDng();
    // libvips would open it as an ordinary TIFF: the refusal is Upres's own.
    expect((await sharp(dng).metadata()).format).toBe('tiff');
    for (const name of ['photo.dng', 'photo-renamed.tif']) {
      const path = join(dir, name);
      await writeFile(path, dng);
      await expect(inspectImage(path)).rejects.toMatchObject({
        code: 'input.unsupported',
        message: expect.stringMatching(MESSAGE),
      });
      await expect(inspectImage(path)).rejects.toThrow(path);
    }
  });

  it('refuses raw formats by signature (Canon CR2, Fujifilm RAF) and by extension (.NEF)', async () => {
    const cr2 = Buffer.alloc(64);
    cr2.write('II*\0', 0, 'latin1');
    cr2.writeUInt32LE(16, 4);
    cr2.write('CR', 8, 'latin1');
    cr2[10] = 2;
    const raf = Buffer.concat([
      Buffer.from('FUJIFILMCCD-RAW 0201FF383501', 'latin1'),
      Buffer.alloc(64),
    ]);
    const nef = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#888' } })
      .tiff()
      .toBuffer();
    for (const [name, bytes, kind] of [
      ['a.cr2.jpg', cr2, 'Canon CR2'],
      ['b.bin', raf, 'Fujifilm RAF'],
      ['c.NEF', nef, 'camera raw (.nef)'],
    ] as const) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      await expect(inspectImage(path), name).rejects.toThrow(
        `${kind} file: Upres does not develop`,
      );
    }
  });

  it('still opens an ordinary TIFF', async () => {
    const path = join(dir, 'plain.tif');
    await sharp({ create: { width: 4, height: 3, channels: 3, background: '#123456' } })
      .tiff()
      .toFile(path);
    expect((await inspectImage(path)).width).toBe(4);
  });
});
