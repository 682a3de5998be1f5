import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { ModelInfo } from '../../../src/shared/model-manifest';
import type { OutputPlan, QueueItem } from '../../../src/shared/queue';

// The renderer modules are loaded by path (tsconfig.node.json does not list them); the surface
// used is restated here and svelte-check covers the real signatures.
interface Size {
  width: number;
  height: number;
}
const rendererLib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}.ts`, import.meta.url));

const out = (await import(/* @vite-ignore */ rendererLib('item-output'))) as {
  itemOutputSize(item: Pick<QueueItem, 'plan' | 'outWidth' | 'outHeight'>): Size | undefined;
  itemInputSize(item: Pick<QueueItem, 'width' | 'height'>): Size | undefined;
  planFolder(plan: Pick<OutputPlan, 'path' | 'fileName'>): string;
  formatLabel(format: OutputPlan['format']): string;
};
const { compareSubject } = (await import(/* @vite-ignore */ rendererLib('compare-subject'))) as {
  compareSubject(
    item: QueueItem,
    model: Pick<ModelInfo, 'pair'> | undefined,
  ):
    | {
        id: string;
        input: Size;
        output: Size;
        done: boolean;
        pair: boolean;
        exportAlpha: number | undefined;
        viewKey: string;
        outputKey: string;
      }
    | undefined;
};

// A 641 × 427 photo at ×1.5, planned by the engine: round(641 · 1.5) = round(961.5) = 962,
// round(427 · 1.5) = round(640.5) = 641.
const plan: OutputPlan = {
  path: '/photos/upscaled/beach_x1.5.png',
  fileName: 'beach_x1.5.png',
  width: 962,
  height: 641,
  format: 'png',
  scale: 1.5,
};
const item: QueueItem = {
  id: 'a',
  input: '/photos/beach.png',
  relDir: '',
  placement: { outDir: '/photos/upscaled', nameTemplate: '{name}_x{scale}', onExists: 'suffix' },
  settings: {
    model: 'photo-x4',
    scale: 1.5,
    keepMetadata: 'all',
    transparency: 'resize',
    tta: false,
    device: 'auto',
    precision: 'auto',
  },
  state: 'waiting',
  width: 641,
  height: 427,
  plan,
  notes: [],
};

describe("an item's output, as the engine planned and wrote it", () => {
  it('is the plan until the output exists, then what was written', () => {
    expect(out.itemOutputSize(item)).toEqual({ width: 962, height: 641 });
    expect(out.itemOutputSize({ ...item, outWidth: 960, outHeight: 640 })).toEqual({
      width: 960,
      height: 640,
    });
    expect(out.itemOutputSize({ ...item, plan: undefined })).toBeUndefined();
    expect(out.itemInputSize(item)).toEqual({ width: 641, height: 427 });
    expect(out.itemInputSize({ width: 641, height: undefined })).toBeUndefined();
  });

  it("takes the plan's folder from its path, with the engine's own separator", () => {
    expect(out.planFolder(plan)).toBe('/photos/upscaled');
    expect(out.planFolder({ path: 'D:\\Fotos\\up\\a_x2.jpg', fileName: 'a_x2.jpg' })).toBe(
      'D:\\Fotos\\up',
    );
    // Root folders keep their separator (C: alone would mean "the current folder on C:").
    expect(out.planFolder({ path: '/a_x2.jpg', fileName: 'a_x2.jpg' })).toBe('/');
    expect(out.planFolder({ path: 'C:\\a_x2.jpg', fileName: 'a_x2.jpg' })).toBe('C:\\');
  });

  it('names formats as people write them', () => {
    expect(['png', 'jpeg', 'webp'].map((f) => out.formatLabel(f as OutputPlan['format']))).toEqual([
      'PNG',
      'JPEG',
      'WebP',
    ]);
  });
});

describe('the compare view’s facts of an item', () => {
  const pair = { pair: { fidelity: 'f', perceptual: 'p', defaultAlpha: 0.8 } };

  it("draws both panes at the planned size and dials at the pair's α unless the item has one", () => {
    const s = compareSubject(item, pair)!;
    expect(s).toMatchObject({
      input: { width: 641, height: 427 },
      output: { width: 962, height: 641 },
      done: false,
      pair: true,
      exportAlpha: 0.8,
      outputKey: '',
    });
    expect(
      compareSubject({ ...item, settings: { ...item.settings, alpha: 0.3 } }, pair),
    ).toMatchObject({ exportAlpha: 0.3 });
    expect(compareSubject(item, { pair: undefined })).toMatchObject({
      pair: false,
      exportAlpha: undefined,
    });
  });

  it('starts a new view when the size changes, and a new output layer once it is written', () => {
    const waiting = compareSubject(item, pair)!;
    const done = compareSubject(
      { ...item, state: 'done', output: plan.path, outWidth: 962, outHeight: 641 },
      pair,
    )!;
    expect(done.viewKey).toBe(waiting.viewKey);
    expect(done.outputKey).toBe(done.viewKey);
    const other = compareSubject({ ...item, plan: { ...plan, width: 1282, height: 854 } }, pair)!;
    expect(other.viewKey).not.toBe(waiting.viewKey);
    expect(compareSubject({ ...item, plan: undefined }, pair)).toBeUndefined();
  });
});
