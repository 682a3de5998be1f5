// What a photographer's file carries, for the format tests: EXIF (camera, date, GPS), an XMP
// packet, IPTC captions, checked after an upscale with an independent reader (ExifReader).
import { readFile } from 'node:fs/promises';
import ExifReader from 'exifreader';
import sharp from 'sharp';
import { expect } from 'vitest';

export const EXIF = {
  IFD0: { Make: 'Canon', Model: 'EOS R5', Artist: 'A. Photographer' },
  IFD2: { DateTimeOriginal: '2024:05:01 10:11:12' },
  IFD3: {
    GPSLatitudeRef: 'N',
    GPSLatitude: '48/1 51/1 2434/100',
    GPSLongitudeRef: 'E',
    GPSLongitude: '2/1 17/1 4020/100',
  },
};

export const XMP =
  '<?xpacket begin="\ufeff" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">' +
  '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description rdf:about="" ' +
  'xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:xmp="http://ns.adobe.com/xap/1.0/" ' +
  'xmp:Rating="4"><dc:title><rdf:Alt><rdf:li xml:lang="x-default">Harbour at dawn</rdf:li>' +
  '</rdf:Alt></dc:title></rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>';

/** IPTC-IIM records: ObjectName, Caption. */
function iimRecords(): Buffer {
  const ds = (rec: number, n: number, s: string) => {
    const v = Buffer.from(s, 'utf8');
    return Buffer.concat([Buffer.from([0x1c, rec, n, v.length >> 8, v.length & 255]), v]);
  };
  return Buffer.concat([
    ds(1, 90, '\x1b%G'),
    ds(2, 5, 'Harbour'),
    ds(2, 120, 'Boats in the morning mist'),
  ]);
}

/** sharp cannot write IPTC: a Photoshop APP13 segment inserted after the JPEG's SOI by hand. */
export function withIptc(jpeg: Buffer): Buffer {
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

/** A flat colour patch as a sharp pipeline. */
export function flat(w: number, h: number, rgb: [number, number, number]) {
  const px = Buffer.alloc(w * h * 3);
  for (let i = 0; i < px.length; i += 3) px.set(rgb, i);
  return sharp(px, { raw: { width: w, height: h, channels: 3 } });
}

/** A JPEG from a camera: EXIF, XMP, IPTC and a Display P3 profile. */
export async function cameraJpeg(w = 12, h = 8): Promise<Buffer> {
  const jpeg = await flat(w, h, [200, 120, 60])
    .withExif(EXIF)
    .withXmp(XMP)
    .withIccProfile('p3')
    .jpeg({ quality: 95 })
    .toBuffer();
  return withIptc(jpeg);
}

type Group = Record<string, { value: unknown; description: string } | undefined>;
export interface Tags {
  file?: Group;
  jfif?: Group;
  png?: Group;
  exif?: Group;
  gps?: { Latitude?: number; Longitude?: number };
  xmp?: Group;
  iptc?: Group;
  icc?: Group;
}

export async function tagsOf(path: string): Promise<Tags> {
  const tags = await ExifReader.load(await readFile(path), { expanded: true, async: true });
  return tags as unknown as Tags;
}

export function expectCameraExif(t: Tags, what: string) {
  expect(t.exif?.Make?.description, what).toBe('Canon');
  expect(t.exif?.Model?.description, what).toBe('EOS R5');
  expect(t.exif?.Artist?.description, what).toBe('A. Photographer');
  expect(t.exif?.DateTimeOriginal?.description, what).toBe('2024:05:01 10:11:12');
  expect(t.gps?.Latitude, what).toBeCloseTo(48 + 51 / 60 + 24.34 / 3600, 6);
  expect(t.gps?.Longitude, what).toBeCloseTo(2 + 17 / 60 + 40.2 / 3600, 6);
}

export function expectCameraXmp(t: Tags, what: string) {
  expect(t.xmp?.title?.description, what).toBe('Harbour at dawn');
  expect(t.xmp?.Rating?.value, what).toBe('4');
}

export function expectCameraIptc(t: Tags, what: string) {
  expect(t.iptc?.['Object Name']?.description, what).toBe('Harbour');
  expect(t.iptc?.['Caption/Abstract']?.description, what).toBe('Boats in the morning mist');
}
