import type { EngineMessage } from '../../../../shared/engine-message';
import type { ArchitectureSpec } from '../../../../shared/architecture';
import type { DetectOptions, DetectedModel } from '../detect/detected-model';
import type { TensorReader } from '../detect/tensor-source';
import type { GraphOptions } from '../onnx-graph-builder';
import type { StateDict, TensorSpec } from '../state-dict';
import type { Rect } from '../../pipeline/raster';
import type { Tensor4 } from '../../runtime/inference-session';

/** One state-dict key layout of an architecture (e.g. BasicSR's or the 2018 ESRGAN names). */
export interface Detector {
  /** Shown in "supported: …" when no layout matches. */
  name: string;
  /** Tensors whose presence identifies the layout (all of them, so keep them specific). */
  keys: string[];
  /** Reads the hyper-parameters and renames the weights to the canonical layout. */
  detect: (r: TensorReader, opt: DetectOptions) => DetectedModel;
}

/** A tile through a session with further named inputs, every output returned by name. */
export type RunWithInputs = (
  input: Tensor4,
  extra: Record<string, Tensor4>,
) => Promise<{ output: Tensor4; outputs: Record<string, Tensor4> }>;

/** A session for a graph of the architecture's own (RealPLKSR's GroupNorm sweep stages). */
export interface GraphSession {
  run: RunWithInputs;
  dispose(): Promise<void>;
}

/** One image about to be tiled, for an architecture that must see all of it first. */
export interface WholeImageJob {
  /** The tiles in plan order: the core each contributes and the region it is computed from. */
  tiles: readonly { core: Rect; region: Rect }[];
  /** A region of the image as the model's input tensor. */
  tensor(region: Rect): Tensor4;
  run: RunWithInputs;
  /** The whole image box-averaged by a whole factor to at most `maxPixels`, as a model input. */
  preview?: (maxPixels: number) => Tensor4;
  /** Checked before each tile. */
  signal?: AbortSignal;
  /** After each tile of the passes, with the count done so far (over all passes). */
  onTile?: (done: number) => void;
  /**
   * The model's weights and a way to run further graphs built from them: with these, RealPLKSR
   * sweeps the image a block at a time (exact); without, it estimates (see `wholeImage`'s `exact`).
   */
  graphs?: {
    weights: () => Promise<StateDict>;
    open: (graph: Uint8Array) => Promise<GraphSession>;
    /** Folder for temporary files (default: the OS temp folder). */
    scratch?: string;
  };
  /**
   * Folder for the passes' temporary files when `graphs` gives none: the output's folder, on the
   * disk the user chose (the OS temp folder is RAM where /tmp is tmpfs).
   */
  scratch?: string;
  /** Told what the render should note when a scheme falls back (e.g. no disk for exactness). */
  note?: (message: EngineMessage) => void;
}

/**
 * Work over the whole image before its output tiles, for networks with image-wide state (RealPLKSR's
 * GroupNorm): `passes` runs over every tile, then the runner for the output tiles.
 */
export interface WholeImagePass {
  /** Runs over every tile before the output tiles, for a plan of `tiles` tiles. */
  passes(tiles: number): number;
  /** What the render tells the user for a plan of `tiles` tiles when the output may differ. */
  note(tiles: number): EngineMessage | undefined;
  prepare(job: WholeImageJob): Promise<(input: Tensor4) => Promise<Tensor4>>;
}

/** What the tiling pipeline needs to know about a network. */
export interface TileFacts {
  /** Context (px) each tile reads beyond its core so tiled output matches untiled output. */
  overlap: number;
  /** Half-width (px) of the cross-fade between neighbouring tiles. */
  feather: number;
  /** Peak bytes of memory per input pixel of a tile region on the CPU provider, fp32. */
  bytesPerPixel: number;
  /** Largest tile core (px) automatic sizing gives, however much memory there is. */
  maxTile: number;
  /**
   * Tile core (px) a GPU provider starts from, per precision: GPUs report no free memory (WebGPU
   * none at all), so this is a size a 4 GB card holds; an out-of-memory halves it and the size that
   * worked is kept per device and model (runtime/gpu-tile-store.ts).
   */
  gpuTile: { fp32: number; fp16: number };
}

/**
 * Everything Upres knows about one architecture, in one place: how to recognise its checkpoints,
 * its weight layout, how to build its ONNX graph, and the facts tiling needs. Registered by kind
 * in `architectures/index.ts`.
 */
export interface ArchitectureDefinition<S extends ArchitectureSpec = ArchitectureSpec> {
  readonly kind: S['kind'];
  /** Display name, e.g. "RRDBNet". */
  readonly name: string;
  /** State-dict layouts, tried in registry order (empty: the file is its own graph). */
  readonly detectors: readonly Detector[];
  /** Every weight tensor the network needs, in network order. */
  tensors(spec: S): TensorSpec[];
  /** The spec with every defaulted field written out, so equal networks compare equal. */
  canonical(spec: S): S;
  /**
   * The serialised ONNX graph for weights in the canonical layout (already checked against
   * `tensors`). Absent when the model file is its own graph.
   */
  buildGraph?(spec: S, weights: StateDict, options: GraphOptions): Uint8Array;
  /** Input sides must be multiples of this (a pixel-unshuffle inside); tiles are padded to it. */
  inputMultiple(spec: S): number;
  /**
   * Tile regions should start on multiples of this (default 1): window attention groups pixels by
   * windows counted from the tile's corner, so only aligned tiles see the untiled image's windows.
   */
  tileAlign?(spec: S): number;
  /** The context a variant needs when it differs from `tiling.overlap` (e.g. RealPLKSR's DySample). */
  overlapFor?(spec: S): number;
  /**
   * For a variant whose output depends on the whole image: the passes tiling needs first; `exact`
   * says the jobs will carry `graphs` (the model's weights), which exact schemes need.
   */
  wholeImage?(spec: S, exact?: boolean): WholeImagePass | undefined;
  readonly tiling: TileFacts;
}
