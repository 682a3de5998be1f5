// A deliberately naive forward pass of RRDBNet and SRVGGNetCompact written from the papers'
// definitions, used as the independent oracle for the ONNX graph builders.
import type { RrdbNetSpec, SrvggSpec } from '../../src/shared/architecture';
import type { StateDict } from '../../src/main/engine/models/state-dict';

export interface Chw {
  c: number;
  h: number;
  w: number;
  d: Float64Array;
}

const at = (x: Chw, c: number, y: number, xx: number): number =>
  y < 0 || y >= x.h || xx < 0 || xx >= x.w ? 0 : x.d[(c * x.h + y) * x.w + xx];

export function conv2d(x: Chw, weight: Float32Array, bias: Float32Array, out: number, k = 3): Chw {
  const p = (k - 1) / 2;
  const r: Chw = { c: out, h: x.h, w: x.w, d: new Float64Array(out * x.h * x.w) };
  for (let o = 0; o < out; o++)
    for (let y = 0; y < x.h; y++)
      for (let xx = 0; xx < x.w; xx++) {
        let s = bias[o];
        for (let i = 0; i < x.c; i++)
          for (let ky = 0; ky < k; ky++)
            for (let kx = 0; kx < k; kx++)
              s += weight[((o * x.c + i) * k + ky) * k + kx] * at(x, i, y + ky - p, xx + kx - p);
        r.d[(o * x.h + y) * x.w + xx] = s;
      }
  return r;
}

export const leakyRelu = (x: Chw, a = 0.2): Chw => ({
  ...x,
  d: x.d.map((v) => (v >= 0 ? v : a * v)),
});

export function prelu(x: Chw, slope: Float32Array): Chw {
  const d = new Float64Array(x.d.length);
  for (let i = 0; i < d.length; i++) {
    const c = Math.floor(i / (x.h * x.w));
    d[i] = x.d[i] >= 0 ? x.d[i] : slope[c] * x.d[i];
  }
  return { ...x, d };
}

export function nearest(x: Chw, s: number): Chw {
  const r: Chw = { c: x.c, h: x.h * s, w: x.w * s, d: new Float64Array(x.c * x.h * x.w * s * s) };
  for (let c = 0; c < x.c; c++)
    for (let y = 0; y < r.h; y++)
      for (let xx = 0; xx < r.w; xx++)
        r.d[(c * r.h + y) * r.w + xx] = at(x, c, Math.floor(y / s), Math.floor(xx / s));
  return r;
}

/** PyTorch pixel_shuffle: channel c·s²+i·s+j → pixel (y·s+i, x·s+j) of channel c. */
export function pixelShuffle(x: Chw, s: number): Chw {
  const c = x.c / (s * s);
  const r: Chw = { c, h: x.h * s, w: x.w * s, d: new Float64Array(x.d.length) };
  for (let ch = 0; ch < c; ch++)
    for (let i = 0; i < s; i++)
      for (let j = 0; j < s; j++)
        for (let y = 0; y < x.h; y++)
          for (let xx = 0; xx < x.w; xx++)
            r.d[(ch * r.h + y * s + i) * r.w + xx * s + j] = at(x, ch * s * s + i * s + j, y, xx);
  return r;
}

const cat = (xs: Chw[]): Chw => ({
  c: xs.reduce((n, x) => n + x.c, 0),
  h: xs[0].h,
  w: xs[0].w,
  d: Float64Array.from(xs.flatMap((x) => [...x.d])),
});
const axpy = (a: number, x: Chw, y: Chw): Chw => ({ ...x, d: x.d.map((v, i) => a * v + y.d[i]) });

function convNamed(x: Chw, w: StateDict, name: string): Chw {
  const weight = w.get(`${name}.weight`)!;
  const bias = w.get(`${name}.bias`)!;
  return conv2d(
    x,
    weight,
    bias,
    bias.length,
    Math.round(Math.sqrt(weight.length / bias.length / x.c)),
  );
}

/** RRDBNet (×4 or ×8), BasicSR names. */
export function referenceRrdb(spec: RrdbNetSpec, w: StateDict, x: Chw): Chw {
  const first = convNamed(x, w, 'conv_first');
  let trunk = first;
  for (let b = 0; b < spec.blocks; b++) {
    let y = trunk;
    for (let r = 1; r <= 3; r++) {
      const p = `body.${b}.rdb${r}`;
      const feats = [y];
      for (let c = 1; c <= 4; c++) feats.push(leakyRelu(convNamed(cat(feats), w, `${p}.conv${c}`)));
      y = axpy(0.2, convNamed(cat(feats), w, `${p}.conv5`), y);
    }
    trunk = axpy(0.2, y, trunk);
  }
  let feat = axpy(1, convNamed(trunk, w, 'conv_body'), first);
  const stages = spec.scale === 8 ? 3 : 2;
  for (let s = 1; s <= stages; s++) feat = leakyRelu(convNamed(nearest(feat, 2), w, `conv_up${s}`));
  return convNamed(leakyRelu(convNamed(feat, w, 'conv_hr')), w, 'conv_last');
}

/** SRVGGNetCompact with PReLU. */
export function referenceSrvgg(spec: SrvggSpec, w: StateDict, x: Chw): Chw {
  let y = prelu(convNamed(x, w, 'body.0'), w.get('body.1.weight')!);
  for (let i = 0; i < spec.convs; i++)
    y = prelu(convNamed(y, w, `body.${2 + 2 * i}`), w.get(`body.${3 + 2 * i}.weight`)!);
  const out = pixelShuffle(convNamed(y, w, `body.${2 + 2 * spec.convs}`), spec.scale);
  return axpy(1, out, nearest(x, spec.scale));
}
