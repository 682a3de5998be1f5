import type { QueueItem } from '../../shared/queue';
import { errorText } from '../i18n/errors';
import { t } from '../i18n/translate';
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
      if (!item.reexportOf) return t('queue.waiting');
      return item.estimatedSeconds !== undefined
        ? t('queue.reexportStartingAbout', { duration: formatDuration(item.estimatedSeconds) })
        : t('queue.reexportStarting');
    }
    case 'running': {
      if (stopping) return t('queue.stopping');
      if (!progress) return item.reexportOf ? t('queue.reexportStartingRun') : t('queue.starting');
      const tiles = { tile: Math.min(progress.tile, progress.tiles), tiles: progress.tiles };
      const status =
        progress.itemEta !== undefined
          ? t('queue.tileOfLeft', { ...tiles, duration: formatDuration(progress.itemEta) })
          : t('queue.tileOf', tiles);
      return item.reexportOf ? t('queue.reexportTile', { status }) : status;
    }
    case 'done': {
      const duration = item.seconds !== undefined ? formatDuration(item.seconds) : undefined;
      if (item.reexportOf)
        return duration ? t('queue.reexportDoneIn', { duration }) : t('queue.reexportDone');
      return duration ? t('queue.doneIn', { duration }) : t('queue.done');
    }
    case 'failed': {
      // The row already names the file: start with what went wrong, not with its path.
      const prefix = `${item.input}: `;
      const error = item.error?.startsWith(prefix) ? item.error.slice(prefix.length) : item.error;
      return error ? errorText(item.errorCode, error, item.errorDetail) : t('queue.failed');
    }
    case 'cancelled':
      return t('queue.cancelled');
    case 'skipped':
      return t('queue.skippedExists');
  }
}
