import type { QueueItem } from './queue';

/**
 * One item's outcome in words, as batch reports give it (`upres upscale --json`, the summary line):
 * `done` with its output (a kept existing file is `done` and `skipped`), or `error` with a message
 * that names the input. The one place these words are decided.
 */
export interface ItemReport {
  input: string;
  output: string | null;
  status: 'done' | 'error';
  error?: string;
  /** The output existed and the `skip` policy kept it. */
  skipped?: boolean;
  seconds: number;
}

const round = (s: number): number => Math.round(s * 1000) / 1000;

/** The report of a queue item in any state (an unfinished one reads as stopped, to be resumed). */
export function itemReport(i: QueueItem): ItemReport {
  const seconds = round(i.seconds ?? 0);
  if (i.state === 'done')
    return { input: i.input, output: i.output ?? null, status: 'done', seconds };
  if (i.state === 'skipped')
    return { input: i.input, output: i.output ?? null, status: 'done', skipped: true, seconds };
  const error =
    i.state === 'failed'
      ? (i.error ?? `${i.input}: failed`)
      : i.state === 'cancelled'
        ? `${i.input}: cancelled`
        : `${i.input}: not finished (stopped; run upres upscale --resume)`;
  return { input: i.input, output: null, status: 'error', error, seconds };
}

/** The report of an input that could not be queued at all. */
export function problemReport(input: string, error: string): ItemReport {
  return { input, output: null, status: 'error', error, seconds: 0 };
}
