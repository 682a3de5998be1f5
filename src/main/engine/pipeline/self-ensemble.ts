import type { Tensor4 } from '../runtime/inference-session';
import type { RunTile } from './tiled-upscale';

/**
 * One of the 8 symmetries of the pixel grid (the dihedral group of the square), as the image it
 * produces: `transpose` swaps rows and columns first (so H and W swap), then `flipX` mirrors the
 * columns and `flipY` the rows of the result.
 */
export interface Dihedral {
  name: string;
  transpose: boolean;
  flipX: boolean;
  flipY: boolean;
}

/**
 * The 8 transforms. `rot90` turns counter-clockwise (numpy's `rot90`): out[i][j] = in[j][W−1−i];
 * `flip-rotN` is `rotN` followed by a left–right mirror.
 */
export const DIHEDRAL: readonly Dihedral[] = [
  { name: 'identity', transpose: false, flipX: false, flipY: false },
  { name: 'rot90', transpose: true, flipX: false, flipY: true },
  { name: 'rot180', transpose: false, flipX: true, flipY: true },
  { name: 'rot270', transpose: true, flipX: true, flipY: false },
  { name: 'flip', transpose: false, flipX: true, flipY: false },
  { name: 'flip-rot90', transpose: true, flipX: true, flipY: true },
  { name: 'flip-rot180', transpose: false, flipX: false, flipY: true },
  { name: 'flip-rot270', transpose: true, flipX: false, flipY: false },
];

/**
 * How the transformed image of an h×w plane reads its source: it is `oh`×`ow`, and along each of its
 * rows the source index starts at `rowStart(y)` and moves by the constant `step`.
 */
function walk(
  d: Dihedral,
  h: number,
  w: number,
): { oh: number; ow: number; step: number; rowStart: (y: number) => number } {
  const oh = d.transpose ? w : h;
  const ow = d.transpose ? h : w;
  const step = d.transpose ? (d.flipX ? -w : w) : d.flipX ? -1 : 1;
  const rowStart = (y: number): number => {
    const a = d.flipY ? oh - 1 - y : y;
    return d.transpose ? a + (d.flipX ? (ow - 1) * w : 0) : a * w + (d.flipX ? w - 1 : 0);
  };
  return { oh, ow, step, rowStart };
}

/** The transformed NCHW tensor (a new buffer; H and W swap when `d.transpose`). */
export function applyDihedral(t: Tensor4, d: Dihedral): Tensor4 {
  const [n, c, h, w] = t.dims;
  const { oh, ow, step, rowStart } = walk(d, h, w);
  const src = t.data;
  const out = new Float32Array(src.length);
  let i = 0;
  for (let base = 0; base < n * c * h * w; base += h * w) {
    for (let y = 0; y < oh; y++) {
      let j = base + rowStart(y);
      for (let x = 0; x < ow; x++, j += step) out[i++] = src[j];
    }
  }
  return { data: out, dims: [n, c, oh, ow] };
}

/**
 * Adds the inverse transform of `t` (an image in `d`'s orientation) into `acc`, a tensor of the
 * original orientation with `h`×`w` planes.
 */
function accumulateInverse(acc: Float32Array, t: Tensor4, d: Dihedral, h: number, w: number): void {
  const [n, c, th, tw] = t.dims;
  const { oh, ow, step, rowStart } = walk(d, h, w);
  if (th !== oh || tw !== ow || n * c * th * tw !== acc.length) {
    throw new Error(
      `self-ensemble: ${d.name} output is ${tw}×${th}×${n * c}, expected ${ow}×${oh}×${acc.length / (h * w)}`,
    );
  }
  const src = t.data;
  let i = 0;
  for (let base = 0; base < acc.length; base += h * w) {
    for (let y = 0; y < oh; y++) {
      let j = base + rowStart(y);
      for (let x = 0; x < ow; x++, j += step) acc[j] += src[i++];
    }
  }
}

/** The inverse transform: maps an image in `d`'s orientation back to the original one. */
export function invertDihedral(t: Tensor4, d: Dihedral): Tensor4 {
  const [n, c, th, tw] = t.dims;
  const [h, w] = d.transpose ? [tw, th] : [th, tw];
  const out = new Float32Array(t.data.length);
  accumulateInverse(out, t, d, h, w);
  return { data: out, dims: [n, c, h, w] };
}

/**
 * Geometric self-ensemble (EDSR's "+" models, Lim et al. 2017): each tile runs under the 8 flips and
 * rotations, every output is turned back and the 8 are averaged in float (the caller rounds once, as
 * usual). Tiles are transformed individually, so tiling and feathering are unchanged. The identity
 * run's output (the runner's to give away, as session outputs are) becomes the accumulator, so besides
 * it only one transformed input and one model output are alive at a time.
 */
export function selfEnsemble(run: RunTile): RunTile {
  return async (input) => {
    const [, , h, w] = input.dims;
    // A copy: running a tile may transfer its buffer to a worker, and the other 7 still read it.
    const first = await run({ data: input.data.slice(), dims: input.dims });
    const [n, c, oh, ow] = first.dims;
    if (oh % h !== 0 || ow % w !== 0 || oh / h !== ow / w) {
      throw new Error(`self-ensemble: a ${w}×${h} tile gave ${ow}×${oh}`);
    }
    const acc = first.data;
    for (const d of DIHEDRAL) {
      if (d.name === 'identity') continue;
      accumulateInverse(acc, await run(applyDihedral(input, d)), d, oh, ow);
    }
    const k = 1 / DIHEDRAL.length;
    for (let i = 0; i < acc.length; i++) acc[i] *= k;
    return { data: acc, dims: [n, c, oh, ow] };
  };
}
