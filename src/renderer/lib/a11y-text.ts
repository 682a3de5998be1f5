// What assistive technology hears for the app's values: the α dial, progress bars and the end of a
// batch. Plain functions of their inputs (words from the a11y catalogue), tested without a page.
import { t } from '../i18n/translate';
import { formatAlpha, formatPercent } from './format';

/** The α dial's aria-valuetext: "α 0.35, closer to fidelity"; the ends and the middle by name. */
export function alphaValueText(alpha: number): string {
  const a = Math.min(1, Math.max(0, alpha));
  const values = { alpha: formatAlpha(a) };
  // Compared at the dial's own precision (two decimals), so 0.004 reads as the fidelity end.
  const hundredths = Math.round(a * 100);
  if (hundredths === 0) return t('a11y.alphaFidelityOnly', values);
  if (hundredths === 100) return t('a11y.alphaGanOnly', values);
  if (hundredths === 50) return t('a11y.alphaHalfway', values);
  return t(hundredths < 50 ? 'a11y.alphaCloserFidelity' : 'a11y.alphaCloserGan', values);
}

/** A progress bar's whole percentage, 0–100, as aria-valuenow carries it. */
export function progressPercent(fraction: number): number {
  return Math.round(Math.min(1, Math.max(0, fraction)) * 100);
}

/** A progress bar's aria-valuetext: "42 %", or with its detail "42 %, 3 of 7 tiles". */
export function progressValueText(fraction: number, detail?: string): string {
  const percent = formatPercent(progressPercent(fraction) / 100);
  return detail ? t('a11y.progressDetail', { percent, detail }) : percent;
}

/** A running photo's detail for its bar: "3 of 7 tiles" (the tile in flight not counted twice). */
export function tilesDetail(tile: number, tiles: number): string {
  return t('a11y.tiles', { done: Math.min(tile, tiles), total: tiles });
}

/** What the queue holds when a batch stops, as counted for the announcement. */
export interface BatchCounts {
  done: number;
  skipped: number;
  failed: number;
  cancelled: number;
}

/**
 * The polite announcement when the queue stops working on its own (not a pause): "Queue
 * finished: 4 done.", "Queue finished with failures: 3 done, 1 failed.", "Queue stopped: …".
 */
export function batchEndText(c: BatchCounts): string {
  const parts = [t('a11y.batchDone', { n: c.done + c.skipped })];
  if (c.failed > 0) parts.push(t('a11y.batchFailed', { n: c.failed }));
  if (c.cancelled > 0) parts.push(t('a11y.batchCancelled', { n: c.cancelled }));
  const values = { parts: parts.join(t('a11y.listSeparator')) };
  if (c.failed > 0) return t('a11y.batchFinishedWithFailures', values);
  if (c.cancelled > 0) return t('a11y.batchStopped', values);
  return t('a11y.batchFinished', values);
}
