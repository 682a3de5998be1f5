import type { ArchitectureSpec } from '../../../shared/architecture';
import type { StateDict } from '../models/state-dict';
import { buildGraph } from '../models/build-graph';
import type { InferenceSession, Tensor4 } from './inference-session';
import { openSession, type OpenSessionOptions } from './open-session';
import { cancelledError } from '../../../shared/cancel';

/** The graph whose weights are the blend at α as constants, in the precision asked (see openSession). */
export type FixedAlphaGraph = (alpha: number) => (fp16: boolean) => Uint8Array;

/** ESRGAN's network interpolation: each weight (1 − α)·fidelity + α·perceptual. */
export function blendWeights(fidelity: StateDict, perceptual: StateDict, alpha: number): StateDict {
  const blended: StateDict = new Map();
  for (const [name, f] of fidelity) {
    const p = perceptual.get(name)!;
    blended.set(
      name,
      f.map((v, i) => (1 - alpha) * v + alpha * p[i]),
    );
  }
  return blended;
}

/** For Upres's own architectures: the weights blended in TypeScript, then the graph built. */
export function weightBlendGraph(
  spec: ArchitectureSpec,
  fidelity: StateDict,
  perceptual: StateDict,
): FixedAlphaGraph {
  return (alpha) => {
    const blended = blendWeights(fidelity, perceptual, alpha);
    return (fp16) => buildGraph(spec, blended, { fp16 });
  };
}

/**
 * The blend graph (weights computed from α inside the graph) serves every α from one session, but
 * onnxruntime cannot pre-pack weights it computes, so it runs ~1.5× slower than a graph whose
 * weights are constants. For a job long enough that building a constant-weight session for its α
 * pays for itself twice over, this builds one (keeping the latest, so a batch at one α reuses it).
 */
export class AlphaSessions {
  private fixed: { alpha: number; session: InferenceSession } | undefined;
  private creating: AbortController | undefined;
  private secondsPerPixel: number | undefined;
  /** Constant-weight sessions run in about this fraction of the blend graph's time (measured). */
  static readonly FIXED_SPEEDUP = 0.65;

  constructor(
    private readonly fixedGraph: FixedAlphaGraph,
    private readonly blend: InferenceSession,
    private readonly createSeconds: number,
    private readonly open: OpenSessionOptions,
  ) {}

  /** The α of the constant-weight session currently kept, if any. */
  get specialisedAlpha(): number | undefined {
    return this.fixed?.alpha;
  }

  /** Runs a tile on the blend session, keeping track of its speed. */
  async runBlend(input: Tensor4, alpha: number): Promise<Tensor4> {
    const px = input.dims[2] * input.dims[3];
    const t0 = performance.now();
    const out = await this.blend.run(input, alpha);
    const spp = (performance.now() - t0) / 1000 / px;
    this.secondsPerPixel =
      this.secondsPerPixel === undefined ? spp : 0.7 * this.secondsPerPixel + 0.3 * spp;
    return out;
  }

  /** The runner for a job of `pixels` input px (tile regions summed) at α. */
  async runner(alpha: number, pixels: number): Promise<(t: Tensor4) => Promise<Tensor4>> {
    if (this.fixed?.alpha === alpha) return (t) => this.fixed!.session.run(t);
    if (this.secondsPerPixel === undefined) {
      // Calibrate once on a small tile so the decision below has a speed to go by.
      await this.runBlend(
        { data: new Float32Array(3 * 32 * 32).fill(0.5), dims: [1, 3, 32, 32] },
        alpha,
      );
    }
    const saved = pixels * this.secondsPerPixel! * (1 - AlphaSessions.FIXED_SPEEDUP);
    if (saved < 2 * this.createSeconds) return (t) => this.runBlend(t, alpha);
    // Created in a worker a terminate() can kill: a pause or cancel must not wait for it.
    const creating = new AbortController();
    this.creating = creating;
    let session: InferenceSession;
    try {
      ({ session } = await openSession(this.fixedGraph(alpha), {
        ...this.open,
        signal: creating.signal,
      }));
    } finally {
      if (this.creating === creating) this.creating = undefined;
    }
    if (creating.signal.aborted) {
      await session.terminate();
      throw cancelledError(`the session for α ${alpha}`);
    }
    await this.fixed?.session.dispose();
    this.fixed = { alpha, session };
    return (t) => session.run(t);
  }

  /** Kills the constant-weight session now, one being created included (see InferenceSession.terminate). */
  async terminate(): Promise<void> {
    this.creating?.abort();
    const fixed = this.fixed;
    this.fixed = undefined;
    await fixed?.session.terminate();
  }

  async dispose(): Promise<void> {
    await this.fixed?.session.dispose();
    this.fixed = undefined;
  }
}
