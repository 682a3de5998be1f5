import type { RrdbNetSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv } from '../layout-helpers';

/** Channels entering conv_first: RRDBNet x2 / x1 pixel-unshuffle the input by 2 / 4. */
export function rrdbUnshuffle(spec: RrdbNetSpec): 1 | 2 | 4 {
  return spec.unshuffle ?? (spec.scale === 2 ? 2 : spec.scale === 1 ? 4 : 1);
}

/** Number of ×2 nearest-upsample + conv stages. */
export function rrdbUpStages(spec: RrdbNetSpec): number {
  return spec.upStages ?? (spec.scale === 8 ? 3 : 2);
}

/** RRDBNet's weights in BasicSR names, network order. */
export function rrdbTensors(spec: RrdbNetSpec): TensorSpec[] {
  const { features: f, growth: g } = spec;
  const u = rrdbUnshuffle(spec);
  const out: TensorSpec[] = [...conv('conv_first', f, spec.inChannels * u * u)];
  for (let b = 0; b < spec.blocks; b++) {
    for (let r = 1; r <= 3; r++) {
      const p = `body.${b}.rdb${r}`;
      for (let c = 1; c <= 4; c++) out.push(...conv(`${p}.conv${c}`, g, f + (c - 1) * g));
      out.push(...conv(`${p}.conv5`, f, f + 4 * g));
    }
  }
  out.push(...conv('conv_body', f, f));
  for (let s = 1; s <= rrdbUpStages(spec); s++) out.push(...conv(`conv_up${s}`, f, f));
  out.push(...conv('conv_hr', f, f), ...conv('conv_last', spec.outChannels, f));
  return out;
}
