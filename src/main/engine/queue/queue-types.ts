import type { DeviceRequest } from '../../../shared/device';
import type { EngineMessage } from '../../../shared/engine-message';
import type { OutputPlan, PlacementInput, QueueItem, QueueProgress } from '../../../shared/queue';
import type { ImageHeader } from '../pipeline/decode';

/** One render of an item into a temp file; the queue names, commits and records the result. */
export interface RenderRequest {
  item: QueueItem;
  /** The item's planned output (format and final size are the renderer's to honour). */
  plan: OutputPlan;
  /** The input's header as read when the item was added, when still valid (else absent). */
  header?: ImageHeader;
  /** Where the finished image must be written (a temp file beside the final path). */
  tmp: string;
  /**
   * Fires on pause or cancel: the renderer must stop at once, terminating a run in flight (its
   * worker), not wait for the tile to end.
   */
  signal: AbortSignal;
  /** Called once the tile size is chosen, before the first tile runs (again with the tile count). */
  onPlan: (tileSize: number, tiles?: number) => void;
  /** Overrides after a fault: smaller tiles, another device. */
  tile?: number;
  device?: DeviceRequest;
  /**
   * The folder of this item's tile store (finished tiles kept on disk, see pipeline/tile-store.ts):
   * a render continues from the tiles it holds. The queue discards it once the item is done.
   */
  tileStore?: string;
  /** `restored`: the tile was read back from the tile store, not computed. */
  onTile: (p: { tile: number; tiles: number; tileSize: number; restored?: boolean }) => void;
}

export interface RenderResult {
  device: string;
  tileSize: number;
  /** What the render changed or could not carry (CMYK converted, IPTC dropped in WebP…). */
  notes?: (EngineMessage | string)[];
}

export type Renderer = (req: RenderRequest) => Promise<RenderResult>;

export interface QueueEvents {
  /** An item was added or changed (its state, settings, plan, result). */
  item: [QueueItem];
  /** Items left the queue (removed, or finished ones cleared). */
  removed: [ids: string[]];
  /** An item moved to `index` in the queue's order. */
  moved: [id: string, index: number];
  progress: [QueueProgress];
  /** A keyed message (the UI words it) or, from elsewhere, plain English text. */
  warning: [EngineMessage | string];
  /** The run loop stopped (nothing left, paused, or failed); `isRunning` is false by now. */
  idle: [];
}

export interface QueueOptions {
  journalPath: string;
  render: Renderer;
  /** Scale of a model or pair by id (for output names and sizes before rendering). */
  modelScale: (id: string) => number;
  /** Keep finished tiles on disk beside each output (default true). */
  tileStores?: boolean;
  /** Milliseconds between estimated progress events while a tile runs (default 1000). */
  tickMs?: number;
}

export interface AddOptions extends PlacementInput {
  recursive?: boolean;
  /** The output folder was chosen for these items (it does not follow a changed default). */
  outDirSet?: boolean;
}

/** Why a render stopped on purpose. */
export class Stop extends Error {
  constructor(readonly reason: 'pause' | 'cancel') {
    super(reason === 'pause' ? 'paused' : 'cancelled');
  }
}
