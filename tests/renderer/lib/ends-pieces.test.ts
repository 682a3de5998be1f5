import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The renderer module is loaded by path (tsconfig.node.json does not list it); the surface used is
// restated here and svelte-check covers the real signature.

interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface PixelRect {
  x: number;
  y: number;
  width: number;
  height: number;
}
type End = 'fidelity' | 'perceptual';
interface PieceComposer {
  readonly complete: number;
  has(index: number, end: End): boolean;
  place(index: number, end: End, rect: PixelRect, pixels: Uint8ClampedArray): void;
  blend(alpha: number, out: Uint8ClampedArray, all?: boolean): number;
}

const lib = fileURLToPath(new URL('../../../src/renderer/lib/ends-pieces.ts', import.meta.url));
const { PieceComposer, assembledSize, piecePlacement } = (await import(/* @vite-ignore */ lib)) as {
  PieceComposer: new (width: number, height: number) => PieceComposer;
  assembledSize(region: Region, scale: number, k?: number): { w: number; h: number };
  piecePlacement(core: Region, region: Region, scale: number, k?: number): PixelRect;
};

/** Seeded pseudo-random numbers, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/** Cores that partition a region into a grid of `side`-px squares (the last row / column shorter). */
function grid(region: Region, side: number): Region[] {
  const out: Region[] = [];
  for (let y = region.y; y < region.y + region.h; y += side)
    for (let x = region.x; x < region.x + region.w; x += side)
      out.push({
        x,
        y,
        w: Math.min(side, region.x + region.w - x),
        h: Math.min(side, region.y + region.h - y),
      });
  return out;
}

/**
 * A rendered end of the whole region, as the engine's pieces would show it: pixel (x, y) of the
 * assembled image has a value made from its position and the end, so a misplaced piece shows.
 */
const endValue = (end: End, x: number, y: number, c: number): number =>
  c === 3 ? 255 : (x * 7 + y * 13 + c * 31 + (end === 'fidelity' ? 0 : 101)) % 256;

/** One end of one piece, cut from that image at its place. */
function pieceOf(end: End, rect: PixelRect): Uint8ClampedArray {
  const px = new Uint8ClampedArray(rect.width * rect.height * 4);
  for (let y = 0; y < rect.height; y++)
    for (let x = 0; x < rect.width; x++)
      for (let c = 0; c < 4; c++)
        px[(y * rect.width + x) * 4 + c] = endValue(end, rect.x + x, rect.y + y, c);
  return px;
}

/**
 * The naive oracle, pixel by pixel: find the piece whose core holds the pixel's centre (in input
 * px); where both of its ends are in, (1 − α)·f + α·p rounded half up; elsewhere transparent.
 */
function oracle(
  size: { w: number; h: number },
  region: Region,
  scale: number,
  k: number,
  cores: Region[],
  inAll: Set<number>,
  alpha: number,
): Uint8ClampedArray {
  const out = new Uint8ClampedArray(size.w * size.h * 4);
  const f = scale * k;
  for (let y = 0; y < size.h; y++)
    for (let x = 0; x < size.w; x++) {
      const ix = region.x + (x + 0.5) / f;
      const iy = region.y + (y + 0.5) / f;
      const i = cores.findIndex((c) => ix >= c.x && ix < c.x + c.w && iy >= c.y && iy < c.y + c.h);
      if (i < 0 || !inAll.has(i)) continue;
      for (let c = 0; c < 4; c++) {
        const a = endValue('fidelity', x, y, c);
        const b = endValue('perceptual', x, y, c);
        out[(y * size.w + x) * 4 + c] = Math.floor((1 - alpha) * a + alpha * b + 0.5 + 1e-9);
      }
    }
  return out;
}

function firstDifference(a: Uint8ClampedArray, b: Uint8ClampedArray, width: number): string {
  for (let i = 0; i < a.length; i++)
    if (a[i] !== b[i]) {
      const p = i >> 2;
      return `pixel ${p % width},${Math.floor(p / width)} channel ${i & 3}: ${a[i]} vs ${b[i]}`;
    }
  return 'none';
}

describe('ends pieces: placed at (core − region) × scale, blended where both ends are in', () => {
  it('places pieces exactly and blends them, in any arrival order, at full and reduced size', () => {
    const cases = [
      { region: { x: 0, y: 0, w: 40, h: 30 }, scale: 4, k: 1, side: 16 },
      { region: { x: 13, y: 7, w: 50, h: 37 }, scale: 2, k: 1, side: 12 },
      { region: { x: 5, y: 9, w: 61, h: 43 }, scale: 4, k: 0.37, side: 16 },
      { region: { x: 100, y: 0, w: 33, h: 20 }, scale: 3, k: 0.61, side: 10 },
    ];
    for (const [n, c] of cases.entries()) {
      const rnd = random(100 + n);
      const size = assembledSize(c.region, c.scale, c.k);
      const cores = grid(c.region, c.side);
      const composer = new PieceComposer(size.w, size.h);
      const out = new Uint8ClampedArray(size.w * size.h * 4);
      // Both ends of every piece, shuffled; blend at several points along the way.
      const arrivals = cores.flatMap((_, i) => [
        [i, 'fidelity'],
        [i, 'perceptual'],
      ]) as [number, End][];
      for (let i = arrivals.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [arrivals[i], arrivals[j]] = [arrivals[j], arrivals[i]];
      }
      const seen: Record<End, Set<number>> = { fidelity: new Set(), perceptual: new Set() };
      let alpha = 0.3;
      for (const [step, [i, end]] of arrivals.entries()) {
        const rect = piecePlacement(cores[i], c.region, c.scale, c.k);
        composer.place(i, end, rect, pieceOf(end, rect));
        seen[end].add(i);
        expect(composer.has(i, end)).toBe(true);
        if (step % 5 === 4 || step === arrivals.length - 1) {
          if (step % 3 === 0) alpha = Math.round(rnd() * 100) / 100;
          composer.blend(alpha, out);
          const both = new Set([...seen.fidelity].filter((x) => seen.perceptual.has(x)));
          expect(composer.complete).toBe(both.size);
          const want = oracle(size, c.region, c.scale, c.k, cores, both, alpha);
          expect(firstDifference(out, want, size.w), `case ${n}, step ${step}, α ${alpha}`).toBe(
            'none',
          );
        }
      }
      // Every pixel is covered once all pieces are in: nothing is left transparent.
      for (let i = 3; i < out.length; i += 4) expect(out[i]).toBe(255);
    }
  });

  it('at the same α only new pieces are blended again; `all` blends every one', () => {
    const region = { x: 0, y: 0, w: 32, h: 16 };
    const cores = grid(region, 16);
    const composer = new PieceComposer(64, 32);
    const out = new Uint8ClampedArray(64 * 32 * 4);
    for (const end of ['fidelity', 'perceptual'] as const) {
      const rect = piecePlacement(cores[0], region, 2);
      composer.place(0, end, rect, pieceOf(end, rect));
    }
    expect(composer.blend(0.5, out)).toBe(1);
    for (const end of ['fidelity', 'perceptual'] as const) {
      const rect = piecePlacement(cores[1], region, 2);
      composer.place(1, end, rect, pieceOf(end, rect));
    }
    expect(composer.blend(0.5, out)).toBe(1);
    expect(composer.blend(0.5, out, true)).toBe(2);
    expect(composer.blend(0.6, out)).toBe(2);
  });

  it('placements of neighbouring cores meet without a gap or overlap at any reduction', () => {
    const region = { x: 3, y: 5, w: 97, h: 61 };
    for (const k of [1, 0.9, 0.5, 0.333, 0.17]) {
      const size = assembledSize(region, 4, k);
      const cover = new Uint8Array(size.w * size.h);
      for (const core of grid(region, 14)) {
        const r = piecePlacement(core, region, 4, k);
        for (let y = r.y; y < r.y + r.height; y++)
          for (let x = r.x; x < r.x + r.width; x++) cover[y * size.w + x]++;
      }
      expect(
        cover.every((v) => v === 1),
        `k ${k}`,
      ).toBe(true);
    }
  });

  it('refuses pixels that do not fit their place', () => {
    const composer = new PieceComposer(8, 8);
    expect(() =>
      composer.place(0, 'fidelity', { x: 0, y: 0, width: 4, height: 4 }, new Uint8ClampedArray(10)),
    ).toThrow(/10 bytes for a 4×4 place/);
  });
});
