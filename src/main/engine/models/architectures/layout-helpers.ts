import type { TensorSpec } from '../state-dict';

/** The weight and bias of a k×k convolution from `inp` to `out` channels. */
export function conv(name: string, out: number, inp: number, k = 3): TensorSpec[] {
  return [
    { name: `${name}.weight`, shape: [out, inp, k, k] },
    { name: `${name}.bias`, shape: [out] },
  ];
}

/** The pixel-shuffle factors of an upsampler for a scale: ×3 one ×3 stage, 2^n n ×2 stages. */
export function shuffleStages(scale: number): number[] {
  if (scale === 3) return [3];
  const out: number[] = [];
  for (let s = scale; s > 1; s /= 2) {
    if (s % 2 !== 0) throw new Error(`no pixel-shuffle upsampler for ×${scale}`);
    out.push(2);
  }
  return out;
}
