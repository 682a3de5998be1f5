import type { EngineMessage } from '../../../shared/engine-message';
import type { ArchitectureSpec } from '../../../shared/architecture';
import type { DeviceChoice, DeviceRequest } from '../../../shared/device';
import type { StateDict } from '../models/state-dict';
import { buildGraph } from '../models/build-graph';
import type { ModelRegistry } from '../models/model-registry';
import { checkPairCompatible } from '../models/pair-compat';
import { onnxBlendGraph, onnxFixedBlendGraph } from '../models/onnx/onnx-blend';
import { InferenceSession, type Tensor4 } from './inference-session';
import { openSession, type OpenSessionOptions, type SessionFamily } from './open-session';
import { userGraphCache } from './optimized-graph-cache';
import {
  AlphaSessions,
  blendWeights,
  weightBlendGraph,
  type FixedAlphaGraph,
} from './alpha-sessions';
import { architectureOf } from '../models/architectures';
import type { WholeImageJob } from '../models/architectures/definition';
import { runPadded } from '../pipeline/pad-to-multiple';

/** A model ready to run: its session in a worker and the provider it ended up on. */
export class LoadedModel {
  constructor(
    readonly id: string,
    readonly spec: ArchitectureSpec,
    private readonly session: InferenceSession,
    readonly choice: DeviceChoice,
    /** For an interpolating pair: the α used when a run gives none. */
    readonly defaultAlpha?: number,
    private readonly alphaSessions?: AlphaSessions,
  ) {}

  /** The weights and further sessions exact whole-image schemes need (single built models). */
  graphs?: WholeImageJob['graphs'];
  /** The same for a pair, at an α: its blended weights (network interpolation). */
  graphsAt?: (alpha: number) => NonNullable<WholeImageJob['graphs']>;

  /** Whether exact whole-image schemes can run (they need the weights). */
  private get exactWhole(): boolean {
    return this.graphs !== undefined || this.graphsAt !== undefined;
  }

  /** Whether this is a fidelity ↔ perceptual pair that takes a per-run α. */
  get interpolates(): boolean {
    return this.defaultAlpha !== undefined;
  }

  get scale(): number {
    return this.spec.scale;
  }

  /** Context each tile needs so tiled output matches untiled output. */
  get defaultOverlap(): number {
    const arch = architectureOf(this.spec);
    return arch.overlapFor?.(this.spec) ?? arch.tiling.overlap;
  }

  /** Half-width of the cross-fade between neighbouring tiles. */
  get defaultFeather(): number {
    return architectureOf(this.spec).tiling.feather;
  }

  private checkAlpha(alpha: number | undefined): number | undefined {
    if (!this.interpolates) {
      if (alpha !== undefined)
        throw new Error(`${this.id} is a single model; α applies to pairs only`);
      return undefined;
    }
    const a = alpha ?? this.defaultAlpha!;
    if (!(a >= 0 && a <= 1)) throw new Error(`α must be between 0 and 1, got ${a}`);
    return a;
  }

  /** For pairs: the α a constant-weight session is currently kept for (see AlphaSessions). */
  get specialisedAlpha(): number | undefined {
    return this.alphaSessions?.specialisedAlpha;
  }

  /** Tile regions start on multiples of this (window-attention models; 1 for the rest). */
  get tileAlign(): number {
    return architectureOf(this.spec).tileAlign?.(this.spec) ?? 1;
  }

  /** Input sides must be multiples of this (pixel-unshuffle models); tiles are padded to it. */
  get inputMultiple(): number {
    return architectureOf(this.spec).inputMultiple(this.spec);
  }

  private padded(run: (t: Tensor4) => Promise<Tensor4>): (t: Tensor4) => Promise<Tensor4> {
    const m = this.inputMultiple;
    return m === 1 ? run : (t) => runPadded(t, m, this.scale, run);
  }

  /** Runs one tile; `alpha` (0 = fidelity, 1 = perceptual) applies to pairs only. */
  async run(input: Tensor4, alpha?: number): Promise<Tensor4> {
    const a = this.checkAlpha(alpha);
    return this.padded((t) => {
      if (a === undefined) return this.session.run(t);
      return this.alphaSessions ? this.alphaSessions.runBlend(t, a) : this.session.run(t, a);
    })(input);
  }

  /**
   * The tile runner for a whole job of `pixels` input px: for a pair and a long job, a session whose
   * weights are the blend at α as constants (faster); otherwise the shared session.
   */
  async jobRunner(
    alpha: number | undefined,
    pixels: number,
  ): Promise<(t: Tensor4) => Promise<Tensor4>> {
    const a = this.checkAlpha(alpha);
    if (a === undefined || !this.alphaSessions) return (t) => this.run(t, a);
    return this.padded(await this.alphaSessions.runner(a, pixels));
  }

  /** Runs over every tile that a plan of `tiles` tiles needs before its output tiles (usually 0). */
  wholeImagePasses(tiles: number): number {
    return architectureOf(this.spec).wholeImage?.(this.spec, this.exactWhole)?.passes(tiles) ?? 0;
  }

  /** What the render notes for a plan of `tiles` tiles whose output may differ from untiled. */
  wholeImageNote(tiles: number): EngineMessage | undefined {
    return architectureOf(this.spec).wholeImage?.(this.spec, this.exactWhole)?.note(tiles);
  }

  /**
   * For one image about to be tiled, when its architecture needs to see all of it first (RealPLKSR's
   * GroupNorm): runs those passes, tile by tile (progress, cancellation), and returns the runner for
   * the output tiles. Undefined when no pass is needed: use `jobRunner`.
   */
  async wholeImageRunner(
    job: Omit<WholeImageJob, 'run'>,
    alpha?: number,
  ): Promise<((t: Tensor4) => Promise<Tensor4>) | undefined> {
    const pass = architectureOf(this.spec).wholeImage?.(this.spec, this.exactWhole);
    if (!pass) return undefined;
    const a = this.checkAlpha(alpha);
    const mine = this.graphs ?? (a !== undefined ? this.graphsAt?.(a) : undefined);
    const own = mine && job.scratch ? { ...mine, scratch: job.scratch } : mine;
    const graphs = job.graphs ?? own;
    return this.padded(
      await pass.prepare({ ...job, graphs, run: (t, extra) => this.session.runWith(t, extra, a) }),
    );
  }

  /**
   * Stops every session of this model now, a run in flight included (it fails with `cancelled`):
   * how a pause or cancel stops a tile at once. The model is unusable after this (see `ended`).
   */
  async terminate(): Promise<void> {
    await Promise.all([this.alphaSessions?.terminate(), this.session.terminate()]);
  }

  /** Whether the model was terminated or its worker ended: load a fresh one. */
  get ended(): boolean {
    return this.session.ended;
  }

  async dispose(): Promise<void> {
    await this.alphaSessions?.dispose();
    await this.session.dispose();
  }
}

/**
 * What `auto` measures a model's speed as: its architecture and sizes (an imported ONNX graph is a
 * family of its own), and the side of a probe tile it accepts.
 */
function sessionFacts(id: string, spec: ArchitectureSpec): Partial<OpenSessionOptions> {
  const family: SessionFamily = {
    key: spec.kind === 'onnx' ? `onnx:${id}` : JSON.stringify(spec),
    scale: spec.scale,
  };
  const m = architectureOf(spec).inputMultiple(spec);
  return { family, probeSide: Math.ceil(16 / m) * m };
}

/** Builds the graph for an architecture and weights and starts a session for it. */
export async function loadWeights(
  id: string,
  spec: ArchitectureSpec,
  weights: StateDict | (() => Promise<StateDict>),
  opt: OpenSessionOptions = {},
): Promise<LoadedModel> {
  // Read only when the graph is built: a saved optimised graph needs no weights.
  const read = typeof weights === 'function' ? weights : async () => weights;
  const { session, choice } = await openSession(
    async (fp16) => buildGraph(spec, await read(), { fp16, label: id }),
    { ...sessionFacts(id, spec), ...opt },
  );
  const model = new LoadedModel(id, spec, session, choice);
  // RealPLKSR's exact GroupNorm sweep builds its stage graphs from the weights, on the same device.
  model.graphs = { weights: read, open: graphOpener(choice.device) };
  return model;
}

/** Starts sessions for further graphs of a model (the sweep's stages) on its device. */
function graphOpener(device: DeviceChoice['device']): NonNullable<WholeImageJob['graphs']>['open'] {
  return async (graph) => {
    const s = await InferenceSession.create(graph, device);
    return { run: (t, extra) => s.runWith(t, extra), dispose: () => s.dispose() };
  };
}

/**
 * Starts one session for a fidelity ↔ perceptual pair whose weights are blended inside the graph,
 * so every α is served by the same session.
 */
export async function loadPairWeights(
  id: string,
  fidelity: { id: string; spec: ArchitectureSpec; weights: StateDict },
  perceptual: { id: string; spec: ArchitectureSpec; weights: StateDict },
  defaultAlpha: number,
  opt: OpenSessionOptions = {},
): Promise<LoadedModel> {
  checkPairCompatible(fidelity, perceptual);
  const model = await openPair(
    id,
    fidelity.spec,
    (fp16) =>
      buildGraph(fidelity.spec, fidelity.weights, {
        fp16,
        blendTowards: perceptual.weights,
        label: fidelity.id,
        partnerLabel: perceptual.id,
      }),
    weightBlendGraph(fidelity.spec, fidelity.weights, perceptual.weights),
    defaultAlpha,
    opt,
  );
  // The sweep at a job's α runs on the blended weights, as the constant-weight sessions do.
  const open = graphOpener(model.choice.device);
  model.graphsAt = (alpha) => ({
    weights: async () => blendWeights(fidelity.weights, perceptual.weights, alpha),
    open,
  });
  return model;
}

/** The blend session of a pair plus the constant-weight sessions its long jobs get. */
async function openPair(
  id: string,
  spec: ArchitectureSpec,
  blendGraph: (fp16: boolean) => Uint8Array,
  fixedGraph: FixedAlphaGraph,
  defaultAlpha: number,
  opt: OpenSessionOptions,
): Promise<LoadedModel> {
  const t0 = performance.now();
  const { session, choice } = await openSession(blendGraph, { ...sessionFacts(id, spec), ...opt });
  const createSeconds = (performance.now() - t0) / 1000;
  // Constant-weight sessions for long jobs go to the provider and precision this one ended up on.
  const same: OpenSessionOptions = {
    ...opt,
    ...sessionFacts(id, spec),
    // Already decided: no second measurement.
    store: undefined,
    device: choice.device,
    precision: choice.fp16 ? 'fp16' : 'fp32',
  };
  const sessions = new AlphaSessions(fixedGraph, session, createSeconds, same);
  return new LoadedModel(id, spec, session, choice, defaultAlpha, sessions);
}

/** An imported ONNX model: its stored graph, with the precision it was stored in. */
interface OnnxModelSource {
  id: string;
  spec: ArchitectureSpec;
  /** The stored (normalised) `.onnx` bytes. */
  onnx: Uint8Array;
  /** The manifest's weights.dtype (the graph runs in it whatever precision is asked). */
  dtype?: 'float16' | 'float32';
}

/**
 * The graph is the file, so openSession's `graph(fp16)` returns it as it is (a fresh copy each call,
 * in case the bytes are transferred); the precision reported is the one it was stored in.
 */
function onnxOptions(m: OnnxModelSource, opt: OpenSessionOptions): OpenSessionOptions {
  return { ...opt, precision: m.dtype === 'float16' ? 'fp16' : 'fp32', precisionFixed: true };
}

/** Starts a session for an imported ONNX model, run as-is. */
async function loadOnnx(m: OnnxModelSource, opt: OpenSessionOptions = {}): Promise<LoadedModel> {
  if (m.spec.kind !== 'onnx') throw new Error(`${m.id} is not an ONNX model`);
  const { session, choice } = await openSession(() => m.onnx.slice(), {
    ...sessionFacts(m.id, m.spec),
    ...onnxOptions(m, opt),
  });
  return new LoadedModel(m.id, m.spec, session, choice);
}

/** A fidelity ↔ perceptual pair of two imported ONNX models with the same graph. */
async function loadOnnxPair(
  id: string,
  fidelity: OnnxModelSource,
  perceptual: OnnxModelSource,
  defaultAlpha: number,
  opt: OpenSessionOptions = {},
): Promise<LoadedModel> {
  checkPairCompatible(fidelity, perceptual);
  const blend = onnxBlendGraph(fidelity.onnx, perceptual.onnx);
  return openPair(
    id,
    fidelity.spec,
    () => blend.slice(),
    (alpha) => {
      const fixed = onnxFixedBlendGraph(fidelity.onnx, perceptual.onnx, alpha);
      return () => fixed.slice();
    },
    defaultAlpha,
    onnxOptions(fidelity, opt),
  );
}

/** The key a loaded model is cached under: one id, device and precision share a session. */
export function modelCacheKey(id: string, device: DeviceRequest, precision: string): string {
  return `${id}|${device}|${precision}`;
}

/** Loads a registered model or pair by id. */
export async function loadModel(
  registry: ModelRegistry,
  id: string,
  opt: OpenSessionOptions = {},
): Promise<LoadedModel> {
  const onnxSource = async (mid: string): Promise<OnnxModelSource> => {
    const { manifest } = registry.get(mid);
    return {
      id: mid,
      spec: manifest.architecture,
      onnx: await registry.onnxBytes(mid),
      dtype: manifest.weights.dtype,
    };
  };
  if (registry.isPair(id)) {
    const p = registry.getPair(id).manifest;
    if (registry.get(p.fidelity).manifest.architecture.kind === 'onnx') {
      const [f, g] = [await onnxSource(p.fidelity), await onnxSource(p.perceptual)];
      return loadOnnxPair(id, f, g, p.defaultAlpha, opt);
    }
    const end = async (mid: string) => ({
      id: mid,
      spec: registry.get(mid).manifest.architecture,
      weights: await registry.weights(mid),
    });
    return loadPairWeights(id, await end(p.fidelity), await end(p.perceptual), p.defaultAlpha, opt);
  }
  const { manifest } = registry.get(id);
  if (manifest.architecture.kind === 'onnx') return loadOnnx(await onnxSource(id), opt);
  const cache = opt.graphCache === undefined ? userGraphCache() : undefined;
  const cached: OpenSessionOptions = cache
    ? { ...opt, graphCache: { cache, identity: await registry.weightsIdentity(id) } }
    : opt;
  return loadWeights(id, manifest.architecture, () => registry.weights(id), cached);
}
