// The taskbar progress and the batch-end summary from the engine's events, over hand-made queues
// whose weighted progress is worked out here by hand (pixels of each photo, ×8 with TTA).
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../src/shared/api';
import { QueueItem, type ItemState } from '../../src/shared/queue';
import { BatchTracker } from '../../src/main/app/batch-tracker';
import type { BatchProgress, BatchSummary } from '../../src/main/app/os-events';

function item(id: string, state: ItemState, w: number, h: number, extra: object = {}): QueueItem {
  return QueueItem.parse({
    id,
    input: `/photos/${id}.png`,
    relDir: '',
    placement: { outDir: '/out' },
    settings: { model: 'tiny' },
    state,
    width: w,
    height: h,
    ...extra,
  });
}

function recorder() {
  const progress: BatchProgress[] = [];
  const ended: BatchSummary[] = [];
  const tracker = new BatchTracker({
    progress: (p) => progress.push(p),
    batchEnded: (s) => ended.push(s),
  });
  return { tracker, progress, ended };
}

const queue = (running: boolean, paused = false): EngineEvent => ({
  kind: 'queue',
  running,
  paused,
});
const update = (i: QueueItem, state: ItemState, extra: object = {}): EngineEvent => ({
  kind: 'item',
  item: { ...i, state, ...extra },
});
const progressOf = (id: string, fraction: number): EngineEvent => ({
  kind: 'progress',
  id,
  tile: 0,
  tiles: 4,
  fraction,
});

describe('BatchTracker', () => {
  it('weights the bar by pixels: 100×100 and 300×100 photos, the first half done, then the second', () => {
    const a = item('a', 'waiting', 100, 100); // 10 000 px
    const b = item('b', 'waiting', 300, 100); // 30 000 px
    const { tracker, progress, ended } = recorder();
    tracker.seed([a, b], queue(false));
    expect(progress).toEqual([]); // idle, and it was idle: nothing sent

    tracker.handle(queue(true));
    tracker.handle(update(a, 'running'));
    expect(progress.at(-1)).toEqual({ state: 'starting' }); // nothing measured yet
    tracker.handle(progressOf('a', 0.5));
    expect(progress.at(-1)).toEqual({ state: 'running', fraction: 0.125 }); // 5 000 / 40 000
    tracker.handle(update(a, 'done'));
    expect(progress.at(-1)).toEqual({ state: 'running', fraction: 0.25 });
    tracker.handle(update(b, 'running'));
    tracker.handle(progressOf('b', 0.5));
    expect(progress.at(-1)).toEqual({ state: 'running', fraction: 0.625 }); // 25 000 / 40 000
    tracker.handle(update(b, 'failed'));
    expect(progress.at(-1)).toEqual({ state: 'running', fraction: 1 });
    expect(ended).toEqual([]);

    tracker.handle(queue(false));
    expect(progress.at(-1)).toEqual({ state: 'idle' });
    expect(ended).toEqual([
      { outcome: 'finished', done: 1, failed: 1, skipped: 0, cancelled: 0, left: 0 },
    ]);
  });

  it('counts only the photos of this batch, TTA as 8×, cancelled ones left out of the bar', () => {
    const old = item('old', 'done', 1000, 1000); // finished in an earlier batch
    const a = item('a', 'waiting', 10, 10, { settings: { model: 'tiny', tta: true } }); // 800
    const b = item('b', 'waiting', 20, 10); // 200
    const c = item('c', 'waiting', 50, 50);
    const { tracker, progress, ended } = recorder();
    tracker.seed([old, a, b, c]);
    tracker.handle(queue(true));
    tracker.handle(update(c, 'cancelled'));
    tracker.handle(update(a, 'running'));
    tracker.handle(progressOf('a', 0.25));
    expect(progress.at(-1)).toEqual({ state: 'running', fraction: 0.2 }); // 200 / 1 000
    tracker.handle(update(a, 'done'));
    tracker.handle(update(b, 'skipped'));
    tracker.handle(queue(false));
    expect(ended).toEqual([
      { outcome: 'finished', done: 1, failed: 0, skipped: 1, cancelled: 1, left: 0 },
    ]);
  });

  it('takes in photos added while the batch runs, and one progress event per change only', () => {
    const a = item('a', 'waiting', 10, 10);
    const { tracker, progress, ended } = recorder();
    tracker.seed([a]);
    tracker.handle(queue(true));
    tracker.handle(update(a, 'running'));
    tracker.handle(progressOf('a', 0.5));
    tracker.handle(progressOf('a', 0.5));
    const late = item('late', 'waiting', 10, 10);
    tracker.handle({ kind: 'item', item: late });
    expect(progress.slice(1)).toEqual([
      { state: 'running', fraction: 0.5 },
      { state: 'running', fraction: 0.25 },
    ]);
    tracker.handle(update(a, 'done'));
    tracker.handle(update(late, 'running'));
    tracker.handle(update(late, 'done'));
    tracker.handle(queue(false));
    expect(ended.map((s) => s.done)).toEqual([2]);
  });

  it('shows a paused batch as paused, resumes it, and ends one emptied while paused silently', () => {
    const a = item('a', 'waiting', 10, 10);
    const b = item('b', 'waiting', 10, 10);
    const { tracker, progress, ended } = recorder();
    tracker.seed([a, b]);
    tracker.handle(queue(true));
    tracker.handle(update(a, 'running'));
    tracker.handle(update(a, 'done'));
    tracker.handle(queue(true, true));
    tracker.handle(queue(false, true));
    expect(progress.at(-1)).toEqual({ state: 'paused', fraction: 0.5 });
    expect(ended).toEqual([]);
    tracker.handle(queue(true));
    expect(progress.at(-1)).toEqual({ state: 'running', fraction: 0.5 });
    tracker.handle(queue(false, true));
    tracker.handle({ kind: 'removed', ids: ['b'] });
    expect(progress.at(-1)).toEqual({ state: 'idle' });
    tracker.handle(queue(false, false));
    expect(ended).toEqual([]);
  });

  it('reports a run loop that stopped with photos waiting as stopped, the bar left red until seen', () => {
    const a = item('a', 'waiting', 10, 10);
    const b = item('b', 'waiting', 10, 30);
    const { tracker, progress, ended } = recorder();
    tracker.seed([a, b]);
    tracker.handle(queue(true));
    tracker.handle(update(a, 'running'));
    tracker.handle(update(a, 'done'));
    tracker.handle(queue(false));
    expect(ended).toEqual([
      { outcome: 'stopped', done: 1, failed: 0, skipped: 0, cancelled: 0, left: 1 },
    ]);
    expect(progress.at(-1)).toEqual({ state: 'stopped', fraction: 0.25 });
    tracker.acknowledge();
    expect(progress.at(-1)).toEqual({ state: 'idle' });
  });

  it('lets a re-export run on its own without taking in the waiting photos or announcing it', () => {
    const waiting = item('w', 'waiting', 10, 10);
    const again = item('again', 'waiting', 10, 10, { autoStart: true, reexportOf: 'x' });
    const { tracker, progress, ended } = recorder();
    tracker.seed([waiting, again]);
    tracker.handle(update(again, 'running'));
    tracker.handle(progressOf('again', 0.5));
    expect(progress.at(-1)).toEqual({ state: 'running', fraction: 0.5 });
    tracker.handle(update(again, 'done'));
    tracker.handle(queue(false));
    expect(progress.at(-1)).toEqual({ state: 'idle' });
    expect(ended).toEqual([]);
  });
});
