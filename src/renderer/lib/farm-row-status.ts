import type { FarmRow } from '../../shared/farm';

/** The status line of a photo on the farm: its state, and the worker that runs or ran it. */
export function farmRowStatus(row: FarmRow): string {
  const by = row.worker ? ` on ${row.worker}` : '';
  switch (row.state) {
    case 'waiting':
      return 'Waiting for a farm worker';
    case 'retrying':
      return `To be retried after ${row.attempts} tr${row.attempts === 1 ? 'y' : 'ies'}${row.error ? `: ${row.error}` : ''}`;
    case 'running':
      return row.tiles
        ? `Running${by} · tile ${row.tile ?? 0} of ${row.tiles}`
        : `Running${by} · starting`;
    case 'done':
      return `Done${by}`;
    case 'skipped':
      return `Skipped${by} (the output exists)`;
    case 'failed':
      return row.error ?? `Failed${by}`;
    case 'cancelled':
      return 'Cancelled';
  }
}
