import type { ArchitectureSpec } from '../../shared/architecture';
import type { DeviceChoice } from '../../shared/device';
import type { StateDict } from './models/architecture-tensors';
import { buildGraph } from './models/build-graph';
import type { ModelRegistry } from './models/model-registry';
import type { InferenceSession, Tensor4 } from './runtime/inference-session';
import { openSession, type OpenSessionOptions } from './runtime/open-session';
import { DEFAULT_OVERLAP } from './pipeline/tile-plan';

/** A model ready to run: its session in a worker and the provider it ended up on. */
export class LoadedModel {
  constructor(
    readonly id: string,
    readonly spec: ArchitectureSpec,
    private readonly session: InferenceSession,
    readonly choice: DeviceChoice,
  ) {}

  get scale(): number {
    return this.spec.scale;
  }

  /** Context each tile needs so tiled output matches untiled output. */
  get defaultOverlap(): number {
    return DEFAULT_OVERLAP[this.spec.kind];
  }

  run(input: Tensor4): Promise<Tensor4> {
    return this.session.run(input);
  }

  dispose(): Promise<void> {
    return this.session.dispose();
  }
}

/** Builds the graph for an architecture and weights and starts a session for it. */
export async function loadWeights(
  id: string,
  spec: ArchitectureSpec,
  weights: StateDict,
  opt: OpenSessionOptions = {},
): Promise<LoadedModel> {
  const { session, choice } = await openSession((fp16) => buildGraph(spec, weights, { fp16 }), opt);
  return new LoadedModel(id, spec, session, choice);
}

/** Loads a registered model by id. */
export async function loadModel(
  registry: ModelRegistry,
  id: string,
  opt: OpenSessionOptions = {},
): Promise<LoadedModel> {
  const { manifest } = registry.get(id);
  return loadWeights(id, manifest.architecture, await registry.weights(id), opt);
}
