// The status line of a photo on the farm names the worker while it runs and after, the tile it is
// on, the tries before a retry, and a failure's own message.
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { FarmRow } from '../../../src/shared/farm';

// Loaded by URL, as the other renderer helpers' tests do (the node project does not list them).
const lib = fileURLToPath(new URL('../../../src/renderer/lib/farm-row-status.ts', import.meta.url));
const { farmRowStatus } = (await import(/* @vite-ignore */ lib)) as {
  farmRowStatus(row: FarmRow): string;
};

const row = (r: Partial<FarmRow>): FarmRow => ({
  id: 'b-0',
  input: '/p/a.png',
  state: 'waiting',
  fraction: 0,
  attempts: 0,
  ...r,
});

describe('farmRowStatus', () => {
  it('says who runs a photo and where it is', () => {
    expect(farmRowStatus(row({}))).toBe('Waiting for a farm worker');
    expect(farmRowStatus(row({ state: 'running', worker: 'gpu-1' }))).toBe(
      'Running on gpu-1 · starting',
    );
    expect(farmRowStatus(row({ state: 'running', worker: 'gpu-1', tile: 3, tiles: 8 }))).toBe(
      'Running on gpu-1 · tile 3 of 8',
    );
    expect(farmRowStatus(row({ state: 'done', worker: 'gpu-2' }))).toBe('Done on gpu-2');
    expect(farmRowStatus(row({ state: 'skipped', worker: 'gpu-2' }))).toBe(
      'Skipped on gpu-2 (the output exists)',
    );
    expect(farmRowStatus(row({ state: 'cancelled' }))).toBe('Cancelled');
  });

  it('gives a failure its own message and counts the tries before a retry', () => {
    expect(farmRowStatus(row({ state: 'failed', error: '/p/a.png: not a readable image' }))).toBe(
      '/p/a.png: not a readable image',
    );
    expect(farmRowStatus(row({ state: 'failed', worker: 'w' }))).toBe('Failed on w');
    expect(farmRowStatus(row({ state: 'retrying', attempts: 1, error: 'boom' }))).toBe(
      'To be retried after 1 try: boom',
    );
    expect(farmRowStatus(row({ state: 'retrying', attempts: 2 }))).toBe(
      'To be retried after 2 tries',
    );
  });
});
