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

  /** The queue's measured rate in px/s (undefined until half a second of work was measured). */
  rate(): number | undefined {
    return this.seconds > 0.5 && this.pixels > 0 ? this.pixels / this.seconds : undefined;
  }

  /** Starts timing one render of an item. */
  begin(item: QueueItem): RenderClock {
    return new RenderClock(this, workOf(item));
  }

  /** Records a finished render. */
  record(pixels: number, seconds: number): void {
    this.pixels += pixels;
    this.seconds += seconds;
  }
}

/** What a progress report holds beyond the item and tile counts. */
export interface ClockReading {
  fraction: number;
  itemEta?: number;
  queueEta?: number;
}

/** With no rate measured yet, an estimate creeps towards the next tile with this time constant. */
const BLIND_SECONDS = 30;
/** An estimate never covers more than this share of the running tile (the tile itself says done). */
const MAX_PARTIAL = 0.9;

/**
 * One render's progress: tiles done so far give the item's and the queue's estimates; between
 * tiles the fraction is interpolated from the measured rate (never going backwards). Tiles read
 * back from a tile store cost next to nothing: only computed ones count towards the rate.
 */
export class RenderClock {
  private planAt: number | undefined;
  private lastTileAt = 0;
  private done = 0;
  private tiles = 0;
  private computed = 0;
  private shown = 0;

  constructor(
    private readonly eta: EtaEstimator,
    private readonly work: number,
  ) {}

  /** The first tile starts now (model loaded, image decoded), of `tiles` when known. */
  planned(tiles?: number): void {
    this.planAt ??= performance.now();
    this.lastTileAt = this.done === 0 ? performance.now() : this.lastTileAt;
    if (tiles !== undefined && this.tiles === 0) this.tiles = tiles;
  }

  get isPlanned(): boolean {
    return this.planAt !== undefined;
  }

  /** Tile `tile` of `tiles` is finished (`restored`: read back, not computed). */
  tile(tile: number, tiles: number, restored = false): void {
    this.planAt ??= performance.now();
    this.done = tile;
    this.tiles = tiles;
    if (!restored) this.computed++;
    this.lastTileAt = performance.now();
  }

  private perTile(): number {
    return this.work / Math.max(1, this.tiles);
  }

  /** px/s: the queue's measured rate, or this render's own pace on the tiles it computed. */
  private rate(): number | undefined {
    const measured = this.eta.rate();
    if (measured) return measured;
    const seconds = this.planAt === undefined ? 0 : (this.lastTileAt - this.planAt) / 1000;
    return this.computed > 0 && seconds > 0
      ? (this.computed * this.perTile()) / seconds
      : undefined;
  }

  /**
   * The reading now, with `waiting` px of work queued behind this item. `interpolate` adds the
   * share of the running tile that the rate says is done (an estimate).
   */
  reading(waiting: number, interpolate = false): ClockReading {
    const rate = this.rate();
    let partial = 0;
    if (interpolate && this.tiles > 0 && this.done < this.tiles) {
      const running = (performance.now() - this.lastTileAt) / 1000;
      partial = rate
        ? Math.min(MAX_PARTIAL, running / (this.perTile() / rate))
        : MAX_PARTIAL * (1 - Math.exp(-running / BLIND_SECONDS));
    }
    const fraction = this.tiles > 0 ? Math.min(1, (this.done + partial) / this.tiles) : 0;
    this.shown = Math.max(this.shown, fraction);
    const left = this.work * (1 - this.shown);
    return {
      fraction: this.shown,
      itemEta: rate ? left / rate : undefined,
      queueEta: rate ? (left + waiting) / rate : undefined,
    };
  }

  /** Tiles known (0 before the first tile's report). */
  get tileCount(): number {
    return this.tiles;
  }

  get tilesDone(): number {
    return this.done;
  }

  /** The render finished: the pixels it computed and their time count towards the throughput. */
  finish(): void {
    if (this.planAt === undefined || this.computed === 0) return;
    this.eta.record(this.computed * this.perTile(), (performance.now() - this.planAt) / 1000);
  }
}
