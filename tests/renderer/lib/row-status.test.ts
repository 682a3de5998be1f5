import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { QueueItem } from '../../../src/shared/queue';

const lib = fileURLToPath(new URL('../../../src/renderer/lib/row-status.ts', import.meta.url));
const { rowStatus } = (await import(/* @vite-ignore */ lib)) as {
  rowStatus(
    item: Partial<QueueItem> & Pick<QueueItem, 'state'>,
    progress: { tile: number; tiles: number; fraction: number; itemEta?: number } | undefined,
    stopping: boolean,
  ): string;
};

describe('rowStatus: a re-export says so, with its estimate, in every state', () => {
  it('labels re-exports and keeps other rows as they were', () => {
    const again = { reexportOf: 'first', estimatedSeconds: 125 };
    expect(rowStatus({ state: 'waiting', ...again }, undefined, false)).toBe(
      'Re-export, starts next · about 2 min',
    );
    expect(rowStatus({ state: 'waiting', reexportOf: 'first' }, undefined, false)).toBe(
      'Re-export, starts next',
    );
    expect(
      rowStatus({ state: 'running', ...again }, { tile: 1, tiles: 2, fraction: 0.5 }, false),
    ).toBe('Re-export · Tile 1 of 2');
    expect(rowStatus({ state: 'done', ...again, seconds: 3 }, undefined, false)).toBe(
      'Re-export, done in 3 s',
    );
    expect(rowStatus({ state: 'waiting' }, undefined, false)).toBe('Waiting');
    expect(rowStatus({ state: 'done', seconds: 3 }, undefined, false)).toBe('Done in 3 s');
    expect(rowStatus({ state: 'done' }, undefined, false)).toBe('Done');
  });
});
