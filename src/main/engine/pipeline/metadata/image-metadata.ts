import type { Metadata } from 'sharp';
import type { EngineMessage } from '../../../../shared/engine-message';
import type { OutputFormatName } from '../../../../shared/output-rules';
import { patchExif, stripExifPrefix } from './exif';
import type { GainMap } from './gain-map';
import { normaliseIptc } from './iptc';
import { exifNotCarried } from './metadata-fault';
import { patchXmp } from './xmp';

/**
 * The metadata of a photo that Upres carries from input to output. sharp reads all of it but can
 * only attach it to an output that was decoded from the same file, and ours is encoded from raw
 * pixels; so the blobs are kept as bytes here and written into the encoded container directly
 * (see `write-metadata.ts`), byte for byte except for the fields the upscale changes.
 */
export interface ImageMetadata {
  /** EXIF as a TIFF structure ('II*\0' / 'MM\0*'), without the 'Exif\0\0' prefix. */
  exif?: Buffer;
  /** The XMP packet (UTF-8 XML). */
  xmp?: Buffer;
  /** Photoshop image resources ('8BIM' blocks): IPTC-IIM (0x0404) and its digest (0x0425). */
  iptc?: Buffer;
  /** ICC profile: the input's, re-attached because inference runs on the untouched values. */
  icc?: Buffer;
  /** PNG text chunks (Title, Author, Description, …), carried to PNG output. */
  text?: { keyword: string; text: string }[];
  /**
   * The output's resolution in pixels per inch, written into every place the container states one
   * (JFIF, EXIF, pHYs, TIFF tags) so they agree; undefined: the input stated none, none is written.
   */
  dpi?: number;
  /** An Ultra HDR input's gain map, enlarged and attached to JPEG output (see gain-map.ts). */
  gainMap?: GainMap;
}

/**
 * The metadata to carry from an input, from sharp's view of it. `turned` says the pixels were
 * turned upright from an EXIF orientation other than 1; `width` × `height` is the output size.
 * Pieces that cannot be carried safely are left out with a note.
 */
export function collectMetadata(
  meta: Metadata,
  o: { width: number; height: number; turned: boolean; dpi?: number },
  notes: EngineMessage[],
): ImageMetadata {
  const md: ImageMetadata = {};
  if (meta.exif?.length) {
    try {
      md.exif = patchExif(stripExifPrefix(meta.exif), o);
    } catch (err) {
      // Without a walkable structure the Orientation cannot be reset: carrying it could turn the
      // upright output a second time in viewers.
      notes.push(exifNotCarried(err));
    }
  }
  if (meta.xmp?.length) md.xmp = patchXmp(meta.xmp, o);
  if (meta.iptc?.length) md.iptc = normaliseIptc(meta.iptc);
  const text = (meta.comments ?? []).filter(
    (c) => !/^(raw profile type |xml:com\.adobe\.xmp$)/i.test(c.keyword),
  );
  if (text.length) md.text = text;
  return md;
}

/**
 * True when there is anything to write for this format (a PNG's or TIFF's resolution is set in
 * the encoder's own chunk or tag, apart from this).
 */
export function hasMetadataFor(md: ImageMetadata, format: OutputFormatName): boolean {
  const iptc = format !== 'webp' && format !== 'avif' && md.iptc;
  const dpi = md.dpi !== undefined && format !== 'png' && format !== 'tiff';
  return Boolean(md.exif || md.xmp || md.icc || iptc || dpi || (format === 'png' && md.text));
}
