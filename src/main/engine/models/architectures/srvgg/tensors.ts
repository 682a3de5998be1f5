import type { SrvggSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv } from '../layout-helpers';

/** SRVGGNetCompact's weights: body.0 conv, body.1 PReLU, …, body.2K conv to out·scale². */
export function srvggTensors(spec: SrvggSpec): TensorSpec[] {
  const f = spec.features;
  const out: TensorSpec[] = [
    ...conv('body.0', f, spec.inChannels),
    { name: 'body.1.weight', shape: [f] },
  ];
  for (let i = 0; i < spec.convs; i++) {
    out.push(...conv(`body.${2 + 2 * i}`, f, f), { name: `body.${3 + 2 * i}.weight`, shape: [f] });
  }
  out.push(...conv(`body.${2 + 2 * spec.convs}`, spec.outChannels * spec.scale * spec.scale, f));
  return out;
}
