import type { RealPlksrSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { indicesOf, type DetectedModel } from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';
import { exactSqrt, getShaped } from '../shape-check';
import { dysampleInitPos, lastFeat, realPlksrTensors } from './tensors';
import { msg, type EngineMessage } from '../../../../../shared/engine-message';
import { refused } from '../../refusal';

/** neosr's (and spandrel's) GroupNorm group count: not recorded in the weights. */
const NORM_GROUPS = 4;

/**
 * RealPLKSR as neosr and traiNNer-redux save it: `feats.0` conv, `feats.1…n` PLK blocks, a
 * Dropout2d without tensors, `feats.{n+2}` conv; `to_img` is a PixelShuffle (no tensors) or a
 * DySample (`to_img.offset`, `.scope`, `.end_conv`, buffer `.init_pos`).
 */
export function detectRealPlksr(r: TensorReader): DetectedModel {
  const first = r.get('feats.0.weight', 4).shape;
  const [features, inChannels] = first;
  const last = indicesOf(r, 'feats.').at(-1) ?? 0;
  const blocks = last - 2;
  if (
    blocks < 1 ||
    !r.has(`feats.${blocks}.channel_mixer.0.weight`) ||
    r.has(`feats.${last - 1}.weight`)
  )
    throw new Error(
      `${r.label}: RealPLKSR feats.${last} is not the conv after ${blocks} blocks and a dropout (feats.${blocks}.channel_mixer.0.weight)`,
    );
  const tail = r.get(`feats.${last}.weight`, 4).shape[0];
  const lk = r.get('feats.1.lk.conv.weight', 4).shape;
  const dysample = r.has('to_img.offset.weight') || r.has('to_img.init_pos');
  // The input is repeated scale² times and added to the tail, so out channels equal in channels.
  const scale = tail % inChannels === 0 ? exactSqrt(tail / inChannels) : undefined;
  if (scale === undefined)
    throw new Error(
      `${r.label}: RealPLKSR feats.${last}.weight has ${tail} channels, not ${inChannels}·scale²`,
    );
  const spec: RealPlksrSpec = {
    kind: 'realplksr',
    inChannels,
    outChannels: inChannels,
    features,
    blocks,
    kernelSize: lk[2],
    split: lk[0],
    attention: r.has('feats.1.attn.f.0.weight'),
    norm: r.has('feats.1.layer_norm.weight') ? 'layer' : 'group',
    normGroups: NORM_GROUPS,
    scale,
    upsampler: dysample ? 'dysample' : 'pixelshuffle',
  };
  const notes: EngineMessage[] = [];
  if (dysample) {
    const off = r.get('to_img.offset.weight', 4).shape[0];
    const groups = off / (2 * scale * scale);
    const c = inChannels * scale * scale;
    if (!Number.isInteger(groups) || c % groups !== 0)
      throw new Error(
        `${r.label}: RealPLKSR DySample to_img.offset.weight has ${off} channels, not 2·groups·${scale}² for groups dividing ${c}`,
      );
    spec.dysampleGroups = groups;
    const pos = getShaped(r, 'to_img.init_pos', [1, off, 1, 1]).values;
    const want = dysampleInitPos(scale, groups);
    if (pos.some((v, i) => Math.abs(v - want[i]) > 1e-6))
      throw new Error(
        `${r.label}: RealPLKSR DySample to_img.init_pos is not DySample's grid for ×${scale}, ${groups} groups`,
      );
  }
  if (spec.norm === 'group')
    notes.push(msg('modelFiles.noteGroupNormAssumed', { groups: NORM_GROUPS }));
  const out: StateDict = new Map();
  for (const t of realPlksrTensors(spec)) out.set(t.name, getShaped(r, t.name, t.shape).values);
  if (spec.norm === 'group' && features % NORM_GROUPS !== 0)
    throw new Error(
      `${r.label}: RealPLKSR feats.1.norm.weight has ${features} channels, not a multiple of ${NORM_GROUPS}`,
    );
  if (lastFeat(spec) !== last) throw new Error(`${r.label}: RealPLKSR feats.${last} out of place`);
  const layout = `RealPLKSR (neosr / traiNNer-redux, ${spec.norm} norm, ${spec.upsampler})`;
  r.assertAllUsed(layout);
  return { spec, weights: out, layout, notes };
}

/**
 * The original PLKSR (dslisleedh/PLKSR) shares `feats.N` names but spells `channe_mixer` and has
 * other block variants; it is recognised so that it is refused by name rather than misread.
 */
export function refusePlksr(r: TensorReader): DetectedModel {
  throw refused('modelFiles.plksrRefused', { file: r.label });
}
