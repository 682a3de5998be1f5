import { z } from 'zod';
import { DEFAULT_NAME_TEMPLATE } from './defaults';
import { DeviceRequest, Precision } from './device';
import { ErrorCode } from './errors';
import { EngineMessage, NoteEntry } from './engine-message';

/** What happens when an output file already exists. */
export const OnExists = z.enum(['skip', 'overwrite', 'suffix']);
export type OnExists = z.infer<typeof OnExists>;

/** How a transparency (alpha) channel is enlarged: through the model as a grey image, or resized. */
export const TransparencyMode = z.enum(['model', 'resize']);
export type TransparencyMode = z.infer<typeof TransparencyMode>;

export const MetadataPolicy = z.enum(['all', 'none']);
export type MetadataPolicy = z.infer<typeof MetadataPolicy>;

export const OutputFormatName = z.enum(['png', 'jpeg', 'webp', 'tiff', 'avif']);
export const TiffCompression = z.enum(['deflate', 'lzw', 'none']);

/** Per-item settings: every item carries its own. */
export const ItemSettings = z.object({
  /** Model or pair id. */
  model: z.string().min(1),
  /** For pairs: 0 = fidelity, 1 = perceptual (default: the pair's). */
  alpha: z.number().min(0).max(1).optional(),
  /** Output size ÷ input size (default: the model's scale). Exclusive with width / height. */
  scale: z.number().min(0.01).max(64).optional(),
  /** Target width and/or height in px (aspect ratio kept when only one is given). */
  width: z.number().int().positive().max(1_000_000).optional(),
  height: z.number().int().positive().max(1_000_000).optional(),
  /** Output format (default: the input's; PNG for formats Upres does not write). */
  format: OutputFormatName.optional(),
  quality: z.number().int().min(1).max(100).optional(),
  /** TIFF compression (default deflate). */
  compression: TiffCompression.optional(),
  /** Bits per channel: 8 | 16 (PNG, TIFF), 8 | 10 | 12 (AVIF); default: the input's depth. */
  bitDepth: z.union([z.literal(8), z.literal(10), z.literal(12), z.literal(16)]).optional(),
  /** AVIF encoder effort, 0 (fastest) – 9 (smallest file). */
  effort: z.number().int().min(0).max(9).optional(),
  /** Multiply the resolution (DPI) by the scale so the print size stays (default: DPI kept). */
  keepPrintSize: z.boolean().optional(),
  keepMetadata: MetadataPolicy.default('all'),
  transparency: TransparencyMode.default('resize'),
  tta: z.boolean().default(false),
  /** Tile core in input px (default: from free memory). */
  tile: z.number().int().min(16).max(4096).optional(),
  device: DeviceRequest.default('auto'),
  precision: Precision.default('auto'),
});
export type ItemSettings = z.infer<typeof ItemSettings>;
export type ItemSettingsInput = z.input<typeof ItemSettings>;

/** Where outputs go: the folder, the relative structure below the added folder, the name. */
export const Placement = z.object({
  outDir: z.string().min(1),
  /** File name template without extension: {name}, {scale}, {model}, {alpha}. */
  nameTemplate: z.string().min(1).default(DEFAULT_NAME_TEMPLATE),
  onExists: OnExists.default('suffix'),
});
export type Placement = z.infer<typeof Placement>;
export type PlacementInput = z.input<typeof Placement>;

export const ItemState = z.enum(['waiting', 'running', 'done', 'failed', 'cancelled', 'skipped']);
export type ItemState = z.infer<typeof ItemState>;

/**
 * What the engine decided an item will produce, computed once when the item is added (and again
 * only when its settings change): the UI shows it, the queue writes it, nobody re-derives it.
 */
export const OutputPlan = z.object({
  /** The final path, before any `_1`/`_2` suffix the collision policy picks when committing. */
  path: z.string(),
  /** The file name alone, as shown to the user. */
  fileName: z.string(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  format: OutputFormatName,
  /** Output size ÷ input size as used in names (`{scale}`): the requested value, not a ratio of pixels. */
  scale: z.number().positive(),
});
export type OutputPlan = z.infer<typeof OutputPlan>;

export const QueueItem = z.object({
  id: z.string(),
  input: z.string(),
  /** Folder of the input relative to the folder the user added ('' for files added directly). */
  relDir: z.string(),
  placement: Placement,
  settings: ItemSettings,
  state: ItemState,
  /** Input size from the file header when it was added (absent if unreadable). */
  width: z.number().int().optional(),
  height: z.number().int().optional(),
  /** The planned output (absent when the input's header could not be read). */
  plan: OutputPlan.optional(),
  /** The path actually written (the plan's, or a `_1` variant), once done. */
  output: z.string().optional(),
  outWidth: z.number().int().optional(),
  outHeight: z.number().int().optional(),
  error: z.string().optional(),
  /** The failure's code (see errors.ts), beside its message; absent in journals written before it. */
  errorCode: ErrorCode.optional(),
  /** The failure as a catalogue key with its values (the UI translates it; `error` is its English). */
  errorDetail: EngineMessage.optional(),
  /**
   * What the photo's export did that its settings did not say: retries and fallbacks taken (smaller
   * tiles, CPU), metadata left out or changed. Journals written before keys hold plain strings.
   */
  notes: z.array(NoteEntry).default([]),
  /**
   * Times the engine stopped (crashed, was killed) while this item ran, counted when the queue is
   * reopened; the second time fails the item instead of retrying it on every resume.
   */
  crashes: z.number().int().nonnegative().optional(),
  /** While an output is being committed: the finished temp file (crash recovery). */
  committing: z.string().optional(),
  seconds: z.number().optional(),
  /** The output folder was chosen for this item; otherwise it follows the default folder. */
  outDirSet: z.boolean().optional(),
  /** A re-export: the item whose photo this renders again (at another α, under another name). */
  reexportOf: z.string().optional(),
  /** Seconds this item is expected to take (a re-export: from its photo's first render). */
  estimatedSeconds: z.number().nonnegative().optional(),
  /** Runs without Start, ahead of the other waiting items (re-exports). */
  autoStart: z.boolean().optional(),
});
export type QueueItem = z.infer<typeof QueueItem>;

/** Per-tile progress of the running item and throughput-based estimates. */
export interface QueueProgress {
  id: string;
  /** Tiles finished (read back from the tile store or computed). */
  tile: number;
  tiles: number;
  /** 0–1 for the item; never goes backwards within one render. */
  fraction: number;
  /** The fraction is interpolated between tiles from the measured throughput, not a tile count. */
  estimated?: boolean;
  /** The tile was read back from the tile store (finished before a pause, cancel or crash). */
  restored?: boolean;
  /** Seconds left for this item and for the whole queue (undefined until measurable). */
  itemEta?: number;
  queueEta?: number;
}

export const FINISHED: readonly ItemState[] = ['done', 'failed', 'cancelled', 'skipped'];
