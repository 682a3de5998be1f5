import type { SpanSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv } from '../layout-helpers';

/** SPAN's Conv3XC gain: the 1×1 → 3×3 → 1×1 chain is twice as wide inside. */
export const GAIN = 2;

/** The training-time tensors of one Conv3XC (the stored eval_conv is derived from them). */
export function conv3xc(name: string, inp: number, out: number): TensorSpec[] {
  return [
    ...conv(`${name}.sk`, out, inp, 1),
    ...conv(`${name}.conv.0`, inp * GAIN, inp, 1),
    ...conv(`${name}.conv.1`, out * GAIN, inp * GAIN, 3),
    ...conv(`${name}.conv.2`, out, out * GAIN, 1),
  ];
}

/** Every Conv3XC of SPAN by name with its input and output channels, in network order. */
export function spanConvs(spec: SpanSpec): [string, number, number][] {
  const f = spec.features;
  const out: [string, number, number][] = [['conv_1', spec.inChannels, f]];
  for (let b = 1; b <= 6; b++) for (let c = 1; c <= 3; c++) out.push([`block_${b}.c${c}_r`, f, f]);
  out.push(['conv_2', f, f]);
  return out;
}

/** SPAN's weights (upstream names, eval_conv left out), network order. */
export function spanTensors(spec: SpanSpec): TensorSpec[] {
  const f = spec.features;
  const s = spec.scale;
  const convs = spanConvs(spec).flatMap(([n, i, o]) => conv3xc(n, i, o));
  return [
    ...convs.slice(0, -8),
    ...conv('conv_cat', f, 4 * f, 1),
    ...convs.slice(-8),
    ...conv('upsampler.0', spec.outChannels * s * s, f),
  ];
}
