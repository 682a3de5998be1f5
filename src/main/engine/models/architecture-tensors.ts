// Weight layouts of any architecture, from the registry: which tensors a spec needs, and the
// checks and comparisons built on that.
import type { ArchitectureSpec } from '../../../shared/architecture';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { architectureOf } from './architectures';
import { elementCount, type StateDict, type TensorSpec } from './state-dict';

/** The spec with every defaulted field written out, so equal networks compare equal. */
export function canonicalSpec(spec: ArchitectureSpec): ArchitectureSpec {
  return architectureOf(spec).canonical(spec);
}

/** Fields in which two specs differ (after filling defaults), e.g. ["resScale: 1 vs 0.1"]. */
export function specDifferences(a: ArchitectureSpec, b: ArchitectureSpec): string[] {
  const x = canonicalSpec(a) as Record<string, unknown>;
  const y = canonicalSpec(b) as Record<string, unknown>;
  return [...new Set([...Object.keys(x), ...Object.keys(y)])]
    .filter((k) => JSON.stringify(x[k]) !== JSON.stringify(y[k]))
    .map((k) => `${k}: ${JSON.stringify(x[k])} vs ${JSON.stringify(y[k])}`);
}

/** Every weight tensor the architecture needs, in network order (none for an ONNX graph). */
export function architectureTensors(spec: ArchitectureSpec): TensorSpec[] {
  return architectureOf(spec).tensors(spec);
}

/** Total parameter count of an architecture. */
export function parameterCount(spec: ArchitectureSpec): number {
  return architectureTensors(spec).reduce((n, t) => n + elementCount(t.shape), 0);
}

/**
 * Throws (`model.refused`) naming the first tensor that is missing or has the wrong size;
 * `label` (a model id or file) starts the message when given.
 */
export function checkStateDict(spec: ArchitectureSpec, weights: StateDict, label?: string): void {
  for (const t of architectureTensors(spec)) {
    const w = weights.get(t.name);
    const values = { tensor: t.name, shape: t.shape.join('×') };
    if (!w)
      throw new UpresError(
        'model.refused',
        label
          ? msg('modelFiles.weightsLackTensor', { label, ...values })
          : msg('modelFiles.weightsLackTensorBare', values),
      );
    if (w.length !== elementCount(t.shape)) {
      const sized = { ...values, count: String(w.length) };
      throw new UpresError(
        'model.refused',
        label
          ? msg('modelFiles.weightsTensorSize', { label, ...sized })
          : msg('modelFiles.weightsTensorSizeBare', sized),
      );
    }
  }
}
