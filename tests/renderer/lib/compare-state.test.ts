import { describe, expect, it } from 'vitest';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// ---- the surface used, restated (tsconfig.node.json does not list the renderer) ----

interface Size {
  width: number;
  height: number;
}
interface ViewTransform {
  zoom: number;
  x: number;
  y: number;
}
interface CompareState {
  readonly mode: 'split' | 'side';
  readonly pane: Size;
  readonly image: Size;
  readonly view: ViewTransform;
  readonly fitted: boolean;
  readonly divider: number;
  readonly settledAt: number;
  readonly fit: number;
  readonly visible: { x: number; y: number; width: number; height: number };
  setImage(size: Size): void;
  showPhoto(size: Size): void;
  setDivider(divider: number): void;
  setPane(size: Size): void;
  setMode(mode: 'split' | 'side'): void;
  fitView(): void;
  zoomTo(zoom: number): void;
  zoomStep(direction: 1 | -1): void;
  wheel(deltaY: number, deltaMode: number, at: { x: number; y: number }): void;
  pan(dx: number, dy: number): void;
  settle(): void;
}

const { CompareState } = (await loadSvelteModule(rendererLib('compare-state.svelte.ts'))) as {
  CompareState: new () => CompareState;
};

describe('CompareState: one view for both panes', () => {
  it('fits a new image, zooms by steps and keeps the wheel point', () => {
    const c = new CompareState();
    c.setPane({ width: 800, height: 600 });
    c.setImage({ width: 4000, height: 3000 });
    expect(c.view).toEqual({ zoom: 0.2, x: 0, y: 0 });
    expect(c.fitted).toBe(true);
    c.zoomTo(4);
    expect(c.view.zoom).toBe(4);
    expect(c.fitted).toBe(false);
    expect(c.visible).toEqual({ x: 1900, y: 1425, width: 200, height: 150 });
    const at = { x: 100, y: 50 };
    const before = { x: (at.x - c.view.x) / c.view.zoom, y: (at.y - c.view.y) / c.view.zoom };
    c.wheel(-100, 0, at);
    const after = { x: (at.x - c.view.x) / c.view.zoom, y: (at.y - c.view.y) / c.view.zoom };
    expect(after.x).toBeCloseTo(before.x, 9);
    expect(after.y).toBeCloseTo(before.y, 9);
    c.zoomStep(1);
    c.zoomStep(1);
    c.zoomStep(1);
    c.zoomStep(1);
    c.zoomStep(1);
    expect(c.view.zoom).toBe(16);
  });

  it('keeps zoom and centre when the layout changes; stays fitted while fitted', () => {
    const c = new CompareState();
    c.setPane({ width: 1600, height: 600 });
    c.setImage({ width: 4000, height: 3000 });
    c.setPane({ width: 799, height: 600 });
    expect(c.fitted).toBe(true);
    expect(c.view.zoom).toBeCloseTo(c.fit);
    c.setPane({ width: 1600, height: 600 });
    c.zoomTo(4);
    c.pan(-500, -100);
    const centre = {
      x: (800 - c.view.x) / c.view.zoom,
      y: (300 - c.view.y) / c.view.zoom,
    };
    c.setMode('side');
    c.setPane({ width: 799, height: 600 });
    expect(c.view.zoom).toBe(4);
    expect((399.5 - c.view.x) / 4).toBeCloseTo(centre.x, 9);
    expect((300 - c.view.y) / 4).toBeCloseTo(centre.y, 9);
  });

  it('fits each new photo, even one of the same size, and ends the gesture', () => {
    const c = new CompareState();
    c.setPane({ width: 800, height: 600 });
    c.showPhoto({ width: 4000, height: 3000 });
    c.zoomTo(4);
    const n = c.settledAt;
    c.showPhoto({ width: 4000, height: 3000 });
    expect(c.view).toEqual({ zoom: 0.2, x: 0, y: 0 });
    expect(c.fitted).toBe(true);
    expect(c.settledAt).toBe(n + 1);
  });

  it('keeps the split inside the viewport', () => {
    const c = new CompareState();
    expect(c.divider).toBe(0.5);
    c.setDivider(0.25);
    expect(c.divider).toBe(0.25);
    c.setDivider(-3);
    expect(c.divider).toBe(0);
    c.setDivider(1.2);
    expect(c.divider).toBe(1);
  });

  it('counts settled gestures, for the preview of the visible region', () => {
    const c = new CompareState();
    const n = c.settledAt;
    c.settle();
    expect(c.settledAt).toBe(n + 1);
  });
});
