import type { EdsrSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv, shuffleStages } from '../layout-helpers';

/** EDSR's weights (MeanShifts as 1×1 convolutions), network order. */
export function edsrTensors(spec: EdsrSpec): TensorSpec[] {
  const f = spec.features;
  const out: TensorSpec[] = [
    ...conv('sub_mean', spec.inChannels, spec.inChannels, 1),
    ...conv('conv_first', f, spec.inChannels),
  ];
  for (let b = 0; b < spec.blocks; b++)
    out.push(...conv(`body.${b}.conv1`, f, f), ...conv(`body.${b}.conv2`, f, f));
  out.push(...conv('conv_after_body', f, f));
  shuffleStages(spec.scale).forEach((s, i) => out.push(...conv(`upsample.${2 * i}`, f * s * s, f)));
  out.push(
    ...conv('conv_last', spec.outChannels, f),
    ...conv('add_mean', spec.outChannels, spec.outChannels, 1),
  );
  return out;
}
