import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Loaded by path (tsconfig.node.json does not list the renderer); the surface is restated here.
interface Size {
  width: number;
  height: number;
}
interface Rect extends Size {
  x: number;
  y: number;
}
type Edit =
  { ok: true; alphas: number[] } | { ok: false; reason: { kind: string }; alphas: number[] };

const strip = (await import(
  /* @vite-ignore */ fileURLToPath(
    new URL('../../../src/renderer/lib/compare-strip.ts', import.meta.url),
  )
)) as {
  DEFAULT_STRIP_ALPHAS: readonly number[];
  MAX_STRIP: number;
  MIN_STRIP: number;
  roundAlpha(a: number): number;
  parseAlpha(text: string): { ok: true; value: number } | { ok: false; reason: { kind: string } };
  normaliseAlphas(values: readonly unknown[]): number[];
  addAlpha(alphas: readonly number[], value: number): Edit;
  nextAlpha(alphas: readonly number[]): number | undefined;
  removeAlpha(alphas: readonly number[], index: number): Edit;
  editAlpha(alphas: readonly number[], index: number, text: string): Edit;
  renderOrder(alphas: readonly number[], current: number | undefined): number[];
  stripGrid(n: number, area: Size, image: Size, gap?: number): { columns: number; rows: number };
  stripRects(n: number, area: Size, image: Size, top?: number, gap?: number): Rect[];
  paneAt(rects: readonly Rect[], p: { x: number; y: number }): number;
};

describe('the α set of the strip', () => {
  it('reads typed values with a point or a comma, from 0 to 1, at the dial’s step', () => {
    expect(strip.parseAlpha('0.35')).toEqual({ ok: true, value: 0.35 });
    expect(strip.parseAlpha(' 0,3 ')).toEqual({ ok: true, value: 0.3 });
    expect(strip.parseAlpha('.5')).toEqual({ ok: true, value: 0.5 });
    expect(strip.parseAlpha('1')).toEqual({ ok: true, value: 1 });
    expect(strip.parseAlpha('0.333')).toEqual({ ok: true, value: 0.33 });
    for (const [text, kind] of [
      ['', 'not-a-number'],
      ['abc', 'not-a-number'],
      ['-0.1', 'not-a-number'],
      ['1e-1', 'not-a-number'],
      ['1.5', 'out-of-range'],
      ['2', 'out-of-range'],
    ] as const) {
      const r = strip.parseAlpha(text);
      expect(r.ok, text).toBe(false);
      if (!r.ok) expect(r.reason.kind, text).toBe(kind);
    }
  });

  it('keeps a set sorted, unique at 0.01, within 0–1, at most MAX_STRIP; nothing usable is the default', () => {
    expect(strip.normaliseAlphas([1, 0.5, 0.501, 0, 'x', 2, Number.NaN, -1])).toEqual([0, 0.5, 1]);
    expect(strip.normaliseAlphas([])).toEqual([...strip.DEFAULT_STRIP_ALPHAS]);
    expect(strip.normaliseAlphas(['0.5'])).toEqual([...strip.DEFAULT_STRIP_ALPHAS]);
    const many = Array.from({ length: 20 }, (_, i) => i / 20);
    expect(strip.normaliseAlphas(many)).toHaveLength(strip.MAX_STRIP);
    expect(strip.DEFAULT_STRIP_ALPHAS).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });

  it('adds a value sorted in; refuses a duplicate and a full set', () => {
    expect(strip.addAlpha([0, 0.5, 1], 0.3)).toEqual({ ok: true, alphas: [0, 0.3, 0.5, 1] });
    const dup = strip.addAlpha([0, 0.5, 1], 0.504);
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.reason.kind).toBe('duplicate');
    expect(dup.alphas).toEqual([0, 0.5, 1]);
    const full = Array.from({ length: strip.MAX_STRIP }, (_, i) => i / 10);
    const r = strip.addAlpha(full, 0.95);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason.kind).toBe('too-many');
  });

  it('proposes a missing end first, then the middle of the widest gap', () => {
    expect(strip.nextAlpha([0.5])).toBe(0);
    expect(strip.nextAlpha([0, 0.5])).toBe(1);
    expect(strip.nextAlpha([0, 0.3, 0.5, 0.75, 1])).toBe(0.15);
    expect(strip.nextAlpha([0, 0.25, 0.5, 0.75, 1])).toBe(0.13);
    // Every step taken: nothing to propose.
    expect(strip.nextAlpha(Array.from({ length: 101 }, (_, i) => i / 100))).toBeUndefined();
  });

  it('removes and edits by index; refuses to drop below MIN_STRIP or to make a duplicate', () => {
    expect(strip.removeAlpha([0, 0.5, 1], 1)).toEqual({ ok: true, alphas: [0, 1] });
    const last = strip.removeAlpha([0.5], 0);
    expect(last.ok).toBe(strip.MIN_STRIP < 1);
    expect(strip.editAlpha([0, 0.25, 0.5], 1, '0,9')).toEqual({ ok: true, alphas: [0, 0.5, 0.9] });
    const dup = strip.editAlpha([0, 0.25, 0.5], 1, '0.5');
    expect(dup.ok).toBe(false);
    if (!dup.ok) expect(dup.reason.kind).toBe('duplicate');
    // The value itself, typed again, is no duplicate.
    expect(strip.editAlpha([0, 0.25, 0.5], 1, '0.25').ok).toBe(true);
    const bad = strip.editAlpha([0, 0.25], 0, 'much');
    expect(bad.ok).toBe(false);
    expect(bad.alphas).toEqual([0, 0.25]);
  });
});

describe('the order the strip’s renders are asked for', () => {
  it('the dial’s α first, then from the middle outwards, left before right', () => {
    expect(strip.renderOrder([0, 0.25, 0.5, 0.75, 1], undefined)).toEqual([2, 1, 3, 0, 4]);
    expect(strip.renderOrder([0, 0.25, 0.5, 0.75, 1], 0.75)).toEqual([3, 2, 1, 0, 4]);
    expect(strip.renderOrder([0, 0.25, 0.5, 0.75, 1], 0.8)).toEqual([2, 1, 3, 0, 4]);
    expect(strip.renderOrder([0, 1], 1)).toEqual([1, 0]);
    expect(strip.renderOrder([0, 0.3, 0.6, 1], undefined)).toEqual([1, 2, 0, 3]);
  });

  it('is a permutation of the panes', () => {
    for (let n = 1; n <= strip.MAX_STRIP; n++) {
      const alphas = Array.from({ length: n }, (_, i) => i / 10);
      const order = strip.renderOrder(alphas, alphas[n - 1]);
      expect([...order].sort((a, b) => a - b)).toEqual([...alphas.keys()]);
      expect(order[0]).toBe(n - 1);
    }
  });
});

describe('the strip’s grid', () => {
  it('chooses the grid that shows the photo largest in a pane (worked by hand)', () => {
    // 620 × 558 for a 384 × 256 photo: 5×1 fits it at 0.318, 4×2 at 0.398, 3×2 at 0.534,
    // 2×3 at min(309/384, 184/256) = 0.719, 1×5 at 0.43.
    expect(strip.stripGrid(5, { width: 620, height: 558 }, { width: 384, height: 256 })).toEqual({
      columns: 2,
      rows: 3,
    });
    // A wide window: one row (358 × 300 panes fit 400 × 300 at 0.895; 3×2 only at 0.497).
    expect(strip.stripGrid(5, { width: 1798, height: 300 }, { width: 400, height: 300 })).toEqual({
      columns: 5,
      rows: 1,
    });
    // A tall window: one column.
    expect(strip.stripGrid(3, { width: 300, height: 1200 }, { width: 400, height: 300 })).toEqual({
      columns: 1,
      rows: 3,
    });
  });

  it('lays out equal panes inside the area, apart, in reading order, the last row centred', () => {
    const cases: [number, Size, Size][] = [
      [5, { width: 620, height: 558 }, { width: 384, height: 256 }],
      [5, { width: 1180, height: 900 }, { width: 384, height: 256 }],
      [7, { width: 900, height: 500 }, { width: 100, height: 400 }],
      [1, { width: 300, height: 200 }, { width: 48, height: 32 }],
      [4, { width: 801, height: 601 }, { width: 300, height: 300 }],
    ];
    for (const [n, area, image] of cases) {
      const top = 36;
      const rects = strip.stripRects(n, area, image, top);
      const at = `${n} in ${area.width}×${area.height}`;
      expect(rects, at).toHaveLength(n);
      for (const r of rects) {
        expect(r.width, at).toBe(rects[0].width);
        expect(r.height, at).toBe(rects[0].height);
        expect(r.x, at).toBeGreaterThanOrEqual(0);
        expect(r.y, at).toBeGreaterThanOrEqual(top);
        expect(r.x + r.width, at).toBeLessThanOrEqual(area.width);
        expect(r.y + r.height, at).toBeLessThanOrEqual(top + area.height);
      }
      for (let i = 0; i < n; i++)
        for (let j = i + 1; j < n; j++) {
          const [a, b] = [rects[i], rects[j]];
          const apart =
            a.x + a.width <= b.x ||
            b.x + b.width <= a.x ||
            a.y + a.height <= b.y ||
            b.y + b.height <= a.y;
          expect(apart, `${at}: panes ${i} and ${j}`).toBe(true);
          // Reading order: a later pane is lower, or on the same row to the right.
          expect(b.y > a.y || (b.y === a.y && b.x > a.x), `${at}: order ${i}, ${j}`).toBe(true);
        }
      // The last row's panes are centred: equal room on both sides (to a pixel).
      const lastY = rects[n - 1].y;
      const row = rects.filter((r) => r.y === lastY);
      const left = row[0].x;
      const right = area.width - (row[row.length - 1].x + row[row.length - 1].width);
      expect(Math.abs(left - right), at).toBeLessThanOrEqual(1);
    }
    expect(strip.stripRects(0, { width: 100, height: 100 }, { width: 1, height: 1 })).toEqual([]);
  });

  it('finds the pane under a point, and none in the gaps', () => {
    const rects = strip.stripRects(5, { width: 620, height: 558 }, { width: 384, height: 256 }, 36);
    for (const [i, r] of rects.entries())
      expect(strip.paneAt(rects, { x: r.x + r.width / 2, y: r.y + r.height / 2 })).toBe(i);
    expect(strip.paneAt(rects, { x: rects[0].x + rects[0].width, y: rects[0].y + 1 })).toBe(-1);
    expect(strip.paneAt(rects, { x: 5, y: 10 })).toBe(-1);
  });
});
