import type { QueueItem } from '../../shared/queue';
import { formatDuration } from './format';
import type { ItemProgress } from './queue-sync.svelte';

/** The status line of a queue row: where the item is, in words. */
export function rowStatus(
  item: QueueItem,
  progress: ItemProgress | undefined,
  stopping: boolean,
): string {
  switch (item.state) {
    case 'waiting': {
      // A re-export starts without Start; how long it takes is known from the first render.
      if (!item.reexportOf) return 'Waiting';
      const about =
        item.estimatedSeconds !== undefined
          ? ` · about ${formatDuration(item.estimatedSeconds)}`
          : '';
      return `Re-export, starting${about}`;
    }
    case 'running': {
      const what = item.reexportOf ? 'Re-export · ' : '';
      if (stopping) return 'Stopping after this tile…';
      if (!progress) return `${what}Starting…`;
      const eta =
        progress.itemEta !== undefined ? ` · ${formatDuration(progress.itemEta)} left` : '';
      return `${what}Tile ${Math.min(progress.tile, progress.tiles)} of ${progress.tiles}${eta}`;
    }
    case 'done': {
      const done = item.seconds !== undefined ? `done in ${formatDuration(item.seconds)}` : 'done';
      return item.reexportOf ? `Re-export, ${done}` : capitalised(done);
    }
    case 'failed': {
      // The row already names the file: start with what went wrong, not with its path.
      const prefix = `${item.input}: `;
      const error = item.error?.startsWith(prefix) ? item.error.slice(prefix.length) : item.error;
      return error || 'Failed';
    }
    case 'cancelled':
      return 'Cancelled';
    case 'skipped':
      return 'Skipped: the output exists';
  }
}

function capitalised(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
