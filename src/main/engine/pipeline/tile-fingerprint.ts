import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { resolve } from 'node:path';

/**
 * Bumped whenever decoding, tiling or packing changes what a tile holds, so tiles stored by an
 * older build are never stitched into a newer one's output.
 */
const PIXELS_VERSION = 1;

/** Everything that decides a render's tiles (see `tileFingerprint`). */
export interface TileFingerprintParts {
  input: string;
  /** The model or pair id and a digest of its weights (the manifests' sha256, joined for a pair). */
  model: { id: string; digest: string };
  /** Where it runs and in what precision: providers and fp16 differ in the last bits. */
  runtime: { device: string; fp16: boolean };
  /** α of a pair (undefined for a single model). */
  alpha: number | undefined;
  tile: number;
  overlap: number;
  feather: number;
  tta: boolean;
  /** Only when transparency goes through the model does it decide tiles (the second pass). */
  transparency: string;
  /** Output depth and channels of the stitch (8/16-bit, RGB). */
  depth: 8 | 16;
  /** Whole-image passes the tiles were computed after (RealPLKSR GroupNorm statistics), if any. */
  wholeImage?: string;
}

/**
 * A sha256 of everything that decides the pixels of a render's tiles, the input file's identity
 * included (path, size, mtime, device and inode: an edited or replaced file changes it). Output
 * format, size and metadata are left out: they are applied after the stitch.
 */
export async function tileFingerprint(p: TileFingerprintParts): Promise<string> {
  const st = await stat(p.input, { bigint: true });
  const facts = {
    v: PIXELS_VERSION,
    input: resolve(p.input),
    size: st.size.toString(),
    mtimeNs: st.mtimeNs.toString(),
    dev: st.dev.toString(),
    ino: st.ino.toString(),
    model: p.model,
    runtime: p.runtime,
    alpha: p.alpha ?? null,
    tile: p.tile,
    overlap: p.overlap,
    feather: p.feather,
    tta: p.tta,
    transparency: p.transparency,
    depth: p.depth,
    // Only when present, so every other render's fingerprint is what it was.
    ...(p.wholeImage ? { wholeImage: p.wholeImage } : {}),
  };
  return createHash('sha256').update(JSON.stringify(facts)).digest('hex');
}
