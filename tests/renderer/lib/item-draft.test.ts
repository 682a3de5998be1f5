import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { QueueItem } from '../../../src/shared/queue';

// Loaded by path (tsconfig.node.json does not list the renderer); the surface is restated here.
interface Draft {
  model: string;
  alpha: number | undefined;
  sizeMode: 'model' | 'scale' | 'width' | 'height';
  scale: number;
  width: number;
  height: number;
  format: '' | 'png' | 'jpeg' | 'webp';
  quality: number;
}
const { draftOf, patchOf } = (await import(
  /* @vite-ignore */ fileURLToPath(
    new URL('../../../src/renderer/lib/item-draft.ts', import.meta.url),
  )
)) as {
  draftOf(item: QueueItem, model: { scale: number } | undefined): Draft;
  patchOf(edits: Partial<Draft>, d: Draft, pair: boolean): Record<string, unknown>;
};

const item: QueueItem = {
  id: 'a',
  input: '/photos/beach.jpg',
  relDir: '',
  placement: { outDir: '/out', nameTemplate: '{name}_x{scale}', onExists: 'suffix' },
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
  height: 428,
  plan: {
    path: '/out/beach_x1.5.jpg',
    fileName: 'beach_x1.5.jpg',
    width: 962,
    height: 642,
    format: 'jpeg',
    scale: 1.5,
  },
  notes: [],
};

describe("the settings panel's draft", () => {
  it("starts at the item's settings; unset sizes at the planned output, α unset", () => {
    expect(draftOf(item, { scale: 4 })).toEqual({
      model: 'photo-x4',
      alpha: undefined,
      sizeMode: 'scale',
      scale: 1.5,
      width: 962,
      height: 642,
      format: '',
      quality: 90,
    });
    const plain = { ...item, settings: { ...item.settings, scale: undefined, height: 900 } };
    expect(draftOf(plain, { scale: 4 })).toMatchObject({
      sizeMode: 'height',
      scale: 4,
      height: 900,
    });
  });

  it('patches only what was edited, resets the other size fields, and α only for pairs', () => {
    const d = draftOf(item, { scale: 4 });
    expect(patchOf({}, d, true)).toEqual({});
    expect(
      patchOf(
        { sizeMode: 'width', width: 1000.4 },
        { ...d, sizeMode: 'width', width: 1000.4 },
        true,
      ),
    ).toEqual({
      width: 1000,
      scale: null,
      height: null,
    });
    expect(patchOf({ sizeMode: 'model' }, { ...d, sizeMode: 'model' }, true)).toEqual({
      scale: null,
      width: null,
      height: null,
    });
    expect(patchOf({ alpha: 0.3 }, { ...d, alpha: 0.3 }, true)).toEqual({ alpha: 0.3 });
    expect(patchOf({ alpha: 0.3 }, { ...d, alpha: 0.3 }, false)).toEqual({});
    expect(patchOf({ format: '' }, d, true)).toEqual({ format: null });
    expect(
      patchOf({ format: 'webp', quality: 80.6 }, { ...d, format: 'webp', quality: 80.6 }, true),
    ).toEqual({
      format: 'webp',
      quality: 81,
    });
  });
});
