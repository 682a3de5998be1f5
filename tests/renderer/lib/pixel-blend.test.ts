import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The renderer module is loaded by path (tsconfig.node.json does not list it); the surface used is
// restated here and svelte-check covers the real signature.

const rendererLib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}.ts`, import.meta.url));

const { blendBytes } = (await import(/* @vite-ignore */ rendererLib('pixel-blend'))) as {
  blendBytes<T extends Uint8Array | Uint8ClampedArray>(
    a: T,
    b: Uint8Array | Uint8ClampedArray,
    alpha: number,
    out?: T,
  ): T;
};

/** Seeded bytes, so a failure can be replayed. */
function bytes(n: number, seed: number): Uint8ClampedArray {
  const out = new Uint8ClampedArray(n);
  let s = seed >>> 0;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** (1 − α)·a + α·b, rounded half up, for the decimal α the user set. */
const reference = (a: number, b: number, alpha: number): number =>
  Math.round(Math.round(((1 - alpha) * a + alpha * b) * 1e9) / 1e9);

describe('the dial’s pixel blend', () => {
  const a = bytes(64 * 64 * 4, 1);
  const b = bytes(64 * 64 * 4, 2);

  it('is (1 − α)·A + α·B rounded, byte by byte', () => {
    for (const alpha of [0.01, 0.1, 0.25, 0.3, 0.5, 0.63, 0.7, 0.99, 0.123456]) {
      const out = blendBytes(a, b, alpha);
      for (let i = 0; i < a.length; i++) {
        if (out[i] !== reference(a[i], b[i], alpha))
          throw new Error(`α ${alpha}, byte ${i}: ${out[i]} ≠ ${reference(a[i], b[i], alpha)}`);
      }
    }
  });

  it('gives A exactly at α = 0 and B exactly at α = 1', () => {
    const same = (p: Uint8ClampedArray, q: Uint8ClampedArray): boolean =>
      p.length === q.length && p.every((v, i) => v === q[i]);
    expect(same(blendBytes(a, b, 0), a)).toBe(true);
    expect(same(blendBytes(a, b, 1), b)).toBe(true);
  });

  it('covers every pair of byte values, halves included', () => {
    const n = 256 * 256;
    const x = new Uint8Array(n);
    const y = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i >> 8;
      y[i] = i & 255;
    }
    for (const alpha of [0.5, 0.3, 0.75]) {
      const out = blendBytes(x, y, alpha);
      const wrong: string[] = [];
      for (let i = 0; i < n; i++)
        if (out[i] !== reference(x[i], y[i], alpha)) wrong.push(`${x[i]}·${y[i]} → ${out[i]}`);
      expect(wrong, `α ${alpha}`).toEqual([]);
    }
  });

  it('writes into a given array and keeps its type', () => {
    const out = new Uint8ClampedArray(a.length);
    expect(blendBytes(a, b, 0.4, out)).toBe(out);
    expect(out).toBeInstanceOf(Uint8ClampedArray);
    expect(blendBytes(new Uint8Array([10]), new Uint8Array([20]), 0.5)).toBeInstanceOf(Uint8Array);
  });

  it('refuses arrays of different lengths and α outside 0…1', () => {
    expect(() => blendBytes(new Uint8Array(4), new Uint8Array(8), 0.5)).toThrow(/4 and 8/);
    expect(() => blendBytes(a, b, 1.5)).toThrow(/outside/);
    expect(() => blendBytes(a, b, Number.NaN)).toThrow(/outside/);
  });
});
