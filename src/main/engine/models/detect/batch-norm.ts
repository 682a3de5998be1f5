import type { StateDict } from '../state-dict';
import type { TensorReader } from './tensor-source';

/** PyTorch's BatchNorm2d default. */
const EPS = 1e-5;

/**
 * Folds an inference-mode BatchNorm that follows a conv into the conv: with s = γ/√(σ² + ε),
 * w′ = w·s per output channel and b′ = (b − μ)·s + β. Reads `${bn}.weight/bias/running_mean/
 * running_var` and updates `${conv}.weight/bias` in `out` in place.
 */
export function foldBatchNorm(r: TensorReader, bn: string, conv: string, out: StateDict): void {
  const gamma = r.get(`${bn}.weight`, 1).values;
  const beta = r.get(`${bn}.bias`, 1).values;
  const mean = r.get(`${bn}.running_mean`, 1).values;
  const variance = r.get(`${bn}.running_var`, 1).values;
  r.skip(`${bn}.num_batches_tracked`);
  const w = out.get(`${conv}.weight`)!;
  const b = out.get(`${conv}.bias`)!;
  const channels = b.length;
  if (gamma.length !== channels)
    throw new Error(`${r.label}: ${bn} has ${gamma.length} channels, its conv ${channels}`);
  const per = w.length / channels;
  const nw = new Float32Array(w.length);
  const nb = new Float32Array(channels);
  for (let o = 0; o < channels; o++) {
    const s = gamma[o] / Math.sqrt(variance[o] + EPS);
    for (let i = 0; i < per; i++) nw[o * per + i] = w[o * per + i] * s;
    nb[o] = (b[o] - mean[o]) * s + beta[o];
  }
  out.set(`${conv}.weight`, nw);
  out.set(`${conv}.bias`, nb);
}
