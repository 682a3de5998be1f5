// ICC profile descriptions decoded as their tag type says. The oracle is the text the test put into
// a profile it built by the ICC layout (v2 'desc', v4 'mluc'), and ExifReader for a real profile.
import ExifReader from 'exifreader';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import {
  iccColourSpace,
  iccDescription,
  iccLabel,
} from '../../../../src/main/engine/pipeline/metadata';

const be32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(v);
  return b;
};
const utf16be = (s: string) => Buffer.from(s, 'utf16le').swap16();
const pad4 = (b: Buffer) => Buffer.concat([b, Buffer.alloc((4 - (b.length % 4)) % 4)]);

/** A profile with a 128-byte header (colour space `space`) and one tag, 'desc'. */
function profile(desc: Buffer, space = 'RGB ', version = 0x02100000): Buffer {
  const header = Buffer.alloc(128);
  header.writeUInt32BE(version, 8);
  header.write('mntr', 12, 'latin1');
  header.write(space, 16, 'latin1');
  header.write('XYZ ', 20, 'latin1');
  header.write('acsp', 36, 'latin1');
  const tagAt = 128 + 4 + 12;
  const table = Buffer.concat([be32(1), Buffer.from('desc'), be32(tagAt), be32(desc.length)]);
  const icc = Buffer.concat([header, table, pad4(desc)]);
  icc.writeUInt32BE(icc.length, 0);
  return icc;
}

/** v2 textDescriptionType: ASCII (with NUL), Unicode language + count + UTF-16BE, ScriptCode. */
function textDescription(ascii: Buffer, unicode?: string): Buffer {
  const a = Buffer.concat([ascii, Buffer.from([0])]);
  const u = unicode === undefined ? Buffer.alloc(0) : utf16be(`${unicode}\0`);
  return Buffer.concat([
    Buffer.from('desc\0\0\0\0', 'latin1'),
    be32(a.length),
    a,
    be32(0),
    be32(unicode === undefined ? 0 : unicode.length + 1),
    u,
    Buffer.alloc(67),
  ]);
}

/** v4 multiLocalizedUnicodeType with records in the given order. */
function mluc(records: [string, string][]): Buffer {
  const head = Buffer.concat([
    Buffer.from('mluc\0\0\0\0', 'latin1'),
    be32(records.length),
    be32(12),
  ]);
  let at = head.length + 12 * records.length;
  const table: Buffer[] = [];
  const texts: Buffer[] = [];
  for (const [locale, text] of records) {
    const t = utf16be(text);
    table.push(Buffer.concat([Buffer.from(locale, 'latin1'), be32(t.length), be32(at)]));
    texts.push(t);
    at += t.length;
  }
  return Buffer.concat([head, ...table, ...texts]);
}

describe('ICC profile description', () => {
  it('reads the Unicode copy of a v2 description, accents and dashes included', () => {
    const icc = profile(textDescription(Buffer.from('Ecran - etalonne'), 'Écran — étalonné'));
    expect(iccDescription(icc)).toBe('Écran — étalonné');
    expect(iccLabel(icc)).toBe('"Écran — étalonné" (RGB)');
  });

  it('reads UTF-8 that a profile maker put in the ASCII part as UTF-8, not as Latin-1', () => {
    const icc = profile(textDescription(Buffer.from('Profil sRGB für Bildschirme', 'utf8')));
    expect(iccDescription(icc)).toBe('Profil sRGB für Bildschirme');
    const plain = profile(textDescription(Buffer.from('Adobe RGB (1998)')));
    expect(iccDescription(plain)).toBe('Adobe RGB (1998)');
  });

  it('reads a v4 mluc description as UTF-16BE, English first', () => {
    const icc = profile(
      mluc([
        ['deDE', 'Größe – Bildschirm'],
        ['enUS', 'Display – “wide” gamut'],
      ]),
      'RGB ',
      0x04300000,
    );
    expect(iccDescription(icc)).toBe('Display – “wide” gamut');
    expect(iccDescription(profile(mluc([['frFR', 'Écran à gamme étendue']])))).toBe(
      'Écran à gamme étendue',
    );
  });

  it('agrees with ExifReader on a real profile (Display P3 from sharp)', async () => {
    const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#808080' } })
      .withIccProfile('p3')
      .png()
      .toBuffer();
    const icc = (await sharp(png).metadata()).icc!;
    const tags = (await ExifReader.load(png, { expanded: true, async: true })) as unknown as {
      icc?: Record<string, { description: string }>;
    };
    expect(iccDescription(icc)).toBe(tags.icc?.['ICC Description']?.description);
  });

  it('gives no colour space for a damaged header, never stray bytes', () => {
    const icc = profile(textDescription(Buffer.from('x')), 'RGB ');
    expect(iccColourSpace(icc)).toBe('RGB ');
    icc.set([0xe2, 0x20, 0x20, 0x20], 16);
    expect(iccColourSpace(icc)).toBeUndefined();
    expect(iccLabel(icc)).toBe('"x"');
    expect(iccDescription(Buffer.alloc(40))).toBeUndefined();
    expect(iccLabel(Buffer.alloc(40))).toBe('unreadable');
  });
});
