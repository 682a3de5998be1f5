import { BIG_ENDIAN } from './bytes';

/**
 * ICC colour space of a profile ('RGB ', 'GRAY', 'CMYK', 'Lab '…) from its header; undefined when
 * the header is too short or the field is not the four printable ASCII characters a signature is
 * (a damaged profile must not put stray bytes into a note).
 */
export function iccColourSpace(icc: Buffer): string | undefined {
  if (icc.length < 20) return undefined;
  const sig = icc.subarray(16, 20);
  return sig.every((c) => c >= 0x20 && c <= 0x7e) ? sig.toString('latin1') : undefined;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** UTF-16BE text without its terminating NULs. */
function utf16be(b: Buffer): string {
  const even = Buffer.from(b.subarray(0, b.length & ~1));
  return even.swap16().toString('utf16le').replace(/\0+$/, '');
}

/**
 * The ASCII part of a v2 'desc' tag. The standard says 7-bit ASCII, but profile makers often put
 * UTF-8 there; read as Latin-1 that shows as 'â€™' and the like, so UTF-8 is tried first.
 */
function asciiField(b: Buffer): string {
  const text = b.subarray(0, b.includes(0) ? b.indexOf(0) : b.length);
  try {
    return utf8.decode(text);
  } catch {
    return text.toString('latin1');
  }
}

/** v2 textDescriptionType: ASCII, then an optional Unicode (UTF-16BE) copy, then ScriptCode. */
function textDescription(tag: Buffer): string | undefined {
  if (tag.length < 12) return undefined;
  const asciiCount = BIG_ENDIAN.u32(tag, 8);
  const asciiEnd = 12 + asciiCount;
  if (asciiEnd > tag.length) return undefined;
  if (asciiEnd + 8 <= tag.length) {
    const chars = BIG_ENDIAN.u32(tag, asciiEnd + 4);
    const start = asciiEnd + 8;
    if (chars > 0 && start + 2 * chars <= tag.length) {
      const unicode = utf16be(tag.subarray(start, start + 2 * chars));
      if (unicode) return unicode;
    }
  }
  return asciiField(tag.subarray(12, asciiEnd));
}

/** v4 multiLocalizedUnicodeType: records of (language, country, UTF-16BE text); English first. */
function multiLocalised(tag: Buffer): string | undefined {
  if (tag.length < 16) return undefined;
  const count = BIG_ENDIAN.u32(tag, 8);
  const recordSize = BIG_ENDIAN.u32(tag, 12);
  if (recordSize < 12) return undefined;
  const texts: { lang: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const r = 16 + i * recordSize;
    if (r + 12 > tag.length) break;
    const len = BIG_ENDIAN.u32(tag, r + 4);
    const at = BIG_ENDIAN.u32(tag, r + 8);
    if (at + len > tag.length) continue;
    texts.push({
      lang: tag.toString('latin1', r, r + 2),
      text: utf16be(tag.subarray(at, at + len)),
    });
  }
  return (texts.find((t) => t.lang === 'en') ?? texts[0])?.text;
}

/**
 * The profile's description ('Display P3', 'Adobe RGB (1998)'…) from its 'desc' tag, decoded as
 * the tag's type says: ASCII/Unicode in a v2 'desc' type, UTF-16BE in a v4 'mluc' type. Undefined
 * when the profile has no readable description.
 */
export function iccDescription(icc: Buffer): string | undefined {
  if (icc.length < 132) return undefined;
  const tags = BIG_ENDIAN.u32(icc, 128);
  for (let i = 0; i < tags && 132 + 12 * (i + 1) <= icc.length; i++) {
    const e = 132 + 12 * i;
    if (icc.toString('latin1', e, e + 4) !== 'desc') continue;
    const at = BIG_ENDIAN.u32(icc, e + 4);
    const size = BIG_ENDIAN.u32(icc, e + 8);
    if (at + size > icc.length || size < 8) return undefined;
    const tag = icc.subarray(at, at + size);
    const type = tag.toString('latin1', 0, 4);
    const text =
      type === 'desc' ? textDescription(tag) : type === 'mluc' ? multiLocalised(tag) : undefined;
    return text || undefined;
  }
  return undefined;
}

/**
 * How a note names a profile: its description and colour space, e.g. `"Display P3" (RGB)`, or
 * only what can be read of the two.
 */
export function iccLabel(icc: Buffer): string {
  const desc = iccDescription(icc);
  const space = iccColourSpace(icc)?.trim();
  if (desc && space) return `"${desc}" (${space})`;
  if (desc) return `"${desc}"`;
  return space ? `${space}` : 'unreadable';
}
