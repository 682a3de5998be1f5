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
  format: '' | 'png' | 'jpeg' | 'webp' | 'tiff' | 'avif';
  quality: number;
  compression: '' | 'deflate' | 'lzw' | 'none';
  bitDepth: number;
  keepPrintSize: boolean;
}
const { draftOf, patchOf } = (await import(
  /* @vite-ignore */ fileURLToPath(
    new URL('../../../src/renderer/lib/item-draft.ts', import.meta.url),
  )
)) as {
  draftOf(item: QueueItem, model: { scale: number } | undefined): Draft;
  patchOf(
    edits: Partial<Draft>,
    d: Draft,
    pair: boolean,
    inputFormat?: 'png' | 'jpeg' | 'webp' | 'tiff' | 'avif',
  ): Record<string, unknown>;
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
      compression: '',
      bitDepth: 0,
      keepPrintSize: false,
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

describe('the output details: bit depth, TIFF compression, print size', () => {
  const d = draftOf(item, { scale: 4 });
  it('start unset, and only edited fields reach the patch', () => {
    expect(d).toMatchObject({ compression: '', bitDepth: 0, keepPrintSize: false });
    expect(
      patchOf({ compression: 'lzw' }, { ...d, format: 'tiff', compression: 'lzw' }, false),
    ).toEqual({
      compression: 'lzw',
    });
    expect(patchOf({ compression: '' }, d, false)).toEqual({ compression: null });
    expect(patchOf({ keepPrintSize: true }, { ...d, keepPrintSize: true }, false)).toEqual({
      keepPrintSize: true,
    });
    expect(patchOf({ keepPrintSize: false }, d, false)).toEqual({ keepPrintSize: null });
  });

  it('a bit depth is kept only where the format holds it, "as the photo" included', () => {
    const tiff16 = { ...d, format: 'tiff' as const, bitDepth: 16 };
    expect(patchOf({ bitDepth: 16 }, tiff16, false)).toEqual({ bitDepth: 16 });
    // The photo's own format decides when the format is "same as the photo".
    expect(patchOf({ bitDepth: 16 }, { ...d, bitDepth: 16 }, false, 'tiff')).toEqual({
      bitDepth: 16,
    });
    expect(patchOf({ bitDepth: 16 }, { ...d, bitDepth: 16 }, false, 'jpeg')).toEqual({
      bitDepth: null,
    });
    // Switching a 16-bit TIFF to AVIF (8/10/12) drops the depth; to PNG (8/16) keeps it.
    expect(patchOf({ format: 'avif' }, { ...tiff16, format: 'avif' }, false)).toEqual({
      format: 'avif',
      bitDepth: null,
    });
    expect(patchOf({ format: 'png' }, { ...tiff16, format: 'png' }, false)).toEqual({
      format: 'png',
    });
    expect(patchOf({ bitDepth: 10 }, { ...d, format: 'avif', bitDepth: 10 }, false)).toEqual({
      bitDepth: 10,
    });
  });
});
