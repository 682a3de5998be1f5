import type { FarmRow } from '../../shared/farm';
import { t } from '../i18n/translate';

/** The status line of a photo on the farm: its state, and the worker that runs or ran it. */
export function farmRowStatus(row: FarmRow): string {
  const worker = row.worker ?? '';
  const on = row.worker ? 'yes' : 'no';
  switch (row.state) {
    case 'waiting':
      return t('queue.farmWaiting');
    case 'retrying': {
      const status = t('queue.farmRetrying', { n: row.attempts });
      return row.error ? t('queue.withError', { status, error: row.error }) : status;
    }
    case 'running':
      return row.tiles
        ? t('queue.farmRunningTile', { on, worker, tile: row.tile ?? 0, tiles: row.tiles })
        : t('queue.farmRunningStart', { on, worker });
    case 'done':
      return t('queue.farmDone', { on, worker });
    case 'skipped':
      return t('queue.farmSkipped', { on, worker });
    case 'failed':
      return row.error ?? t('queue.farmFailed', { on, worker });
    case 'cancelled':
      return t('queue.cancelled');
  }
}
