import type { RcanSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv, shuffleStages } from '../layout-helpers';

/** Canonical (BasicSR) name of block `b` of residual group `g`. */
export const rcab = (g: number, b: number): string => `body.${g}.residual_group.${b}.rcab`;

/** RCAN's weights under BasicSR's names, MeanShifts as 1×1 convolutions, network order. */
export function rcanTensors(spec: RcanSpec): TensorSpec[] {
  const f = spec.features;
  const out: TensorSpec[] = [
    ...conv('sub_mean', spec.inChannels, spec.inChannels, 1),
    ...conv('conv_first', f, spec.inChannels),
  ];
  for (let g = 0; g < spec.groups; g++) {
    for (let b = 0; b < spec.blocks; b++) {
      const p = rcab(g, b);
      out.push(...conv(`${p}.0`, f, f), ...conv(`${p}.2`, f, f));
      out.push(...conv(`${p}.3.attention.1`, spec.squeeze, f, 1));
      out.push(...conv(`${p}.3.attention.3`, f, spec.squeeze, 1));
    }
    out.push(...conv(`body.${g}.conv`, f, f));
  }
  out.push(...conv('conv_after_body', f, f));
  shuffleStages(spec.scale).forEach((s, i) => out.push(...conv(`upsample.${2 * i}`, f * s * s, f)));
  out.push(
    ...conv('conv_last', spec.outChannels, f),
    ...conv('add_mean', spec.outChannels, spec.outChannels, 1),
  );
  return out;
}
