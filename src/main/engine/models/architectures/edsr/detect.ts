import type { EdsrSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import {
  copyConv,
  indicesOf,
  type DetectOptions,
  type DetectedModel,
} from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';
import { msg, type EngineMessage } from '../../../../../shared/engine-message';

/** The DIV2K RGB mean EDSR subtracts (EDSR-PyTorch and BasicSR). */
const DIV2K_MEAN = [0.4488, 0.4371, 0.404];

function scaleOf(r: TensorReader, features: number, ups: number[][]): EdsrSpec['scale'] {
  const factors = ups.map((s) => Math.round(Math.sqrt(s[0] / features)));
  const scale = factors.reduce((a, b) => a * b, 1);
  const ok =
    factors.every((f, i) => f * f * features === ups[i][0]) &&
    (factors.length <= 1 ? [1, 2, 3].includes(scale) : factors.every((f) => f === 2));
  if (!ok)
    throw new Error(
      `${r.label}: EDSR upsampler convs of ${ups.map((s) => s[0]).join(', ')} channels`,
    );
  return scale as EdsrSpec['scale'];
}

/** A MeanShift (1×1 conv): identity weight over std, bias ± range·mean/std. */
function meanShift(channels: number, range: number, sign: number): [Float32Array, Float32Array] {
  const w = new Float32Array(channels * channels);
  const b = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    w[c * channels + c] = 1;
    b[c] = sign * range * (DIV2K_MEAN[c] ?? 0.5);
  }
  return [w, b];
}

/**
 * The pixel range a checkpoint's sub_mean was built for: its bias is −range·mean/std and its weight
 * 1/std, so range = −bias·std/mean with the DIV2K mean. Snapped to 255 or 1 when within 2 %.
 */
function rangeFromSubMean(r: TensorReader, w: Float32Array, b: Float32Array): number {
  const c = 0;
  const std = 1 / w[0];
  const range = (-b[c] * std) / DIV2K_MEAN[c];
  for (const snap of [255, 1]) if (Math.abs(range / snap - 1) < 0.02) return snap;
  throw new Error(
    `${r.label}: EDSR sub_mean does not match the DIV2K mean at range 1 or 255 (range ≈ ${range.toFixed(3)}); give the pixel range explicitly`,
  );
}

function finish(
  r: TensorReader,
  out: StateDict,
  first: number[],
  last: number[],
  blocks: number,
  ups: number[][],
  layout: string,
  opt: DetectOptions,
  range: number,
  notes: EngineMessage[],
): DetectedModel {
  const features = first[0];
  const resScale = opt.resScale ?? (features >= 256 ? 0.1 : 1);
  if (opt.resScale === undefined)
    notes.push(msg('modelFiles.noteResScaleAssumed', { resScale, features }));
  const spec: EdsrSpec = {
    kind: 'edsr',
    inChannels: first[1],
    outChannels: last[0],
    features,
    blocks,
    scale: scaleOf(r, features, ups),
    resScale,
    rgbRange: range,
  };
  r.assertAllUsed(layout);
  return { spec, weights: out, layout, notes };
}

/** EDSR-PyTorch names: sub_mean, head.0, body.N.body.0/2, body.NB, tail.0.K, tail.1, add_mean. */
export function detectEdsrOfficial(r: TensorReader, opt: DetectOptions): DetectedModel {
  const out: StateDict = new Map();
  const notes: EngineMessage[] = [];
  const first = copyConv(r, 'head.0', 'conv_first', out);
  const channels = first[1];
  let range = opt.rgbRange ?? 255;
  if (r.has('sub_mean.weight')) {
    copyConv(r, 'sub_mean', 'sub_mean', out);
    copyConv(r, 'add_mean', 'add_mean', out);
    if (opt.rgbRange === undefined)
      range = rangeFromSubMean(r, out.get('sub_mean.weight')!, out.get('sub_mean.bias')!);
  } else {
    const [w, b] = meanShift(channels, range, -1);
    out.set('sub_mean.weight', w).set('sub_mean.bias', b);
    const [w2, b2] = meanShift(channels, range, 1);
    out.set('add_mean.weight', w2).set('add_mean.bias', b2);
    notes.push(msg('modelFiles.noteMeanShiftAssumed', { range }));
  }
  const blocks = r.count('body.', '.body.0.weight');
  for (let b = 0; b < blocks; b++) {
    copyConv(r, `body.${b}.body.0`, `body.${b}.conv1`, out);
    copyConv(r, `body.${b}.body.2`, `body.${b}.conv2`, out);
  }
  copyConv(r, `body.${blocks}`, 'conv_after_body', out);
  const ups = indicesOf(r, 'tail.0.').map((k, i) =>
    copyConv(r, `tail.0.${k}`, `upsample.${2 * i}`, out),
  );
  const last = copyConv(r, 'tail.1', 'conv_last', out);
  return finish(r, out, first, last, blocks, ups, 'EDSR (EDSR-PyTorch layout)', opt, range, notes);
}

/** BasicSR names: conv_first, body.N.conv1/conv2, conv_after_body, upsample.K, conv_last. */
export function detectEdsrBasicSr(r: TensorReader, opt: DetectOptions): DetectedModel {
  const out: StateDict = new Map();
  const range = opt.rgbRange ?? 255;
  const first = copyConv(r, 'conv_first', 'conv_first', out);
  const [w, b] = meanShift(first[1], range, -1);
  out.set('sub_mean.weight', w).set('sub_mean.bias', b);
  const blocks = r.count('body.', '.conv1.weight');
  for (let k = 0; k < blocks; k++) {
    copyConv(r, `body.${k}.conv1`, `body.${k}.conv1`, out);
    copyConv(r, `body.${k}.conv2`, `body.${k}.conv2`, out);
  }
  copyConv(r, 'conv_after_body', 'conv_after_body', out);
  const ups = indicesOf(r, 'upsample.').map((k, i) =>
    copyConv(r, `upsample.${k}`, `upsample.${2 * i}`, out),
  );
  const last = copyConv(r, 'conv_last', 'conv_last', out);
  const [w2, b2] = meanShift(last[0], range, 1);
  out.set('add_mean.weight', w2).set('add_mean.bias', b2);
  const notes = [msg('modelFiles.noteMeanShiftBasicSr', { range })];
  return finish(r, out, first, last, blocks, ups, 'EDSR (BasicSR layout)', opt, range, notes);
}
