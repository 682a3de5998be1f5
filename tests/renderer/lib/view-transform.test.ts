import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// tsconfig.node.json (which type-checks tests) does not list these renderer modules, so they are
// loaded by path and the surface used is restated here; svelte-check covers the real signatures.
interface Size {
  width: number;
  height: number;
}
interface Point {
  x: number;
  y: number;
}
interface Rect extends Point, Size {}
interface ViewTransform {
  zoom: number;
  x: number;
  y: number;
}

const rendererLib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}.ts`, import.meta.url));

const vt = (await import(/* @vite-ignore */ rendererLib('view-transform'))) as {
  MAX_ZOOM: number;
  fitZoom(image: Size, viewport: Size): number;
  zoomLimits(image: Size, viewport: Size): { min: number; max: number };
  clampZoom(zoom: number, image: Size, viewport: Size): number;
  clampPan(t: ViewTransform, image: Size, viewport: Size): ViewTransform;
  fitTransform(image: Size, viewport: Size): ViewTransform;
  screenToImage(t: ViewTransform, p: Point): Point;
  imageToScreen(t: ViewTransform, p: Point): Point;
  zoomAround(
    t: ViewTransform,
    zoom: number,
    anchor: Point,
    image: Size,
    viewport: Size,
  ): ViewTransform;
  zoomCentred(t: ViewTransform, zoom: number, image: Size, viewport: Size): ViewTransform;
  panBy(t: ViewTransform, dx: number, dy: number, image: Size, viewport: Size): ViewTransform;
  reframe(t: ViewTransform, from: Size, to: Size, image: Size): ViewTransform;
  visibleImageRect(t: ViewTransform, image: Size, viewport: Size): Rect;
  stepZoom(zoom: number, direction: 1 | -1, fit: number): number;
  wheelFactor(deltaY: number, deltaMode?: number): number;
  cssTransform(t: ViewTransform): string;
  isPixelated(zoom: number): boolean;
  formatZoom(zoom: number): string;
  paneRects(mode: 'split' | 'side', view: Size, gap?: number): Rect[];
};

const photo: Size = { width: 4000, height: 3000 };
const view: Size = { width: 800, height: 600 };

function expectPoint(a: Point, b: Point, digits = 6): void {
  expect(a.x).toBeCloseTo(b.x, digits);
  expect(a.y).toBeCloseTo(b.y, digits);
}

describe('fit', () => {
  it('fits the whole image and centres it', () => {
    expect(vt.fitZoom(photo, view)).toBe(0.2);
    expect(vt.fitTransform(photo, view)).toEqual({ zoom: 0.2, x: 0, y: 0 });
    // A wider viewport: height limits, the image is centred horizontally.
    expect(vt.fitTransform(photo, { width: 1000, height: 600 })).toEqual({
      zoom: 0.2,
      x: 100,
      y: 0,
    });
  });

  it('enlarges small images to fit, and allows 100 % for them', () => {
    const tiny = { width: 64, height: 48 };
    expect(vt.fitZoom(tiny, view)).toBe(12.5);
    expect(vt.zoomLimits(tiny, view)).toEqual({ min: 1, max: 16 });
    expect(vt.zoomLimits(photo, view)).toEqual({ min: 0.2, max: vt.MAX_ZOOM });
  });
});

describe('zoom around a point', () => {
  it('keeps the image point under the cursor where it is', () => {
    const fit = vt.fitTransform(photo, view);
    const cursor = { x: 310, y: 245 };
    const before = vt.screenToImage(fit, cursor);
    for (const zoom of [0.5, 1, 4, 16]) {
      const t = vt.zoomAround(fit, zoom, cursor, photo, view);
      expect(t.zoom).toBe(zoom);
      expectPoint(vt.screenToImage(t, cursor), before);
    }
  });

  it('keeps the point while zooming in steps from one zoom to the next', () => {
    let t = vt.zoomCentred(vt.fitTransform(photo, view), 2, photo, view);
    const cursor = { x: 123, y: 456 };
    const p = vt.screenToImage(t, cursor);
    for (let i = 0; i < 5; i++) {
      t = vt.zoomAround(t, t.zoom * vt.wheelFactor(-100), cursor, photo, view);
      expectPoint(vt.screenToImage(t, cursor), p);
    }
    expect(t.zoom).toBeGreaterThan(2);
  });

  it('clamps the zoom to fit … 1600 %', () => {
    expect(vt.clampZoom(100, photo, view)).toBe(16);
    expect(vt.clampZoom(0.01, photo, view)).toBe(0.2);
    const t = vt.zoomAround(vt.fitTransform(photo, view), 64, { x: 400, y: 300 }, photo, view);
    expect(t.zoom).toBe(16);
  });

  it('zooming out near an edge pulls the image back over the viewport', () => {
    const t = vt.zoomAround({ zoom: 1, x: -3200, y: -2400 }, 0.25, { x: 0, y: 0 }, photo, view);
    expect(t.zoom).toBe(0.25);
    // 1000 × 750 at 25 %: no gap may open on the right or at the bottom.
    expect(t.x).toBe(800 - 1000);
    expect(t.y).toBe(600 - 750);
  });
});

describe('pan', () => {
  it('stops at the image edges', () => {
    const t = { zoom: 1, x: 0, y: 0 };
    expect(vt.panBy(t, 500, 500, photo, view)).toEqual({ zoom: 1, x: 0, y: 0 });
    expect(vt.panBy(t, -1e6, -1e6, photo, view)).toEqual({ zoom: 1, x: -3200, y: -2400 });
    expect(vt.panBy(t, -150, -20, photo, view)).toEqual({ zoom: 1, x: -150, y: -20 });
  });

  it('centres an axis where the image is smaller than the viewport', () => {
    const t = vt.panBy({ zoom: 0.1, x: 0, y: 0 }, 999, 999, photo, view);
    expect(t).toEqual({ zoom: 0.1, x: 200, y: 150 });
  });
});

describe('coordinates', () => {
  it('screen → image → screen is the identity', () => {
    const t = { zoom: 3.7, x: -1234.5, y: -987.25 };
    for (const p of [
      { x: 0, y: 0 },
      { x: 799, y: 599 },
      { x: 123.25, y: 45.5 },
    ]) {
      expectPoint(vt.imageToScreen(t, vt.screenToImage(t, p)), p, 9);
      expectPoint(vt.screenToImage(t, vt.imageToScreen(t, p)), p, 9);
    }
  });

  it('knows what part of the image is visible', () => {
    expect(vt.visibleImageRect({ zoom: 4, x: -4000, y: -2000 }, photo, view)).toEqual({
      x: 1000,
      y: 500,
      width: 200,
      height: 150,
    });
    expect(vt.visibleImageRect(vt.fitTransform(photo, view), photo, view)).toEqual({
      x: 0,
      y: 0,
      width: 4000,
      height: 3000,
    });
  });

  it('draws with one CSS transform from the top-left corner', () => {
    expect(vt.cssTransform({ zoom: 4, x: -12.3456, y: 7 })).toBe(
      'translate(-12.346px, 7px) scale(4)',
    );
  });
});

describe('both panes share one transform', () => {
  it('side by side: equal panes, so a point in one pane is the same image point in the other', () => {
    const [a, b] = vt.paneRects('side', { width: 1602, height: 600 });
    expect(a.width).toBe(b.width);
    expect(a.height).toBe(b.height);
    expect(b.x).toBeGreaterThanOrEqual(a.x + a.width);
    const pane = { width: a.width, height: a.height };
    const t = vt.zoomAround(vt.fitTransform(photo, pane), 4, { x: 300, y: 200 }, photo, pane);
    // The same transform is applied in both panes; a cursor at the same pane-local point
    // addresses the same image pixel on either side.
    const toLocal = (r: Rect, p: Point): Point => ({ x: p.x - r.x, y: p.y - r.y });
    const inA = vt.screenToImage(t, toLocal(a, { x: a.x + 411, y: 277 }));
    const inB = vt.screenToImage(t, toLocal(b, { x: b.x + 411, y: 277 }));
    expect(inA).toEqual(inB);
    expect(vt.imageToScreen(t, inA)).toEqual({ x: 411, y: 277 });
  });

  it('split: one pane covers the whole view', () => {
    expect(vt.paneRects('split', { width: 1000, height: 500 })).toEqual([
      { x: 0, y: 0, width: 1000, height: 500 },
    ]);
  });

  it('switching layout keeps the zoom and the image point in the middle', () => {
    const full = { width: 1600, height: 600 };
    const half = { width: 799, height: 600 };
    const t = vt.zoomAround(vt.fitTransform(photo, full), 4, { x: 700, y: 300 }, photo, full);
    const centre = vt.screenToImage(t, { x: 800, y: 300 });
    const r = vt.reframe(t, full, half, photo);
    expect(r.zoom).toBe(4);
    expectPoint(vt.screenToImage(r, { x: 399.5, y: 300 }), centre);
  });
});

describe('zoom steps', () => {
  it('+ and − walk the stops, fit included; 100 %, 400 % and 1600 % are stops', () => {
    const fit = 0.2;
    const up: number[] = [];
    let z = fit;
    for (let i = 0; i < 12 && z < 16; i++) up.push((z = vt.stepZoom(z, 1, fit)));
    expect(up).toContain(1);
    expect(up).toContain(4);
    expect(up[up.length - 1]).toBe(16);
    expect(up).toEqual([...up].sort((a, b) => a - b));
    expect(vt.stepZoom(16, 1, fit)).toBe(16);
    expect(vt.stepZoom(1, -1, fit)).toBeCloseTo(2 / 3);
    expect(vt.stepZoom(0.3, -1, fit)).toBe(0.25);
    expect(vt.stepZoom(0.25, -1, fit)).toBe(fit);
  });

  it('labels zoom levels', () => {
    expect(vt.formatZoom(1)).toBe('100 %');
    expect(vt.formatZoom(4)).toBe('400 %');
    expect(vt.formatZoom(16)).toBe('1600 %');
    expect(vt.formatZoom(1 / 3)).toBe('33 %');
    expect(vt.formatZoom(1 / 32)).toBe('3.1 %');
  });

  it('draws pixels as squares from 100 % up', () => {
    expect(vt.isPixelated(1)).toBe(true);
    expect(vt.isPixelated(4)).toBe(true);
    expect(vt.isPixelated(0.99)).toBe(false);
  });

  it('one wheel notch in and out comes back to the same zoom', () => {
    expect(vt.wheelFactor(100) * vt.wheelFactor(-100)).toBeCloseTo(1, 12);
    expect(vt.wheelFactor(-100)).toBeGreaterThan(1);
    // Lines (Firefox) count as ~33 px; huge deltas are limited.
    expect(vt.wheelFactor(3, 1)).toBeCloseTo(vt.wheelFactor(99), 12);
    expect(vt.wheelFactor(-10_000)).toBe(2);
  });
});
