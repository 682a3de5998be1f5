import { msg } from '../../../../shared/engine-message';
import { UpresError } from '../../../../shared/errors';

/** A weight tensor as read from a checkpoint, any layout, widened to fp32. */
export interface SourceTensor {
  shape: number[];
  values: Float32Array;
}

/** The tensors of a checkpoint by their original names. */
export type SourceTensors = Map<string, SourceTensor>;

/**
 * Reads tensors by name and remembers which were used, so a detector can refuse a file that has
 * layers it would otherwise silently ignore.
 */
export class TensorReader {
  private readonly used = new Set<string>();

  constructor(
    readonly tensors: SourceTensors,
    readonly label: string,
  ) {}

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  get(name: string, rank?: number): SourceTensor {
    const t = this.tensors.get(name);
    if (!t)
      throw new UpresError(
        'model.refused',
        msg('modelFiles.missingTensor', { file: this.label, tensor: name }),
      );
    if (rank !== undefined && t.shape.length !== rank)
      throw new UpresError(
        'model.refused',
        msg('modelFiles.tensorRank', { file: this.label, tensor: name, shape: `${t.shape}`, rank }),
      );
    this.used.add(name);
    return t;
  }

  /** Marks a tensor as consumed without reading it (e.g. BatchNorm's num_batches_tracked). */
  skip(name: string): void {
    if (this.tensors.has(name)) this.used.add(name);
  }

  /** Largest N such that `${prefix}${0..N-1}${suffix}` all exist. */
  count(prefix: string, suffix: string): number {
    let n = 0;
    while (this.tensors.has(`${prefix}${n}${suffix}`)) n++;
    return n;
  }

  /** Throws naming the tensors no detector step consumed. */
  assertAllUsed(layout: string): void {
    const left = [...this.tensors.keys()].filter((k) => !this.used.has(k));
    if (left.length > 0) {
      const tensors = left.slice(0, 5).join(', ');
      throw new UpresError(
        'model.refused',
        left.length > 5
          ? msg('modelFiles.unusedTensorsMore', {
              file: this.label,
              layout,
              tensors,
              count: String(left.length),
            })
          : msg('modelFiles.unusedTensors', { file: this.label, layout, tensors }),
      );
    }
  }
}
