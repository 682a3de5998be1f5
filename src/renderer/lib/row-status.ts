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
    case 'waiting':
      return 'Waiting';
    case 'running': {
      if (stopping) return 'Stopping after this tile…';
      if (!progress) return 'Starting…';
      const eta =
        progress.itemEta !== undefined ? ` · ${formatDuration(progress.itemEta)} left` : '';
      return `Tile ${Math.min(progress.tile, progress.tiles)} of ${progress.tiles}${eta}`;
    }
    case 'done':
      return item.seconds !== undefined ? `Done in ${formatDuration(item.seconds)}` : 'Done';
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
