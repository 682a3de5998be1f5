import type { SrvggSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { copyConv, indicesOf, type DetectedModel } from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';

/** SRVGGNetCompact: body.0 conv, body.1 PReLU, …, body.2K conv to out·scale² channels. */
export function detectSrvgg(r: TensorReader): DetectedModel {
  const out: StateDict = new Map();
  const idx = indicesOf(r, 'body.');
  const last = idx.at(-1) ?? 0;
  if (last < 2 || last % 2 !== 0)
    throw new Error(`${r.label}: SRVGGNetCompact layout with an odd last layer body.${last}`);
  const first = copyConv(r, 'body.0', 'body.0', out);
  const features = first[0];
  const inChannels = first[1];
  for (let i = 1; i < last; i += 2) {
    const p = r.get(`body.${i}.weight`, 1);
    if (p.shape[0] !== features)
      throw new Error(
        `${r.label}: body.${i} should be a PReLU with ${features} slopes; it has ${p.shape[0]}`,
      );
    out.set(`body.${i}.weight`, p.values);
    if (i + 1 < last) copyConv(r, `body.${i + 1}`, `body.${i + 1}`, out);
  }
  const tail = copyConv(r, `body.${last}`, `body.${last}`, out);
  // The compact net adds the nearest-upsampled input, so output channels equal input channels.
  const scale = Math.round(Math.sqrt(tail[0] / inChannels));
  if (scale * scale * inChannels !== tail[0])
    throw new Error(`${r.label}: last conv of ${tail[0]} channels is not ${inChannels}·scale²`);
  const spec: SrvggSpec = {
    kind: 'srvgg',
    inChannels,
    outChannels: inChannels,
    features,
    convs: (last - 2) / 2,
    scale,
  };
  const layout = 'SRVGGNetCompact (Real-ESRGAN compact)';
  r.assertAllUsed(layout);
  return { spec, weights: out, layout, notes: [] };
}
