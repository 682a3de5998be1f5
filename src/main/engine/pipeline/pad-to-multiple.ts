import type { Tensor4 } from '../runtime/inference-session';

/**
 * Runs `run` on `input` padded at the bottom and right (edge pixels repeated) so its height and
 * width are multiples of `m`, and crops the output back to `scale`× the original size. Models
 * that pixel-unshuffle their input (Real-ESRGAN x2plus / x1) need this for odd-sized tiles.
 */
export async function runPadded(
  input: Tensor4,
  m: number,
  scale: number,
  run: (t: Tensor4) => Promise<Tensor4>,
): Promise<Tensor4> {
  const [n, c, h, w] = input.dims;
  const ph = Math.ceil(h / m) * m;
  const pw = Math.ceil(w / m) * m;
  if (m <= 1 || (ph === h && pw === w)) return run(input);
  const padded = new Float32Array(n * c * ph * pw);
  for (let p = 0; p < n * c; p++) {
    for (let y = 0; y < ph; y++) {
      const src = p * h * w + Math.min(y, h - 1) * w;
      const dst = p * ph * pw + y * pw;
      padded.set(input.data.subarray(src, src + w), dst);
      padded.fill(input.data[src + w - 1], dst + w, dst + pw);
    }
  }
  const out = await run({ data: padded, dims: [n, c, ph, pw] });
  const [, oc, oh, ow] = out.dims;
  const H = h * scale;
  const W = w * scale;
  if (oh !== ph * scale || ow !== pw * scale)
    throw new Error(`model returned ${ow}×${oh} for a ${pw}×${ph} input at ×${scale}`);
  const cropped = new Float32Array(n * oc * H * W);
  for (let p = 0; p < n * oc; p++)
    for (let y = 0; y < H; y++)
      cropped.set(
        out.data.subarray(p * oh * ow + y * ow, p * oh * ow + y * ow + W),
        p * H * W + y * W,
      );
  return { data: cropped, dims: [n, oc, H, W] };
}
