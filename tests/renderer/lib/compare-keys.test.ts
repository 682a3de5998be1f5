import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Loaded by path (tsconfig.node.json does not list the renderer); the surface is restated here.
const keys = (await import(
  /* @vite-ignore */ fileURLToPath(
    new URL('../../../src/renderer/lib/compare-keys.ts', import.meta.url),
  )
)) as {
  zoomKeyAction(key: string): 'in' | 'out' | 'fit' | 'actual' | undefined;
  panKeyMove(key: string, shift: boolean): [number, number] | undefined;
  dividerKeyMove(key: string, shift: boolean, divider: number): number | undefined;
};

describe('the compare view’s keys', () => {
  it('zoom: + and = in, - and _ out, 0 fits, 1 is 100 %', () => {
    const got = ['+', '=', '-', '_', '0', '1', '2', 'a'].map(keys.zoomKeyAction);
    expect(got).toEqual(['in', 'in', 'out', 'out', 'fit', 'actual', undefined, undefined]);
  });

  it('arrows move the image the other way (the view moves the arrow’s way), Shift further', () => {
    expect(keys.panKeyMove('ArrowLeft', false)).toEqual([50, 0]);
    expect(keys.panKeyMove('ArrowRight', false)).toEqual([-50, 0]);
    expect(keys.panKeyMove('ArrowUp', true)).toEqual([0, 200]);
    expect(keys.panKeyMove('ArrowDown', true)).toEqual([0, -200]);
    expect(keys.panKeyMove('Enter', false)).toBeUndefined();
  });

  it('the divider moves by 2 % (Shift 10 %), Home and End go to the edges, never past them', () => {
    expect(keys.dividerKeyMove('ArrowLeft', false, 0.5)).toBeCloseTo(0.48, 12);
    expect(keys.dividerKeyMove('ArrowRight', true, 0.5)).toBeCloseTo(0.6, 12);
    expect(keys.dividerKeyMove('ArrowRight', true, 0.95)).toBe(1);
    expect(keys.dividerKeyMove('ArrowLeft', false, 0.01)).toBe(0);
    expect(keys.dividerKeyMove('Home', false, 0.7)).toBe(0);
    expect(keys.dividerKeyMove('End', false, 0.2)).toBe(1);
    expect(keys.dividerKeyMove('ArrowUp', false, 0.5)).toBeUndefined();
  });
});
