// With too little free disk for the sweep's maps, a deep GroupNorm RealPLKSR falls back to the
// overview estimate and says why (realplksr/global-norm.ts); statfs is made to report 4 KB free.
import { describe, expect, it, vi } from 'vitest';
import { DEEP_GN_PLKSR } from '../../helpers/random-models';
import { realPlksrWholeImage } from '../../../src/main/engine/models/architectures/realplksr/global-norm';

vi.mock('node:fs/promises', async (original) => ({
  ...(await original<typeof import('node:fs/promises')>()),
  statfs: async () => ({ bavail: 1, bsize: 4096 }),
}));

const DEEP = DEEP_GN_PLKSR;

describe('the GroupNorm sweep without disk space for its maps', () => {
  it('estimates from the overview instead, notes it, and completes the counted passes', async () => {
    const pass = realPlksrWholeImage(DEEP, true)!;
    expect(pass.passes(2)).toBe(DEEP.blocks);
    const tile = { x: 0, y: 0, w: 8, h: 8 };
    const sums = new Float32Array(DEEP.blocks * 4 * 2).fill(1);
    const notes: string[] = [];
    const done: number[] = [];
    const open = vi.fn();
    const runs: number[][] = [];
    const runner = await pass.prepare({
      tiles: [
        { core: tile, region: tile },
        { core: { ...tile, x: 8 }, region: { ...tile, x: 8 } },
      ],
      tensor: () => ({ data: new Float32Array(3 * 64), dims: [1, 3, 8, 8] }),
      preview: () => ({ data: new Float32Array(3 * 16), dims: [1, 3, 4, 4] }),
      run: async (t) => {
        runs.push(t.dims);
        return { output: t, outputs: { gn_sums: { data: sums, dims: [DEEP.blocks, 4, 2] } } };
      },
      graphs: { weights: async () => new Map(), open },
      note: (n) => notes.push(n.text),
      onTile: (n) => done.push(n),
    });
    expect(open).not.toHaveBeenCalled();
    expect(notes).toHaveLength(1);
    expect(notes[0]).toMatch(
      /GroupNorm: exact statistics need 0\.0 GB of temporary space in .* \(0\.0 GB free\)/,
    );
    // Only the overview ran; the 12 counted pass tiles were reported done.
    expect(runs).toEqual([[1, 3, 4, 4]]);
    expect(done).toEqual(Array.from({ length: 12 }, (_, i) => i + 1));
    await runner({ data: new Float32Array(3 * 64), dims: [1, 3, 8, 8] });
    expect(runs).toHaveLength(2);
  });
});
