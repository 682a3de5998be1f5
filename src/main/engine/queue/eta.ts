import type { QueueItem } from '../../../shared/queue';

/** Work of an item in input pixels (×8 with self-ensemble), what throughput is measured in. */
export function workOf(i: QueueItem): number {
  return (i.width ?? 0) * (i.height ?? 0) * (i.settings.tta ? 8 : 1);
}

/**
 * Seconds-left estimates from measured throughput: the pixels and seconds of every finished render
 * so far, or, before there is any, the running item's own pace.
 */
export class EtaEstimator {
  private pixels = 0;
  private seconds = 0;

  private rate(): number | undefined {
    return this.seconds > 0.5 && this.pixels > 0 ? this.pixels / this.seconds : undefined;
  }

  /** Starts timing one render of an item. */
  begin(item: QueueItem): RenderClock {
    return new RenderClock(this, workOf(item), () => this.rate());
  }

  /** Records a finished render. */
  record(pixels: number, seconds: number): void {
    this.pixels += pixels;
    this.seconds += seconds;
  }
}

/** One render's progress: tiles done so far give the item's and the queue's estimates. */
export class RenderClock {
  private readonly t0 = performance.now();

  constructor(
    private readonly eta: EtaEstimator,
    private readonly work: number,
    private readonly rate: () => number | undefined,
  ) {}

  /** Estimates after `tile` of `tiles`, with `waiting` px of work queued behind this item. */
  progress(tile: number, tiles: number, waiting: number): { itemEta?: number; queueEta?: number } {
    const done = (this.work * tile) / Math.max(1, tiles);
    const rate = this.rate() ?? (done > 0 ? done / this.elapsed() : undefined);
    const left = this.work - done;
    return {
      itemEta: rate ? left / rate : undefined,
      queueEta: rate ? (left + waiting) / rate : undefined,
    };
  }

  /** The render finished: its pixels and time count towards the throughput. */
  finish(): void {
    this.eta.record(this.work, this.elapsed());
  }

  private elapsed(): number {
    return (performance.now() - this.t0) / 1000;
  }
}
