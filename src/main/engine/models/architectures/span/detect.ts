import type { SpanSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import type { DetectedModel } from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';
import { exactSqrt, getShaped } from '../shape-check';
import { spanTensors } from './tensors';
import { msg } from '../../../../../shared/engine-message';

/**
 * SPAN (hongyuanyu/SPAN; spandrel and traiNNer-redux keep its names). Each Conv3XC stores its
 * training branches and an `eval_conv` that upstream's forward recomputes from them on every
 * call, so the branches are what the network means and a stored eval_conv may be stale: it is
 * skipped, and the graph merges the branches.
 */
export function detectSpan(r: TensorReader): DetectedModel {
  const sk = r.get('conv_1.sk.weight', 4);
  const [features, inChannels] = sk.shape;
  const up = r.get('upsampler.0.weight', 4).shape[0];
  // Upstream's loaders assume as many output channels as input channels.
  const scale = up % inChannels === 0 ? exactSqrt(up / inChannels) : undefined;
  if (scale === undefined)
    throw new Error(
      `${r.label}: SPAN upsampler.0 has ${up} channels, not ${inChannels}·scale² (cannot tell the output channels)`,
    );
  const norm = !r.has('no_norm');
  r.skip('no_norm');
  if (norm && inChannels !== 3)
    throw new Error(
      `${r.label}: SPAN with ${inChannels} input channels subtracts a 3-channel RGB mean (conv_1.sk.weight)`,
    );
  const spec: SpanSpec = {
    kind: 'span',
    inChannels,
    outChannels: inChannels,
    features,
    scale,
    norm,
  };
  const out: StateDict = new Map();
  for (const t of spanTensors(spec)) out.set(t.name, getShaped(r, t.name, t.shape).values);
  for (const k of r.tensors.keys())
    if (k.endsWith('.eval_conv.weight') || k.endsWith('.eval_conv.bias')) r.skip(k);
  const layout = 'SPAN (official / spandrel / traiNNer-redux)';
  r.assertAllUsed(layout);
  const notes = [msg('modelFiles.noteSpanConv3xc')];
  if (!norm) notes.push(msg('modelFiles.noteSpanNoNorm'));
  return { spec, weights: out, layout, notes };
}
