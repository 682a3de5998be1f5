// A chain of models run as one (e.g. a 1× JPEG cleanup, then a 4× upscaler): each tile goes through
// every stage in turn, so the photo is read once, memory is one tile's worth per stage, and each
// stage keeps its own context inside the tile's.
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { architectureOf } from '../models/architectures';
import { chainStages } from '../models/chain-id';
import type { ModelRegistry } from '../models/model-registry';
import type { Tensor4 } from './inference-session';
import { LoadedModel, loadModel } from './loaded-model';
import type { OpenSessionOptions } from './open-session';

/** Clamps to [0, 1], as writing the stage's output to a file between two passes would. */
function clamp(t: Tensor4): Tensor4 {
  const d = t.data;
  for (let i = 0; i < d.length; i++) d[i] = d[i] < 0 ? 0 : d[i] > 1 ? 1 : d[i];
  return t;
}

/** How much memory a stage needs per chain-input pixel: its own per pixel × its input scale². */
function memoryWeight(m: LoadedModel, inputScale: number): number {
  return architectureOf(m.spec).tiling.bytesPerPixel * inputScale * inputScale;
}

/** The scale in front of each stage of a chain. */
function inputScales(stages: LoadedModel[]): number[] {
  return stages.map((_, i) => stages.slice(0, i).reduce((s, m) => s * m.scale, 1));
}

function heaviest(stages: LoadedModel[]): LoadedModel['spec'] {
  const before = inputScales(stages);
  let best = 0;
  stages.forEach((m, i) => {
    if (memoryWeight(m, before[i]) > memoryWeight(stages[best], before[best])) best = i;
  });
  return stages[best].spec;
}

/** The default α of the one pair in a chain, if any; more than one pair has no single dial. */
function dialOf(id: string, stages: LoadedModel[]): number | undefined {
  const pairs = stages.filter((m) => m.interpolates);
  if (pairs.length > 1)
    throw new UpresError(
      'request.invalid',
      msg('runtime.chainOnePair', { id, count: pairs.length }),
    );
  return pairs[0]?.defaultAlpha;
}

/**
 * Models run one after another on every tile. The chain's context (in input px) is the first
 * stage's plus each later stage's divided by the scale before it, so every stage's core sees the
 * context it needs; its scale is the product. The dial (α) goes to the stage that is a pair.
 */
export class ChainedModel extends LoadedModel {
  /** The scale in front of each stage (1 for the first). */
  private readonly before: number[];

  constructor(
    id: string,
    readonly stages: LoadedModel[],
  ) {
    // Not a session of its own: every member that would use one is overridden below. The spec is
    // the one tile sizing reads: the stage whose activations dominate memory.
    super(id, heaviest(stages), undefined as never, stages[0].choice, dialOf(id, stages));
    this.before = inputScales(stages);
  }

  override get scale(): number {
    return this.stages.reduce((s, m) => s * m.scale, 1);
  }

  override get defaultOverlap(): number {
    return this.stages.reduce((c, m, i) => c + Math.ceil(m.defaultOverlap / this.before[i]), 0);
  }

  override get defaultFeather(): number {
    return Math.max(...this.stages.map((m, i) => Math.ceil(m.defaultFeather / this.before[i])));
  }

  override get tileAlign(): number {
    return this.stages[0].tileAlign;
  }

  override get inputMultiple(): number {
    return this.stages[0].inputMultiple;
  }

  override get specialisedAlpha(): number | undefined {
    return this.stages.find((m) => m.interpolates)?.specialisedAlpha;
  }

  override async run(input: Tensor4, alpha?: number): Promise<Tensor4> {
    let t = input;
    for (const [i, m] of this.stages.entries()) {
      const out = await m.run(t, m.interpolates ? alpha : undefined);
      t = i < this.stages.length - 1 ? clamp(out) : out;
    }
    return t;
  }

  // A GroupNorm stage keeps its tile-local statistics: its whole-image input is another stage's
  // output, which exists only tile by tile (see realplksr/global-norm.ts). The photo's notes say so.
  override wholeImagePasses(): number {
    return 0;
  }

  override async wholeImageRunner(): Promise<undefined> {
    return undefined;
  }

  override wholeImageNote(tiles: number): EngineMessage | undefined {
    if (tiles <= 1) return undefined;
    const gn = this.stages.find((m) => architectureOf(m.spec).wholeImage?.(m.spec) !== undefined);
    return gn && msg('modelFiles.groupNormInChain', { model: gn.id });
  }

  override async jobRunner(
    alpha: number | undefined,
    pixels: number,
  ): Promise<(t: Tensor4) => Promise<Tensor4>> {
    const runners = await Promise.all(
      this.stages.map((m, i) =>
        m.jobRunner(m.interpolates ? alpha : undefined, pixels * this.before[i] ** 2),
      ),
    );
    return async (input) => {
      let t = input;
      for (const [i, run] of runners.entries()) {
        const out = await run(t);
        t = i < runners.length - 1 ? clamp(out) : out;
      }
      return t;
    };
  }

  override async terminate(): Promise<void> {
    await Promise.all(this.stages.map((m) => m.terminate()));
  }

  override get ended(): boolean {
    return this.stages.some((m) => m.ended);
  }

  override async dispose(): Promise<void> {
    await Promise.all(this.stages.map((m) => m.dispose()));
  }
}

/** Loads every stage of a chain id ("cleanup,upscaler") and joins them. */
export async function loadChain(
  registry: ModelRegistry,
  id: string,
  opt: OpenSessionOptions = {},
): Promise<LoadedModel> {
  const ids = chainStages(id);
  if (!ids) return loadModel(registry, id, opt);
  const stages: LoadedModel[] = [];
  try {
    for (const s of ids) stages.push(await loadModel(registry, s, opt));
    return new ChainedModel(id, stages);
  } catch (err) {
    await Promise.all(stages.map((m) => m.dispose().catch(() => undefined)));
    throw err;
  }
}
