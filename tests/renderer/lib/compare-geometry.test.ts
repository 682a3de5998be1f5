import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The renderer module is loaded by path (tsconfig.node.json does not list it); the surface used is
// restated here and svelte-check covers the real signatures.
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

const geo = (await import(
  /* @vite-ignore */ fileURLToPath(
    new URL('../../../src/renderer/lib/compare-geometry.ts', import.meta.url),
  )
)) as {
  chooseLevel(full: Size, displayedSide: number): number | undefined;
  previewRegion(visible: Rect, output: Size, input: Size, maxSide?: number): Region | undefined;
  regionInOutput(region: Region, output: Size, input: Size): Rect;
  PREVIEW_MAX_SIDE: number;
  previewWorthwhile(zoom: number, visibleInput: Region): boolean;
  previewWish(
    visible: Rect,
    zoom: number,
    output: Size,
    input: Size,
  ): { region: Region | undefined; zoomedOut: boolean };
  originalPixel(p: { x: number; y: number }, output: Size, input: Size): { x: number; y: number };
};

describe('compare geometry', () => {
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

  it('previews what is visible, or asks to zoom in when too much of a large photo is', () => {
    const input = { width: 1000, height: 750 };
    const output = { width: 4000, height: 3000 };
    // At 50 % and up the visible region is previewed (cut to the API's largest side).
    expect(geo.previewWish({ x: 400, y: 402, width: 800, height: 397 }, 1, output, input)).toEqual({
      region: { x: 100, y: 100, w: 200, h: 100 },
      zoomedOut: false,
    });
    // The whole photo at 20 %: 1000 × 750 input px on screen, not worth a render.
    const all = { x: 0, y: 0, width: 4000, height: 3000 };
    expect(geo.previewWish(all, 0.2, output, input)).toEqual({
      region: undefined,
      zoomedOut: true,
    });
    // Nothing visible: no region, and no reason to ask for a zoom.
    expect(geo.previewWish({ x: 0, y: 0, width: 0, height: 0 }, 1, output, input)).toEqual({
      region: undefined,
      zoomedOut: false,
    });
  });

  it('maps an output pixel to the original pixel under it', () => {
    const input = { width: 641, height: 427 };
    const output = { width: 962, height: 641 };
    expect(geo.originalPixel({ x: 0, y: 0 }, output, input)).toEqual({ x: 0, y: 0 });
    // 961·641/962 = 640.33…, 640·427/641 = 426.33…: the last pixels map to the last pixels.
    expect(geo.originalPixel({ x: 961, y: 640 }, output, input)).toEqual({ x: 640, y: 426 });
    expect(geo.originalPixel({ x: 3, y: 3 }, output, input)).toEqual({ x: 1, y: 1 });
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
