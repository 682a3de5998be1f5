import type { FarmRow } from '../../shared/farm';
import { engineText } from '../i18n/engine-text';
import { t } from '../i18n/translate';

/** A row's error in the UI language (keyed ones; others as the engine wrote them). */
function rowError(row: FarmRow): string | undefined {
  if (row.error === undefined) return undefined;
  return row.errorDetail ? engineText({ ...row.errorDetail, text: row.error }) : row.error;
}

/** The status line of a photo on the farm: its state, and the worker that runs or ran it. */
export function farmRowStatus(row: FarmRow): string {
  const worker = row.worker ?? '';
  const on = row.worker ? 'yes' : 'no';
  switch (row.state) {
    case 'waiting':
      return t('queue.farmWaiting');
    case 'retrying': {
      const status = t('queue.farmRetrying', { n: row.attempts });
      const error = rowError(row);
      return error ? t('queue.withError', { status, error }) : status;
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
      return rowError(row) ?? t('queue.farmFailed', { on, worker });
    case 'cancelled':
      return t('queue.cancelled');
  }
}
