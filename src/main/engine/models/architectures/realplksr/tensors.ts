import type { RealPlksrSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv } from '../layout-helpers';

/** Index of the last conv in `feats` (after the blocks and a Dropout2d, which has no tensors). */
export const lastFeat = (spec: RealPlksrSpec): number => spec.blocks + 2;

/** Channels DySample works on: the feature output plus the repeated input, out·scale². */
export const dysampleChannels = (spec: RealPlksrSpec): number =>
  spec.outChannels * spec.scale * spec.scale;

/** DySample's offset groups (2·groups·scale² offset channels). */
export function dysampleGroups(spec: RealPlksrSpec): number {
  return spec.dysampleGroups ?? 4;
}

/** RealPLKSR's weights under upstream names, network order. */
export function realPlksrTensors(spec: RealPlksrSpec): TensorSpec[] {
  const d = spec.features;
  const out: TensorSpec[] = [...conv('feats.0', d, spec.inChannels)];
  for (let b = 1; b <= spec.blocks; b++) {
    const p = `feats.${b}`;
    if (spec.norm === 'layer')
      out.push(
        { name: `${p}.layer_norm.weight`, shape: [d] },
        { name: `${p}.layer_norm.bias`, shape: [d] },
      );
    out.push(...conv(`${p}.channel_mixer.0`, 2 * d, d), ...conv(`${p}.channel_mixer.2`, d, 2 * d));
    out.push(...conv(`${p}.lk.conv`, spec.split, spec.split, spec.kernelSize));
    if (spec.attention) out.push(...conv(`${p}.attn.f.0`, d, d));
    out.push(...conv(`${p}.refine`, d, d, 1));
    if (spec.norm === 'group')
      out.push({ name: `${p}.norm.weight`, shape: [d] }, { name: `${p}.norm.bias`, shape: [d] });
  }
  const s2 = spec.scale * spec.scale;
  out.push(...conv(`feats.${lastFeat(spec)}`, spec.outChannels * s2, d));
  if (spec.upsampler === 'dysample') {
    const c = dysampleChannels(spec);
    const o = 2 * dysampleGroups(spec) * s2;
    if (spec.scale !== 1) out.push(...conv('to_img.end_conv', spec.outChannels, c, 1));
    out.push(...conv('to_img.offset', o, c, 1), {
      name: 'to_img.scope.weight',
      shape: [o, c, 1, 1],
    });
  }
  return out;
}

/** DySample's fixed initial sampling positions, as its `init_pos` buffer holds them. */
export function dysampleInitPos(scale: number, groups: number): Float32Array {
  // h = arange((1 − s)/2, (s − 1)/2 + 1) / s; stack(meshgrid(h, h, 'ij')).transpose(1, 2),
  // repeated over groups: component 0 varies along the column, component 1 along the row.
  const h = Array.from({ length: scale }, (_, i) => ((1 - scale) / 2 + i) / scale);
  const out = new Float32Array(2 * groups * scale * scale);
  let k = 0;
  for (let comp = 0; comp < 2; comp++)
    for (let g = 0; g < groups; g++)
      for (let i = 0; i < scale; i++)
        for (let j = 0; j < scale; j++) out[k++] = comp === 0 ? h[j] : h[i];
  return out;
}
