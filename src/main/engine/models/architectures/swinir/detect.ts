import type { SwinIrSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { indicesOf, type DetectedModel } from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';
import { exactSqrt, getShaped } from '../shape-check';
import { attentionMask, blockName, relativePositionIndex, swinIrTensors } from './tensors';
import { msg } from '../../../../../shared/engine-message';
import { refused } from '../../refusal';

type Upsampler = SwinIrSpec['upsampler'];

/** Which of upstream's four tails the file has, from its tensor names; refuses any other. */
function upsamplerOf(r: TensorReader): Upsampler {
  const before = r.has('conv_before_upsample.0.weight');
  const up = r.has('upsample.0.weight');
  if (r.has('conv_up1.weight') && before) return 'nearest+conv';
  if (up && before) return 'pixelshuffle';
  if (up && !before) return 'pixelshuffledirect';
  if (
    !before &&
    r.has('conv_last.weight') &&
    ![...r.tensors.keys()].some((k) => k.startsWith('upsample.'))
  )
    return 'none';
  const tail = [...r.tensors.keys()].filter((k) =>
    /^(upsample|conv_before_upsample|conv_up|conv_hr|conv_last)/.test(k),
  );
  throw refused('modelFiles.swinirUpsampler', {
    file: r.label,
    count: tail.length,
    tensors: tail.slice(0, 8).join(', '),
  });
}

function scaleOf(r: TensorReader, up: Upsampler, f: number, out: number): number {
  if (up === 'none') return 1;
  if (up === 'nearest+conv') return r.has('conv_up2.weight') ? 4 : 2;
  if (up === 'pixelshuffledirect') {
    const c = r.get('upsample.0.weight', 4).shape[0];
    const s = c % out === 0 ? exactSqrt(c / out) : undefined;
    if (s === undefined)
      throw new Error(`${r.label}: SwinIR upsample.0.weight has ${c} channels, not ${out}·scale²`);
    return s;
  }
  const stages = indicesOf(r, 'upsample.').map(
    (k) => r.get(`upsample.${k}.weight`, 4).shape[0] / f,
  );
  const scale = stages.length === 1 && stages[0] === 9 ? 3 : 2 ** stages.length;
  if (!(stages.length === 1 && stages[0] === 9) && !stages.every((x) => x === 4))
    throw new Error(
      `${r.label}: SwinIR upsample.* convs of ${stages.map((x) => x * f).join(', ')} channels`,
    );
  return scale;
}

/** Checks a stored int64 / mask buffer against what Upres recomputes, naming it when they differ. */
function checkBuffer(r: TensorReader, name: string, want: ArrayLike<number>, tol: number): void {
  const t = r.get(name);
  const n = want.length;
  if (t.values.length !== n || t.values.some((v, i) => Math.abs(v - want[i]) > tol))
    throw new Error(`${r.label}: SwinIR buffer ${name} is not what the window layout gives`);
}

/**
 * SwinIR in upstream names (JingyunLiang/SwinIR; traiNNer-redux and neosr keep them). Sizes come
 * from tensor shapes: the window from relative_position_bias_table, heads per group from its
 * columns, the image size it was trained at from a stored attn_mask. The buffers
 * (relative_position_index, attn_mask) are recomputed and checked, not used.
 */
export function detectSwinIr(r: TensorReader): DetectedModel {
  if (r.has('absolute_pos_embed'))
    throw new Error(
      `${r.label}: SwinIR with an absolute position embedding (absolute_pos_embed) only runs at its training size; not supported`,
    );
  const first = r.get('conv_first.weight', 4).shape;
  const [embedDim, inChannels] = first;
  const groups = r.count('layers.', '.residual_group.blocks.0.norm1.weight');
  const depths = Array.from({ length: groups }, (_, l) =>
    r.count(`layers.${l}.residual_group.blocks.`, '.norm1.weight'),
  );
  const table = r.get(`${blockName(0, 0)}.attn.relative_position_bias_table`, 2).shape;
  const ws = exactSqrt(table[0]) !== undefined ? (exactSqrt(table[0])! + 1) / 2 : NaN;
  if (!Number.isInteger(ws))
    throw new Error(
      `${r.label}: SwinIR ${blockName(0, 0)}.attn.relative_position_bias_table has ${table[0]} rows, not (2·window − 1)²`,
    );
  const heads = depths.map(
    (_, l) => r.get(`${blockName(l, 0)}.attn.relative_position_bias_table`, 2).shape[1],
  );
  const upsampler = upsamplerOf(r);
  const features =
    upsampler === 'pixelshuffle' || upsampler === 'nearest+conv'
      ? r.get('conv_before_upsample.0.weight', 4).shape[0]
      : embedDim;
  const outChannels =
    upsampler === 'pixelshuffledirect' ? inChannels : r.get('conv_last.weight', 4).shape[0];
  const shifted = depths.some((d, l) => d > 1 && r.has(`${blockName(l, 1)}.attn_mask`));
  const spec: SwinIrSpec = {
    kind: 'swinir',
    inChannels,
    outChannels,
    embedDim,
    depths,
    heads,
    windowSize: ws,
    shift: shifted,
    mlpHidden: r.get(`${blockName(0, 0)}.mlp.fc1.weight`, 2).shape[0],
    qkvBias: r.has(`${blockName(0, 0)}.attn.qkv.bias`),
    patchNorm: r.has('patch_embed.norm.weight'),
    resiConnection:
      r.has('layers.0.conv.weight') || r.has('conv_after_body.weight') ? '1conv' : '3conv',
    upsampler,
    features,
    scale: scaleOf(r, upsampler, features, inChannels),
  };
  if (inChannels !== 3 || outChannels !== 3)
    throw new Error(
      `${r.label}: SwinIR with ${inChannels} → ${outChannels} channels (conv_first.weight); Upres runs RGB SwinIR`,
    );
  const out: StateDict = new Map();
  for (const t of swinIrTensors(spec)) out.set(t.name, getShaped(r, t.name, t.shape).values);
  const index = relativePositionIndex(ws);
  const shift = Math.floor(ws / 2);
  spec.depths.forEach((depth, l) => {
    for (let b = 0; b < depth; b++) {
      const p = blockName(l, b);
      if (r.has(`${p}.attn.relative_position_index`))
        checkBuffer(r, `${p}.attn.relative_position_index`, index, 0);
      const mask = `${p}.attn_mask`;
      if (!r.has(mask)) {
        if (b % 2 === 1 && spec.shift)
          throw new Error(`${r.label}: SwinIR block ${p} lacks its shifted-window mask ${mask}`);
        continue;
      }
      if (b % 2 === 0) throw new Error(`${r.label}: SwinIR ${mask} on an unshifted block`);
      const t = r.get(mask, 3);
      const side = Math.round(Math.sqrt(t.shape[0])) * ws;
      checkBuffer(r, mask, attentionMask(side, side, ws, shift), 0);
    }
  });
  const layout = `SwinIR (official / traiNNer-redux / neosr, ${upsampler})`;
  r.assertAllUsed(layout);
  const notes = [msg('modelFiles.noteSwinirBuffers')];
  return { spec, weights: out, layout, notes };
}
