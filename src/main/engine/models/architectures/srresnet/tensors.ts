import type { SrResNetSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv, shuffleStages } from '../layout-helpers';

/** SRResNet's weights in both variants (see SrResNetSpec), network order. */
export function srresnetTensors(spec: SrResNetSpec): TensorSpec[] {
  const f = spec.features;
  const srgan = spec.variant === 'srgan';
  const k = srgan ? 9 : 3;
  const p = spec.preluChannels ?? 1;
  const prelu = (name: string): TensorSpec[] => (srgan ? [{ name, shape: [p] }] : []);
  const out: TensorSpec[] = [
    ...conv('conv_first', f, spec.inChannels, k),
    ...prelu('act_first.weight'),
  ];
  for (let b = 0; b < spec.blocks; b++) {
    out.push(
      ...conv(`body.${b}.conv1`, f, f),
      ...prelu(`body.${b}.act.weight`),
      ...conv(`body.${b}.conv2`, f, f),
    );
  }
  if (srgan) out.push(...conv('conv_body', f, f));
  shuffleStages(spec.scale).forEach((s, i) => {
    out.push(...conv(`upconv${i + 1}`, f * s * s, f), ...prelu(`up_act${i + 1}.weight`));
  });
  if (!srgan) out.push(...conv('conv_hr', f, f));
  out.push(...conv('conv_last', spec.outChannels, f, k));
  return out;
}
