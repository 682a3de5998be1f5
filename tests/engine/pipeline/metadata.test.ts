// Metadata round trip: what a photographer put in a file (camera, date, GPS in EXIF; an XMP packet;
// IPTC captions and keywords; a wide-gamut ICC profile) survives an upscale. The oracle is an
// independent parser (ExifReader) reading the output files, compared with what the test wrote.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExifReader from 'exifreader';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutputFormatName as OutputFormat } from '../../../src/shared/output-rules';
import type { LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { loadIdentityModel } from '../../helpers/identity-model';
import { upscaleOne } from '../../helpers/upscale-one';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-meta-'));
  model = await loadIdentityModel();
});
afterAll(() => model?.dispose());

const EXIF = {
  IFD0: { Make: 'Canon', Model: 'EOS R5', Artist: 'A. Photographer' },
  IFD2: { DateTimeOriginal: '2024:05:01 10:11:12' },
  IFD3: {
    GPSLatitudeRef: 'N',
    GPSLatitude: '48/1 51/1 2434/100',
    GPSLongitudeRef: 'E',
    GPSLongitude: '2/1 17/1 4020/100',
  },
};
const XMP =
  '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" ' +
  'xmp:Rating="4"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harbour at dawn</rdf:li>' +
  '</rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>';

/** IPTC-IIM records: ObjectName, Caption, two Keywords (UTF-8 declared). */
function iimRecords(): Buffer {
  const ds = (rec: number, n: number, s: string) => {
    const v = Buffer.from(s, 'utf8');
    return Buffer.concat([Buffer.from([0x1c, rec, n, v.length >> 8, v.length & 255]), v]);
  };
  return Buffer.concat([
    ds(1, 90, '\x1b%G'),
    ds(2, 5, 'Harbour'),
    ds(2, 120, 'Boats in the morning mist'),
    ds(2, 25, 'harbour'),
    ds(2, 25, 'boats'),
  ]);
}

/** sharp cannot write IPTC: insert a Photoshop APP13 segment after the JPEG's SOI by hand. */
function withIptc(jpeg: Buffer): Buffer {
  const iim = iimRecords();
  const block = Buffer.alloc(12);
  block.write('8BIM', 0, 'latin1');
  block.writeUInt16BE(0x0404, 4);
  block.writeUInt32BE(iim.length, 8);
  const body = Buffer.concat([
    Buffer.from('Photoshop 3.0\0', 'latin1'),
    block,
    iim,
    Buffer.alloc(iim.length & 1),
  ]);
  const head = Buffer.from([0xff, 0xed, 0, 0]);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), head, body, jpeg.subarray(2)]);
}

const flat = (w: number, h: number, rgb: [number, number, number]) => {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i += 3) px.set(rgb, i);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } });
};

/** The parts of ExifReader's expanded result the tests read. */
type Group = Record<string, { value: unknown; description: string } | undefined>;
interface Tags {
  exif?: Group;
  gps?: { Latitude?: number; Longitude?: number };
  xmp?: Group;
  iptc?: Group;
  icc?: Group;
}
async function tagsOf(path: string): Promise<Tags> {
  const tags = await ExifReader.load(await readFile(path), { expanded: true, async: true });
  return tags as unknown as Tags;
}

function expectExif(t: Tags) {
  expect(t.exif?.Make?.description).toBe('Canon');
  expect(t.exif?.Model?.description).toBe('EOS R5');
  expect(t.exif?.Artist?.description).toBe('A. Photographer');
  expect(t.exif?.DateTimeOriginal?.description).toBe('2024:05:01 10:11:12');
  expect(t.gps?.Latitude).toBeCloseTo(48 + 51 / 60 + 24.34 / 3600, 6);
  expect(t.gps?.Longitude).toBeCloseTo(2 + 17 / 60 + 40.2 / 3600, 6);
}

function expectXmp(t: Tags) {
  expect(t.xmp?.title?.description).toBe('Harbour at dawn');
  expect(t.xmp?.Rating?.value).toBe('4');
}

function expectIptc(t: Tags) {
  expect(t.iptc?.['Object Name']?.description).toBe('Harbour');
  expect(t.iptc?.['Caption/Abstract']?.description).toBe('Boats in the morning mist');
  const kw = t.iptc?.Keywords as unknown as { description: string }[];
  expect(kw.map((k) => k.description)).toEqual(['harbour', 'boats']);
}

describe('metadata round trip', () => {
  it('carries EXIF (make, model, date, GPS), XMP, IPTC and a Display P3 profile from a JPEG to JPEG, PNG and WebP', async () => {
    const input = join(dir, 'camera.jpg');
    const jpeg = await flat(12, 8, [200, 120, 60])
      .withExif(EXIF)
      .withXmp(XMP)
      .withIccProfile('p3')
      .jpeg({ quality: 95 })
      .toBuffer();
    await writeFile(input, withIptc(jpeg));
    const p3 = (await sharp(input).metadata()).icc!;
    expect((await tagsOf(input)).iptc?.['Object Name']?.description).toBe('Harbour'); // the input is right
    for (const format of ['jpeg', 'png', 'webp'] as OutputFormat[]) {
      const res = await upscaleOne(model, input, { outDir: dir, format });
      const t = await tagsOf(res.output);
      expectExif(t);
      expectXmp(t);
      expect(t.icc?.['ICC Description']?.description).toBe('sP3C');
      const meta = await sharp(res.output).metadata();
      expect(meta.icc?.equals(p3), `${format}: ICC bytes`).toBe(true);
      expect([meta.width, meta.height]).toEqual([48, 32]);
      // The pixel dimensions in EXIF are the output's.
      expect(t.exif?.PixelXDimension?.value).toBe(48);
      expect(t.exif?.PixelYDimension?.value).toBe(32);
      if (format === 'webp') {
        // WebP has no IPTC container; the note says so.
        expect(t.iptc).toBeUndefined();
        expect(res.notes.join('\n')).toMatch(/IPTC not carried: WebP/);
      } else {
        expectIptc(t);
        expect(res.notes).toEqual([]);
      }
    }
  });

  it('carries EXIF, XMP and the profile from PNG and WebP inputs too', async () => {
    for (const format of ['png', 'webp'] as OutputFormat[]) {
      const input = join(dir, `from-${format}.${format}`);
      await flat(8, 8, [30, 160, 90])
        .withExif(EXIF)
        .withXmp(XMP)
        .withIccProfile('p3')
        .toFormat(format, { quality: 95 })
        .toFile(input);
      for (const out of ['png', 'jpeg'] as OutputFormat[]) {
        const res = await upscaleOne(model, input, { outDir: dir, format: out });
        const t = await tagsOf(res.output);
        expectExif(t);
        expectXmp(t);
        expect(t.icc?.['ICC Description']?.description).toBe('sP3C');
      }
    }
  });

  it('carries EXIF, XMP, IPTC and the profile from a TIFF (to PNG)', async () => {
    const input = join(dir, 'scan.tif');
    const tiff = await flat(8, 8, [90, 90, 200])
      .withXmp(XMP)
      .withIccProfile('p3')
      .tiff()
      .toBuffer();
    // TIFFs keep IPTC as raw IIM records in tag 33723; sharp cannot write them, so add the tag.
    await writeFile(input, addTiffExif(addTiffTag(tiff, 33723, 7, iimRecords())));
    expect((await sharp(input).metadata()).iptc?.[0]).toBe(0x1c);
    const res = await upscaleOne(model, input, { outDir: dir, format: 'png' });
    expect(res.output).toMatch(/scan_x4\.png$/);
    const t = await tagsOf(res.output);
    expectExif(t);
    expectXmp(t);
    expectIptc(t);
    expect(t.icc?.['ICC Description']?.description).toBe('sP3C');
  });

  it('turns an orientation-6 JPEG upright and resets the tag to 1 (EXIF and XMP)', async () => {
    // Stored 16×8: red in the stored top-left corner, blue elsewhere. Orientation 6 means "turn 90°
    // clockwise to display", which puts that corner at the top right of an 8×16 upright image.
    const w = 16;
    const h = 8;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        px.set(x < 4 && y < 4 ? [230, 20, 20] : [20, 20, 230], (y * w + x) * 3);
    const input = join(dir, 'portrait.jpg');
    await sharp(px, { raw: { width: w, height: h, channels: 3 } })
      .withExif(EXIF)
      .withXmp(XMP.replace('xmp:Rating="4"', 'xmp:Rating="4" tiff:Orientation="6"'))
      .withMetadata({ orientation: 6 })
      .jpeg({ quality: 100 })
      .toFile(input);
    expect((await sharp(input).metadata()).orientation).toBe(6);
    const res = await upscaleOne(model, input, { outDir: dir });
    const meta = await sharp(res.output).metadata();
    expect([meta.width, meta.height]).toEqual([32, 64]);
    expect(meta.orientation).toBe(1);
    const t = await tagsOf(res.output);
    expect(t.exif?.Orientation?.value).toBe(1);
    expect(t.xmp?.Orientation?.value).toBe('1');
    expectExif(t); // the rest of EXIF is still there
    // Stored pixels of the output (no rotation on read): red at the top right, blue at the top left.
    const { data, info } = await sharp(res.output).raw().toBuffer({ resolveWithObject: true });
    const at = (x: number, y: number) => [
      ...data.subarray((y * info.width + x) * 3, (y * info.width + x) * 3 + 3),
    ];
    const [r1, , b1] = at(info.width - 3, 2);
    const [r2, , b2] = at(2, 2);
    expect(r1).toBeGreaterThan(180);
    expect(b1).toBeLessThan(80);
    expect(r2).toBeLessThan(80);
    expect(b2).toBeGreaterThan(180);
  });

  it("keepMetadata 'none' strips EXIF, XMP and IPTC but keeps the colour profile", async () => {
    const input = join(dir, 'private.jpg');
    await writeFile(
      input,
      withIptc(
        await flat(8, 8, [10, 200, 10])
          .withExif(EXIF)
          .withXmp(XMP)
          .withIccProfile('p3')
          .jpeg()
          .toBuffer(),
      ),
    );
    for (const format of ['jpeg', 'png', 'webp'] as OutputFormat[]) {
      const res = await upscaleOne(model, input, { outDir: dir, format, keepMetadata: 'none' });
      const meta = await sharp(res.output).metadata();
      expect(meta.exif, format).toBeUndefined();
      expect(meta.xmp, format).toBeUndefined();
      expect(meta.iptc, format).toBeUndefined();
      const t = await tagsOf(res.output);
      expect(t.gps, format).toBeUndefined();
      expect(t.exif?.Make, format).toBeUndefined();
      // The profile defines what the pixel values mean: without it the colours would change.
      expect(t.icc?.['ICC Description']?.description, format).toBe('sP3C');
    }
  });

  it('runs on the image’s own values: tagged images are not converted to sRGB (8- and 16-bit)', async () => {
    const cases = [
      { name: 'p3-8', profile: 'p3', sixteen: false },
      { name: 'p3-16', profile: 'p3', sixteen: true },
      // sharp's default would convert a 16-bit image to its P3 working space.
      { name: 'srgb-16', profile: 'srgb', sixteen: true },
    ];
    for (const { name, profile, sixteen } of cases) {
      const input = join(dir, `${name}.png`);
      let img = flat(8, 6, [200, 100, 50]).withIccProfile(profile);
      if (sixteen) img = img.toColourspace('rgb16');
      await img.png().toFile(input);
      const read = async (path: string, keep = true) => {
        const base = keep ? sharp(path).keepIccProfile() : sharp(path);
        const r = await base
          .toColourspace(sixteen ? 'rgb16' : 'srgb')
          .raw({ depth: sixteen ? 'ushort' : 'uchar' })
          .toBuffer();
        return sixteen ? [...new Uint16Array(r.buffer, r.byteOffset, 3)] : [...r.subarray(0, 3)];
      };
      const before = await read(input);
      // What sharp hands over without care differs: the values converted through the profile.
      if (name !== 'p3-16') expect(await read(input, false), name).not.toEqual(before);
      const res = await upscaleOne(model, input, { outDir: dir });
      const meta = await sharp(res.output).metadata();
      expect(meta.depth, name).toBe(sixteen ? 'ushort' : 'uchar');
      expect(meta.icc?.equals((await sharp(input).metadata()).icc!), name).toBe(true);
      expect(await read(res.output), name).toEqual(before);
    }
  });
});

/**
 * Adds one tag to IFD0 of a TIFF: its data (built for the offset it will sit at, so sub-directories
 * can point inside themselves) is appended with a copy of IFD0 that includes the tag.
 */
function addTiffTag(
  tiff: Buffer,
  tag: number,
  type: number,
  build: Buffer | ((at: number, le: boolean) => Buffer),
  count?: number,
): Buffer {
  const le = tiff.toString('latin1', 0, 2) === 'II';
  const u16 = (b: Buffer, o: number) => (le ? b.readUInt16LE(o) : b.readUInt16BE(o));
  const u32 = (b: Buffer, o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const ifd0 = u32(tiff, 4);
  const n = u16(tiff, ifd0);
  const entries = Array.from({ length: n }, (_, i) =>
    tiff.subarray(ifd0 + 2 + 12 * i, ifd0 + 14 + 12 * i),
  );
  const next = u32(tiff, ifd0 + 2 + 12 * n);
  const dataAt = tiff.length + (tiff.length & 1);
  const data = typeof build === 'function' ? build(dataAt, le) : build;
  const ifdAt = dataAt + data.length + (data.length & 1);
  const entry = Buffer.alloc(12);
  w16(le, entry, tag, 0);
  w16(le, entry, type, 2);
  w32(le, entry, count ?? data.length, 4);
  w32(le, entry, dataAt, 8);
  const all = [...entries, entry].sort((a, b) => u16(a, 0) - u16(b, 0));
  const ifd = Buffer.alloc(2 + 12 * all.length + 4);
  w16(le, ifd, all.length, 0);
  all.forEach((e, i) => e.copy(ifd, 2 + 12 * i));
  w32(le, ifd, next, 2 + 12 * all.length);
  const out = Buffer.concat([
    tiff,
    Buffer.alloc(tiff.length & 1),
    data,
    Buffer.alloc(data.length & 1),
    ifd,
  ]);
  w32(le, out, ifdAt, 4);
  return out;
}

const w16 = (le: boolean, b: Buffer, v: number, o: number) =>
  le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o);
const w32 = (le: boolean, b: Buffer, v: number, o: number) =>
  le ? b.writeUInt32LE(v, o) : b.writeUInt32BE(v, o);

/** A stand-alone IFD at file offset `at`: entries of [tag, type, count, value bytes]. */
function ifdAt(at: number, le: boolean, entries: [number, number, number, Buffer][]): Buffer {
  const table = Buffer.alloc(2 + 12 * entries.length + 4);
  const data: Buffer[] = [];
  let pos = at + table.length;
  w16(le, table, entries.length, 0);
  entries.forEach(([tag, type, count, value], i) => {
    const o = 2 + 12 * i;
    w16(le, table, tag, o);
    w16(le, table, type, o + 2);
    w32(le, table, count, o + 4);
    if (value.length <= 4) value.copy(table, o + 8);
    else {
      w32(le, table, pos, o + 8);
      data.push(value, Buffer.alloc(value.length & 1));
      pos += value.length + (value.length & 1);
    }
  });
  return Buffer.concat([table, ...data]);
}

const ascii = (s: string) => Buffer.from(`${s}\0`, 'latin1');
function rationals(le: boolean, ...pairs: [number, number][]): Buffer {
  const b = Buffer.alloc(8 * pairs.length);
  pairs.forEach(([n, d], i) => {
    w32(le, b, n, 8 * i);
    w32(le, b, d, 8 * i + 4);
  });
  return b;
}

/** A TIFF with camera EXIF the way Lightroom writes it: IFD0 tags plus EXIF and GPS directories. */
function addTiffExif(tiff: Buffer): Buffer {
  let t = addTiffTag(tiff, 0x010f, 2, ascii('Canon'));
  t = addTiffTag(t, 0x0110, 2, ascii('EOS R5'));
  t = addTiffTag(t, 0x013b, 2, ascii('A. Photographer'));
  t = addTiffTag(
    t,
    0x8769,
    4,
    (at, le) => ifdAt(at, le, [[0x9003, 2, 20, ascii('2024:05:01 10:11:12')]]),
    1,
  );
  t = addTiffTag(
    t,
    0x8825,
    4,
    (at, le) =>
      ifdAt(at, le, [
        [1, 2, 2, ascii('N')],
        [2, 5, 3, rationals(le, [48, 1], [51, 1], [2434, 100])],
        [3, 2, 2, ascii('E')],
        [4, 5, 3, rationals(le, [2, 1], [17, 1], [4020, 100])],
      ]),
    1,
  );
  return t;
}
