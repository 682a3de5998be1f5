import { createRequire } from 'node:module';
import sharp, { type Sharp } from 'sharp';

// iPhone photos are HEIF files coded with HEVC. sharp's prebuilt libheif decodes AV1 (AVIF) only
// (HEVC decoders are patent-encumbered), though it reads a HEIC's header and metadata. The pixels
// come from libheif-js: libheif with libde265 compiled to WebAssembly, so no native build step and
// the same result on every platform. Its `display()` helper gives 8-bit RGBA only; its embind
// bindings of libheif's C API give 10- and 12-bit samples too, and are used here.

interface HeifEnum {
  value: number;
}
interface HeifChannel {
  width: number;
  height: number;
  stride: number;
  bits_per_pixel: number;
  data: Uint8Array;
}
interface LibHeif {
  heif_context_alloc(): object;
  heif_context_free(ctx: object): void;
  heif_context_read_from_memory(
    ctx: object,
    data: Uint8Array,
  ): { code: HeifEnum; message?: string };
  heif_context_get_number_of_top_level_images(ctx: object): number;
  heif_js_context_get_primary_image_handle(
    ctx: object,
  ): object | { code: HeifEnum; message?: string };
  heif_image_handle_release(h: object): void;
  heif_image_handle_has_alpha_channel(h: object): number;
  heif_js_decode_image2(
    h: object,
    colorspace: HeifEnum,
    chroma: HeifEnum,
  ):
    | { image: object; width: number; height: number; channels: HeifChannel[] }
    | { code: HeifEnum; message?: string };
  heif_image_release(img: object): void;
  heif_colorspace: { heif_colorspace_RGB: HeifEnum };
  heif_chroma: Record<
    | 'heif_chroma_interleaved_RGB'
    | 'heif_chroma_interleaved_RGBA'
    | 'heif_chroma_interleaved_RRGGBB_LE'
    | 'heif_chroma_interleaved_RRGGBBAA_LE',
    HeifEnum
  >;
}

let lib: LibHeif | undefined;

/** libheif-js, loaded on the first HEIC (2 MB of JavaScript with the WebAssembly inlined). */
function libheif(): LibHeif {
  lib ??= createRequire(import.meta.url)('libheif-js/wasm-bundle') as LibHeif;
  return lib;
}

/** Decoded pixels laid out as sharp's raw output would be: interleaved, 8- or 16-bit. */
export interface HeicPixels {
  data: Buffer;
  width: number;
  height: number;
  channels: 3 | 4;
  sixteen: boolean;
  /** Top-level images in the file (the primary one is decoded). */
  images: number;
}

const failed = (r: object): r is { code: HeifEnum; message?: string } =>
  'code' in r && typeof (r as { code: HeifEnum }).code?.value === 'number' && !('channels' in r);

/**
 * Decodes the primary image of a HEIF file (HEVC-coded, as iPhones write it) upright: libheif
 * applies the file's rotation and mirroring (irot / imir), which HEIF makes authoritative over the
 * EXIF orientation. `bits` is the luma depth from the header: above 8, samples are widened to the
 * full 16-bit range (v · 65535 / (2^bits − 1), exactly). Throws with libheif's message.
 */
export function decodeHeic(bytes: Uint8Array, bits: number): HeicPixels {
  const h = libheif();
  const ctx = h.heif_context_alloc();
  try {
    const read = h.heif_context_read_from_memory(ctx, bytes);
    if (read.code.value !== 0) throw new Error(read.message || 'not a readable HEIF file');
    const images = h.heif_context_get_number_of_top_level_images(ctx);
    const handle = h.heif_js_context_get_primary_image_handle(ctx);
    if (failed(handle)) throw new Error(handle.message || 'no primary image');
    try {
      const alpha = h.heif_image_handle_has_alpha_channel(handle) !== 0;
      const sixteen = bits > 8;
      const chroma = sixteen
        ? alpha
          ? h.heif_chroma.heif_chroma_interleaved_RRGGBBAA_LE
          : h.heif_chroma.heif_chroma_interleaved_RRGGBB_LE
        : alpha
          ? h.heif_chroma.heif_chroma_interleaved_RGBA
          : h.heif_chroma.heif_chroma_interleaved_RGB;
      const img = h.heif_js_decode_image2(handle, h.heif_colorspace.heif_colorspace_RGB, chroma);
      if (failed(img)) throw new Error(img.message || 'cannot decode the image');
      try {
        return copyOut(img.channels[0], alpha, sixteen, images);
      } finally {
        h.heif_image_release(img.image);
      }
    } finally {
      h.heif_image_handle_release(handle);
    }
  } finally {
    h.heif_context_free(ctx);
  }
}

/** The decoder's plane (rows `stride` bytes apart) as tightly packed samples. */
function copyOut(
  plane: HeifChannel | undefined,
  alpha: boolean,
  sixteen: boolean,
  images: number,
): HeicPixels {
  if (!plane) throw new Error('the decoder returned no pixels');
  const channels = alpha ? 4 : 3;
  const { width, height } = plane;
  const bytesPer = sixteen ? 2 : 1;
  const row = width * channels * bytesPer;
  const out = Buffer.alloc(row * height);
  if (!sixteen) {
    for (let y = 0; y < height; y++)
      out.set(plane.data.subarray(y * plane.stride, y * plane.stride + row), y * row);
  } else {
    // Little-endian samples of `bits_per_pixel` bits, widened to 16 bits in native order.
    const max = 2 ** plane.bits_per_pixel - 1;
    const view = new Uint16Array(out.buffer, out.byteOffset, out.length / 2);
    const n = width * channels;
    for (let y = 0; y < height; y++) {
      const src = y * plane.stride;
      for (let i = 0; i < n; i++) {
        const v = plane.data[src + 2 * i] | (plane.data[src + 2 * i + 1] << 8);
        view[y * n + i] = Math.round((Math.min(v, max) * 65535) / max);
      }
    }
  }
  return { data: out, width, height, channels, sixteen, images };
}

/** A HEVC-coded HEIF file's primary image as a sharp pipeline (for previews and thumbnails). */
export function heicAsSharp(bytes: Uint8Array, bits: number): Sharp {
  const px = decodeHeic(bytes, bits);
  const data = px.sixteen
    ? new Uint16Array(px.data.buffer, px.data.byteOffset, px.data.length / 2)
    : px.data;
  const img = sharp(data, {
    raw: { width: px.width, height: px.height, channels: px.channels },
    limitInputPixels: false,
  });
  return px.sixteen ? img.toColourspace('srgb') : img;
}
