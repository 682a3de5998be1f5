import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkNameTemplate, plannedOutputPath } from '../../../src/main/engine/queue/output-naming';
import { defaultFormatFor, outputFileName } from '../../../src/shared/output-rules';

// The renderer modules are loaded by path (tsconfig.node.json does not list them); the surface
// used is restated here and svelte-check covers the real signatures.
interface Size {
  width: number;
  height: number;
}
interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}
interface SizeSettings {
  scale?: number;
  width?: number;
  height?: number;
}

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
const geo = (await import(/* @vite-ignore */ rendererLib('compare-geometry'))) as {
  expectedOutputSize(input: Size, s: SizeSettings, modelScale: number): Size;
  chooseLevel(full: Size, displayedSide: number): number | undefined;
  previewRegion(visible: Rect, output: Size, input: Size, maxSide?: number): Region | undefined;
  regionInOutput(region: Region, output: Size, input: Size): Rect;
  PREVIEW_MAX_SIDE: number;
  previewWorthwhile(zoom: number, visibleInput: Region): boolean;
};
const { nameTemplateProblem } = (await import(/* @vite-ignore */ rendererLib('name-template'))) as {
  nameTemplateProblem(template: string): string | undefined;
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

describe('compare geometry', () => {
  it('computes output sizes by the engine rule', () => {
    // Worked by hand: scale wins over a target size; one target side keeps the aspect ratio; two
    // fit inside the box; sides round half up.
    const cases: [Size, SizeSettings, number, Size][] = [
      [{ width: 1000, height: 750 }, {}, 4, { width: 4000, height: 3000 }],
      [{ width: 1000, height: 750 }, { scale: 2 }, 4, { width: 2000, height: 1500 }],
      [{ width: 1001, height: 667 }, { scale: 1.5 }, 4, { width: 1502, height: 1001 }],
      [{ width: 1000, height: 750 }, { width: 1920 }, 4, { width: 1920, height: 1440 }],
      [{ width: 1000, height: 750 }, { height: 1080 }, 2, { width: 1440, height: 1080 }],
      [
        { width: 1000, height: 750 },
        { width: 1920, height: 1920 },
        4,
        { width: 1920, height: 1440 },
      ],
      [{ width: 333, height: 999 }, { width: 500, height: 500 }, 4, { width: 167, height: 500 }],
      [{ width: 640, height: 480 }, { scale: 3, width: 100 }, 4, { width: 1920, height: 1440 }],
    ];
    for (const [input, s, m, want] of cases)
      expect(geo.expectedOutputSize(input, s, m)).toEqual(want);
  });

  it('asks for the smallest copy sharp enough, the full image when it is small enough', () => {
    const big = { width: 8000, height: 6000 }; // 48 MP: too large to load whole
    expect(geo.chooseLevel(big, 1000)).toBe(2048);
    expect(geo.chooseLevel(big, 3000)).toBe(4096);
    expect(geo.chooseLevel(big, 50_000)).toBe(8192);
    const photo = { width: 6000, height: 4000 }; // 24 MP
    expect(geo.chooseLevel(photo, 1000)).toBe(2048);
    expect(geo.chooseLevel(photo, 7000)).toBeUndefined();
    expect(geo.chooseLevel({ width: 1500, height: 1000 }, 500)).toBeUndefined();
    // 384 MP (a 24 MP photo at ×4): never whole.
    expect(geo.chooseLevel({ width: 24000, height: 16000 }, 1e6)).toBe(8192);
  });

  it('previews the input region behind the visible output, in whole input pixels', () => {
    const input = { width: 1000, height: 750 };
    const output = { width: 4000, height: 3000 };
    expect(geo.previewRegion({ x: 400, y: 402, width: 800, height: 397 }, output, input)).toEqual({
      x: 100,
      y: 100,
      w: 200,
      h: 100,
    });
    const r = { x: 100, y: 100, w: 200, h: 100 };
    expect(geo.regionInOutput(r, output, input)).toEqual({
      x: 400,
      y: 400,
      width: 800,
      height: 400,
    });
    expect(geo.previewRegion({ x: 0, y: 0, width: 0, height: 10 }, output, input)).toBeUndefined();
  });

  it('cuts a large visible region down around its centre, inside the image', () => {
    const input = { width: 3000, height: 2000 };
    const output = { width: 12000, height: 8000 };
    const all = { x: 0, y: 0, width: 12000, height: 8000 };
    expect(geo.previewRegion(all, output, input)).toEqual({ x: 988, y: 488, w: 1024, h: 1024 });
    const corner = { x: 0, y: 0, width: 6000, height: 6000 };
    expect(geo.previewRegion(corner, output, input, 512)).toEqual({
      x: 494,
      y: 494,
      w: 512,
      h: 512,
    });
    // A rectangle reaching past the image still gives a region inside it.
    const edge = { x: 11950, y: 7950, width: 500, height: 500 };
    expect(geo.previewRegion(edge, output, input, 10)).toEqual({ x: 2990, y: 1990, w: 10, h: 10 });
    expect(geo.PREVIEW_MAX_SIDE).toBe(1024);
  });
});

describe('when a preview is worth rendering', () => {
  it('from 50 % up, or when little of the photo is on screen', () => {
    const big = { x: 0, y: 0, w: 4000, h: 3000 };
    expect(geo.previewWorthwhile(0.2, big)).toBe(false);
    expect(geo.previewWorthwhile(0.5, { x: 0, y: 0, w: 500, h: 400 })).toBe(true);
    expect(geo.previewWorthwhile(0.1, { x: 0, y: 0, w: 200, h: 150 })).toBe(true);
  });
});

describe('output names before start', () => {
  it('names files as the engine will', () => {
    const cases: [string, string, { scale: number; model: string; alpha?: number }, string][] = [
      ['{name}_x{scale}', '/p/beach.jpg', { scale: 4, model: 'photo-x4' }, 'beach_x4.jpg'],
      ['{name}_x{scale}', '/p/beach.final.PNG', { scale: 1.5, model: 'm' }, 'beach.final_x1.5.png'],
      [
        '{name}-{model}-a{alpha}',
        'C:/p/IMG_1.webp',
        { scale: 2, model: 'dial', alpha: 0.63 },
        'IMG_1-dial-a0.63.webp',
      ],
      ['{name}-{alpha}', '/p/x.tiff', { scale: 2, model: 'one' }, 'x-.png'],
    ];
    for (const [template, input, values, want] of cases) {
      const format = defaultFormatFor(input);
      expect(outputFileName(template, input, values, format)).toBe(want);
      // The engine's output path ends in the same name the renderer shows.
      const planned = plannedOutputPath(input, '/out', '', template, values, format);
      expect(basename(planned)).toBe(want);
    }
  });

  it('accepts and refuses the templates the engine does', () => {
    for (const t of [
      '{name}',
      '{name}_x{scale}',
      'up-{name}-{model}-{alpha}',
      '{nam}',
      'a/{name}',
      '..{name}',
      'x',
      '{name}{size}',
    ]) {
      let engine: string | undefined;
      try {
        checkNameTemplate(t);
      } catch (err) {
        engine = (err as Error).message;
      }
      expect(nameTemplateProblem(t) === undefined, t).toBe(engine === undefined);
    }
  });
});
