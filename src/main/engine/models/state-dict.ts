/** One named weight tensor of a generator and its shape (PyTorch layout, OIHW for convolutions). */
export interface TensorSpec {
  name: string;
  shape: number[];
}

/** Weights of a model by tensor name, fp32. */
export type StateDict = Map<string, Float32Array>;

/** Number of values in a tensor of this shape. */
export function elementCount(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
