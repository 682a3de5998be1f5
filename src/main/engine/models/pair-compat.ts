import type { ArchitectureSpec } from '../../../shared/architecture';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { architectureTensors, specDifferences } from './architecture-tensors';
import { onnxGraphDifference } from './onnx/onnx-blend';

const dims = (s: number[]): string => `[${s.join('×')}]`;

/** One end of a pair; imported ONNX models also give their stored graph. */
export interface PairEnd {
  id: string;
  spec: ArchitectureSpec;
  /** The stored `.onnx` bytes of an ONNX model (without them only the specs are compared). */
  onnx?: Uint8Array;
}

/**
 * Throws, naming the first tensor that differs, unless two architectures can be interpolated. Two
 * ONNX models pair when their graphs have the same nodes and float initializer names and shapes.
 */
export function checkPairCompatible(fidelity: PairEnd, perceptual: PairEnd): void {
  const a = architectureTensors(fidelity.spec);
  const b = new Map(architectureTensors(perceptual.spec).map((t) => [t.name, t.shape]));
  if (fidelity.spec.kind !== perceptual.spec.kind) {
    throw new UpresError(
      'model.incompatible',

      msg('modelFiles.pairDifferentArchitectures', {
        fidelity: fidelity.id,
        fidelityKind: fidelity.spec.kind,
        perceptual: perceptual.id,
        perceptualKind: perceptual.spec.kind,
      }),
    );
  }
  if (fidelity.spec.kind === 'onnx') {
    const diff = specDifferences(fidelity.spec, perceptual.spec);
    if (diff.length > 0)
      throw new UpresError(
        'model.incompatible',

        msg('modelFiles.pairDifferentOnnxNetworks', {
          fidelity: fidelity.id,
          perceptual: perceptual.id,
          differences: diff.join(', '),
        }),
      );
    if (!fidelity.onnx || !perceptual.onnx) return;
    const graph = onnxGraphDifference(
      { id: fidelity.id, onnx: fidelity.onnx },
      { id: perceptual.id, onnx: perceptual.onnx },
    );
    if (graph)
      throw new UpresError(
        'model.incompatible',
        msg('modelFiles.pairDifferentOnnxGraphs', {
          fidelity: fidelity.id,
          perceptual: perceptual.id,
          reason: graph,
        }),
      );
    return;
  }
  for (const t of a) {
    const other = b.get(t.name);
    if (!other)
      throw new UpresError(
        'model.incompatible',

        msg('modelFiles.pairTensorOnlyIn', {
          fidelity: fidelity.id,
          perceptual: perceptual.id,
          tensor: t.name,
          only: fidelity.id,
        }),
      );
    if (dims(other) !== dims(t.shape)) {
      throw new UpresError(
        'model.incompatible',

        msg('modelFiles.pairTensorShape', {
          fidelity: fidelity.id,
          perceptual: perceptual.id,
          tensor: t.name,
          fidelityShape: dims(t.shape),
          perceptualShape: dims(other),
        }),
      );
    }
    b.delete(t.name);
  }
  const extra = [...b.keys()][0];
  if (extra)
    throw new UpresError(
      'model.incompatible',

      msg('modelFiles.pairTensorOnlyIn', {
        fidelity: fidelity.id,
        perceptual: perceptual.id,
        tensor: extra,
        only: perceptual.id,
      }),
    );
  const diff = specDifferences(fidelity.spec, perceptual.spec);
  if (diff.length > 0) {
    throw new UpresError(
      'model.incompatible',

      msg('modelFiles.pairDifferentNetwork', {
        fidelity: fidelity.id,
        perceptual: perceptual.id,
        differences: diff.join(', '),
      }),
    );
  }
}
