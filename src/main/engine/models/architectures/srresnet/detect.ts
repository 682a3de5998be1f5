import type { SrResNetSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { foldBatchNorm } from '../../detect/batch-norm';
import { copyConv, type DetectedModel } from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';
import { msg } from '../../../../../shared/engine-message';

function scaleOf(r: TensorReader, features: number, stages: number[][]): SrResNetSpec['scale'] {
  const factors = stages.map((shape) => Math.round(Math.sqrt(shape[0] / features)));
  factors.forEach((s, i) => {
    if (s * s * features !== stages[i][0])
      throw new Error(
        `${r.label}: upsampling conv ${i + 1} has ${stages[i][0]} channels, not ${features}·r²`,
      );
  });
  const scale = factors.reduce((a, b) => a * b, 1);
  const ok = factors.length === 1 ? [2, 3].includes(scale) : factors.every((f) => f === 2);
  if (!ok || ![2, 3, 4, 8].includes(scale))
    throw new Error(
      `${r.label}: unsupported upsampler ${factors.map((f) => `×${f}`).join(' then ')}`,
    );
  return scale as SrResNetSpec['scale'];
}

/** BasicSR's MSRResNet: conv_first, body.N.conv1/conv2, upconv1 (upconv2), conv_hr, conv_last. */
export function detectMsrResNet(r: TensorReader): DetectedModel {
  const out: StateDict = new Map();
  const first = copyConv(r, 'conv_first', 'conv_first', out);
  const blocks = r.count('body.', '.conv1.weight');
  for (let b = 0; b < blocks; b++) {
    copyConv(r, `body.${b}.conv1`, `body.${b}.conv1`, out);
    copyConv(r, `body.${b}.conv2`, `body.${b}.conv2`, out);
  }
  const ups: number[][] = [];
  for (let k = 1; r.has(`upconv${k}.weight`); k++)
    ups.push(copyConv(r, `upconv${k}`, `upconv${k}`, out));
  copyConv(r, 'conv_hr', 'conv_hr', out);
  const last = copyConv(r, 'conv_last', 'conv_last', out);
  const spec: SrResNetSpec = {
    kind: 'srresnet',
    variant: 'msrresnet',
    inChannels: first[1],
    outChannels: last[0],
    features: first[0],
    blocks,
    scale: scaleOf(r, first[0], ups),
  };
  const layout = 'MSRResNet (BasicSR layout)';
  r.assertAllUsed(layout);
  return { spec, weights: out, layout, notes: [] };
}

function copyPrelu(r: TensorReader, from: string, to: string, out: StateDict): number {
  const p = r.get(`${from}.weight`, 1);
  out.set(`${to}.weight`, p.values);
  return p.shape[0];
}

/**
 * The SRGAN paper's SRResNet in the layout of SRGAN-PyTorch: conv1 = [9×9 conv, PReLU];
 * trunk.N.rcb = [conv, BN, PReLU, conv, BN]; conv2 = [conv, BN]; upsampling.N.upsample_block =
 * [conv, PixelShuffle, PReLU]; conv3 = 9×9 conv. With the batch norms already folded (no BN
 * entries) the blocks are [conv, PReLU, conv] and conv2 = [conv].
 */
export function detectSrganSrResNet(r: TensorReader): DetectedModel {
  const out: StateDict = new Map();
  const bn = r.has('trunk.0.rcb.1.running_mean');
  const first = copyConv(r, 'conv1.0', 'conv_first', out);
  const slopes = new Set([copyPrelu(r, 'conv1.1', 'act_first', out)]);
  const blocks = r.count('trunk.', '.rcb.0.weight');
  for (let b = 0; b < blocks; b++) {
    const p = `trunk.${b}.rcb`;
    copyConv(r, `${p}.0`, `body.${b}.conv1`, out);
    if (bn) foldBatchNorm(r, `${p}.1`, `body.${b}.conv1`, out);
    slopes.add(copyPrelu(r, `${p}.${bn ? 2 : 1}`, `body.${b}.act`, out));
    copyConv(r, `${p}.${bn ? 3 : 2}`, `body.${b}.conv2`, out);
    if (bn) foldBatchNorm(r, `${p}.4`, `body.${b}.conv2`, out);
  }
  copyConv(r, 'conv2.0', 'conv_body', out);
  if (bn) foldBatchNorm(r, 'conv2.1', 'conv_body', out);
  const ups: number[][] = [];
  for (let k = 0; r.has(`upsampling.${k}.upsample_block.0.weight`); k++) {
    ups.push(copyConv(r, `upsampling.${k}.upsample_block.0`, `upconv${k + 1}`, out));
    slopes.add(copyPrelu(r, `upsampling.${k}.upsample_block.2`, `up_act${k + 1}`, out));
  }
  const last = copyConv(r, 'conv3', 'conv_last', out);
  const features = first[0];
  const preluChannels = [...slopes];
  if (preluChannels.length !== 1 || (preluChannels[0] !== 1 && preluChannels[0] !== features))
    throw new Error(`${r.label}: PReLU layers with ${preluChannels.join(' / ')} slopes`);
  const spec: SrResNetSpec = {
    kind: 'srresnet',
    variant: 'srgan',
    inChannels: first[1],
    outChannels: last[0],
    features,
    blocks,
    scale: scaleOf(r, features, ups),
    preluChannels: preluChannels[0],
  };
  const layout = `SRResNet (SRGAN generator, ${bn ? 'with batch norm' : 'batch norm folded'})`;
  r.assertAllUsed(layout);
  return {
    spec,
    weights: out,
    layout,
    notes: bn ? [msg('modelFiles.noteBatchNormFolded')] : [],
  };
}
