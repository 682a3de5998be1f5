import type { SourceTensor, TensorReader } from '../detect/tensor-source';
import { refused } from '../refusal';

/** Reads a tensor and refuses, naming the file and the tensor, unless it has exactly `shape`. */
export function getShaped(r: TensorReader, name: string, shape: readonly number[]): SourceTensor {
  const t = r.get(name);
  if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i]))
    throw refused('modelFiles.tensorShape', {
      file: r.label,
      tensor: name,
      shape: `${t.shape}`,
      expected: `${shape}`,
    });
  return t;
}

/** The integer n with n² = x, or undefined. */
export function exactSqrt(x: number): number | undefined {
  const n = Math.round(Math.sqrt(x));
  return n * n === x ? n : undefined;
}
