import { dirname } from 'node:path';
import type { QueueItem } from '../../../shared/queue';
import { msg } from '../../../shared/engine-message';
import { cleanTempFiles, findCommitted, finishCommit } from '../pipeline/safe-write';
import { discardTileStores } from './tile-stores';

/** Crashes during one item after which it is failed instead of tried again. */
const MAX_CRASHES = 2;

/**
 * Puts a journal's items right after its process died (in place): an item that was being
 * committed and whose output has its final name is done; any other item left running counts a
 * crash and waits again (the queue runs it after the others), or fails with `engine.stopped` at
 * the second crash, so a photo that kills the engine cannot block every resume. Temp files the
 * dead process left beside the outputs are deleted; tile stores are kept (the interrupted item
 * continues from them).
 */
export async function recoverAfterCrash(items: QueueItem[]): Promise<void> {
  for (const item of items) {
    if (item.state !== 'running') continue;
    if (item.committing) {
      const done = item.plan ? await findCommitted(item.committing, item.plan.path) : undefined;
      if (done) {
        Object.assign(item, { state: 'done', output: done });
        await finishCommit(item.committing);
        item.committing = undefined;
        // Killed between the commit and the clean-up: its kept tiles are not wanted any more.
        await discardTileStores([item], {});
        continue;
      }
    }
    // The item may be what killed the process (a decoder fault, an out-of-memory kill): it is
    // given the benefit of the doubt once.
    const crashes = (item.crashes ?? 0) + 1;
    item.committing = undefined;
    item.crashes = crashes;
    if (crashes >= MAX_CRASHES) {
      const detail = msg('batch.engineStoppedGiveUp', { file: item.input, count: crashes });
      Object.assign(item, {
        state: 'failed',
        error: detail.text,
        errorDetail: detail,
        errorCode: 'engine.stopped',
      });
    } else {
      item.state = 'waiting';
      item.notes = [...item.notes, msg('batch.engineStoppedRetry')];
    }
  }
  const dirs = new Set(items.flatMap((i) => (i.plan ? [dirname(i.plan.path)] : [])));
  for (const d of dirs) await cleanTempFiles(d);
}
