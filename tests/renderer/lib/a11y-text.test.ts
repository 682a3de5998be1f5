import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Loaded by path: tsconfig.node.json does not list src/renderer (see renderer-lib.test.ts).
const lib = fileURLToPath(new URL('../../../src/renderer/lib/a11y-text.ts', import.meta.url));
const { alphaValueText, batchEndText, progressPercent, progressValueText, tilesDetail } =
  (await import(/* @vite-ignore */ lib)) as {
    alphaValueText(alpha: number): string;
    progressPercent(fraction: number): number;
    progressValueText(fraction: number, detail?: string): string;
    tilesDetail(tile: number, tiles: number): string;
    batchEndText(c: { done: number; skipped: number; failed: number; cancelled: number }): string;
  };

describe('the α dial as a screen reader hears it', () => {
  it('names the value and which end it is nearer', () => {
    expect(alphaValueText(0.35)).toBe('α 0.35, closer to fidelity');
    expect(alphaValueText(0.8)).toBe('α 0.80, closer to GAN detail');
    expect(alphaValueText(0.49)).toBe('α 0.49, closer to fidelity');
    expect(alphaValueText(0.51)).toBe('α 0.51, closer to GAN detail');
  });

  it('says the ends and the middle by name, at the dial’s two decimals', () => {
    expect(alphaValueText(0)).toBe('α 0.00, fidelity only');
    expect(alphaValueText(0.004)).toBe('α 0.00, fidelity only');
    expect(alphaValueText(1)).toBe('α 1.00, GAN detail only');
    expect(alphaValueText(0.5)).toBe('α 0.50, halfway');
    // Out of range is clamped, never read as more than the ends.
    expect(alphaValueText(-0.2)).toBe('α 0.00, fidelity only');
    expect(alphaValueText(1.3)).toBe('α 1.00, GAN detail only');
  });
});

describe('progress bars as a screen reader hears them', () => {
  it('a whole percentage, clamped to 0–100', () => {
    expect(progressPercent(0)).toBe(0);
    expect(progressPercent(3 / 7)).toBe(43);
    expect(progressPercent(0.999)).toBe(100);
    expect(progressPercent(-1)).toBe(0);
    expect(progressPercent(2)).toBe(100);
  });

  it('the percentage, then what it counts', () => {
    expect(progressValueText(0.42)).toBe('42 %');
    expect(progressValueText(3 / 7, tilesDetail(3, 7))).toBe('43 %, 3 of 7 tiles');
    expect(progressValueText(1, tilesDetail(1, 1))).toBe('100 %, 1 of 1 tile');
    // The tile in flight can be reported past the last one: never "8 of 7".
    expect(tilesDetail(8, 7)).toBe('7 of 7 tiles');
    expect(progressValueText(0.5, '')).toBe('50 %');
  });
});

describe('the end of a batch, announced', () => {
  it('finished, with failures, or stopped', () => {
    expect(batchEndText({ done: 4, skipped: 0, failed: 0, cancelled: 0 })).toBe(
      'Queue finished: 4 done.',
    );
    expect(batchEndText({ done: 2, skipped: 1, failed: 1, cancelled: 0 })).toBe(
      'Queue finished with failures: 3 done, 1 failed.',
    );
    expect(batchEndText({ done: 1, skipped: 0, failed: 0, cancelled: 2 })).toBe(
      'Queue stopped: 1 done, 2 cancelled.',
    );
    expect(batchEndText({ done: 0, skipped: 0, failed: 2, cancelled: 1 })).toBe(
      'Queue finished with failures: 0 done, 2 failed, 1 cancelled.',
    );
  });
});
