import type { RcanSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import {
  copyConv,
  indicesOf,
  type DetectOptions,
  type DetectedModel,
} from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';
import { rcab } from './tensors';
import { msg, type EngineMessage } from '../../../../../shared/engine-message';

const DIV2K_MEAN = [0.4488, 0.4371, 0.404];

/** A MeanShift (1×1 conv): identity weight, bias sign·range·mean (std 1, as both projects). */
function meanShift(out: StateDict, name: string, c: number, range: number, sign: number): void {
  const w = new Float32Array(c * c);
  const b = new Float32Array(c);
  for (let i = 0; i < c; i++) {
    w[i * c + i] = 1;
    b[i] = sign * range * (DIV2K_MEAN[i] ?? 0.5);
  }
  out.set(`${name}.weight`, w).set(`${name}.bias`, b);
}

/** The pixel range a stored sub_mean was built for (bias = −range·mean), snapped to 255 or 1. */
function rangeOf(r: TensorReader, bias: Float32Array): number {
  const range = -bias[0] / DIV2K_MEAN[0];
  for (const snap of [255, 1]) if (Math.abs(range / snap - 1) < 0.02) return snap;
  throw new Error(
    `${r.label}: RCAN sub_mean.bias does not match the DIV2K mean at range 1 or 255 (≈ ${range.toFixed(3)})`,
  );
}

function scaleOf(r: TensorReader, f: number, ups: number[][], where: string): RcanSpec['scale'] {
  const factors = ups.map((s) => Math.round(Math.sqrt(s[0] / f)));
  const scale = factors.reduce((a, b) => a * b, 1);
  const ok =
    factors.every((k, i) => k * k * f === ups[i][0]) &&
    (factors.length === 1 ? [2, 3].includes(scale) : factors.every((k) => k === 2));
  if (!ok || ![2, 3, 4, 8].includes(scale))
    throw new Error(
      `${r.label}: RCAN upsampler ${where} of ${ups.map((s) => s[0]).join(', ')} channels`,
    );
  return scale as RcanSpec['scale'];
}

function finish(
  r: TensorReader,
  out: StateDict,
  dims: { first: number[]; last: number[]; groups: number; blocks: number; squeeze: number },
  scale: RcanSpec['scale'],
  rgbRange: number,
  layout: string,
  notes: EngineMessage[],
): DetectedModel {
  const spec: RcanSpec = {
    kind: 'rcan',
    inChannels: dims.first[1],
    outChannels: dims.last[0],
    features: dims.first[0],
    groups: dims.groups,
    blocks: dims.blocks,
    squeeze: dims.squeeze,
    scale,
    rgbRange,
  };
  r.assertAllUsed(layout);
  return { spec, weights: out, layout, notes };
}

/** yulunzhang/RCAN (and traiNNer-redux): head.0, body.G.body.B.body.{0,2,3.conv_du.{0,2}}, … */
export function detectRcanOfficial(r: TensorReader, opt: DetectOptions): DetectedModel {
  const out: StateDict = new Map();
  const notes: EngineMessage[] = [];
  const first = copyConv(r, 'head.0', 'conv_first', out);
  let range = opt.rgbRange ?? 255;
  if (r.has('sub_mean.weight')) {
    copyConv(r, 'sub_mean', 'sub_mean', out);
    copyConv(r, 'add_mean', 'add_mean', out);
    if (opt.rgbRange === undefined) range = rangeOf(r, out.get('sub_mean.bias')!);
  } else {
    meanShift(out, 'sub_mean', first[1], range, -1);
    meanShift(out, 'add_mean', first[1], range, 1);
    notes.push(msg('modelFiles.noteMeanShiftAssumed', { range }));
  }
  const groups = r.count('body.', '.body.0.body.0.weight');
  const blocks = r.count('body.0.body.', '.body.0.weight');
  let squeeze = 0;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      const p = `body.${g}.body.${b}.body`;
      copyConv(r, `${p}.0`, `${rcab(g, b)}.0`, out);
      copyConv(r, `${p}.2`, `${rcab(g, b)}.2`, out);
      squeeze = copyConv(r, `${p}.3.conv_du.0`, `${rcab(g, b)}.3.attention.1`, out)[0];
      copyConv(r, `${p}.3.conv_du.2`, `${rcab(g, b)}.3.attention.3`, out);
    }
    copyConv(r, `body.${g}.body.${blocks}`, `body.${g}.conv`, out);
  }
  copyConv(r, `body.${groups}`, 'conv_after_body', out);
  const ups = indicesOf(r, 'tail.0.').map((k, i) =>
    copyConv(r, `tail.0.${k}`, `upsample.${2 * i}`, out),
  );
  const last = copyConv(r, 'tail.1', 'conv_last', out);
  const scale = scaleOf(r, first[0], ups, 'tail.0');
  const dims = { first, last, groups, blocks, squeeze };
  return finish(r, out, dims, scale, range, 'RCAN (official / traiNNer-redux layout)', notes);
}

/** BasicSR: conv_first, body.G.residual_group.B.rcab.{0,2,3.attention.{1,3}}, body.G.conv, … */
export function detectRcanBasicSr(r: TensorReader, opt: DetectOptions): DetectedModel {
  const out: StateDict = new Map();
  const range = opt.rgbRange ?? 255;
  const first = copyConv(r, 'conv_first', 'conv_first', out);
  meanShift(out, 'sub_mean', first[1], range, -1);
  const groups = r.count('body.', '.residual_group.0.rcab.0.weight');
  const blocks = r.count('body.0.residual_group.', '.rcab.0.weight');
  let squeeze = 0;
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < blocks; b++) {
      const p = rcab(g, b);
      copyConv(r, `${p}.0`, `${p}.0`, out);
      copyConv(r, `${p}.2`, `${p}.2`, out);
      squeeze = copyConv(r, `${p}.3.attention.1`, `${p}.3.attention.1`, out)[0];
      copyConv(r, `${p}.3.attention.3`, `${p}.3.attention.3`, out);
    }
    copyConv(r, `body.${g}.conv`, `body.${g}.conv`, out);
  }
  copyConv(r, 'conv_after_body', 'conv_after_body', out);
  const ups = indicesOf(r, 'upsample.').map((k, i) =>
    copyConv(r, `upsample.${k}`, `upsample.${2 * i}`, out),
  );
  const last = copyConv(r, 'conv_last', 'conv_last', out);
  meanShift(out, 'add_mean', last[0], range, 1);
  const notes = [msg('modelFiles.noteMeanShiftBasicSr', { range })];
  const scale = scaleOf(r, first[0], ups, 'upsample');
  const dims = { first, last, groups, blocks, squeeze };
  return finish(r, out, dims, scale, range, 'RCAN (BasicSR layout)', notes);
}
