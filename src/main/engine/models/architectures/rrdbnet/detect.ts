import type { RrdbNetSpec } from '../../../../../shared/architecture';
import type { StateDict } from '../../state-dict';
import { copyConv, indicesOf, type DetectedModel } from '../../detect/detected-model';
import type { TensorReader } from '../../detect/tensor-source';
import { msg } from '../../../../../shared/engine-message';

function rrdbSpec(
  label: string,
  first: number[],
  outChannels: number,
  blocks: number,
  growth: number,
  upStages: number,
): RrdbNetSpec {
  const features = first[0];
  const packed = first[1] / outChannels;
  const unshuffle = packed === 1 ? 1 : packed === 4 ? 2 : packed === 16 ? 4 : 0;
  if (unshuffle === 0 || first[1] % outChannels !== 0)
    throw new Error(
      `${label}: RRDBNet takes ${first[1]} input channels for ${outChannels} output channels; expected ${outChannels}, ×4 or ×16 of it (pixel-unshuffle)`,
    );
  const scale = 2 ** upStages / unshuffle;
  if (![1, 2, 4, 8].includes(scale))
    throw new Error(
      `${label}: RRDBNet with ${upStages} upsampling stages and pixel-unshuffle ${unshuffle} gives ×${scale}`,
    );
  return {
    kind: 'rrdbnet',
    inChannels: outChannels,
    outChannels,
    features,
    blocks,
    growth,
    scale: scale as RrdbNetSpec['scale'],
    unshuffle: unshuffle as 1 | 2 | 4,
    upStages,
  };
}

function copyRdbs(
  r: TensorReader,
  blocks: number,
  from: (b: number, rdb: number, c: number) => string,
  out: StateDict,
): number {
  let growth = 0;
  for (let b = 0; b < blocks; b++) {
    for (let rdb = 1; rdb <= 3; rdb++) {
      for (let c = 1; c <= 5; c++) {
        const shape = copyConv(r, from(b, rdb, c), `body.${b}.rdb${rdb}.conv${c}`, out);
        if (b === 0 && rdb === 1 && c === 1) growth = shape[0];
      }
    }
  }
  return growth;
}

/** BasicSR / Real-ESRGAN names: conv_first, body.N.rdbR.convC, conv_body, conv_upK, conv_hr, conv_last. */
export function detectRrdbNew(r: TensorReader): DetectedModel {
  const out: StateDict = new Map();
  const first = copyConv(r, 'conv_first', 'conv_first', out);
  const blocks = r.count('body.', '.rdb1.conv1.weight');
  const growth = copyRdbs(r, blocks, (b, rdb, c) => `body.${b}.rdb${rdb}.conv${c}`, out);
  copyConv(r, 'conv_body', 'conv_body', out);
  let upStages = 0;
  while (r.has(`conv_up${upStages + 1}.weight`)) {
    upStages++;
    copyConv(r, `conv_up${upStages}`, `conv_up${upStages}`, out);
  }
  copyConv(r, 'conv_hr', 'conv_hr', out);
  const last = copyConv(r, 'conv_last', 'conv_last', out);
  const spec = rrdbSpec(r.label, first, last[0], blocks, growth, upStages);
  const layout = 'RRDBNet (BasicSR / Real-ESRGAN layout)';
  r.assertAllUsed(layout);
  const factor = spec.unshuffle ?? 1;
  const notes = factor !== 1 ? [msg('modelFiles.notePixelUnshuffle', { factor })] : [];
  return { spec, weights: out, layout, notes };
}

/**
 * ESRGAN's 2018 names: model.0 (first conv), model.1.sub.N.RDBr.convC.0 (blocks), model.1.sub.NB
 * (trunk conv), then per ×2 stage [upsample, conv, LeakyReLU] at model.3, .6, …, the HR conv and
 * its LeakyReLU, and the last conv.
 */
export function detectRrdbOld(r: TensorReader): DetectedModel {
  const out: StateDict = new Map();
  const first = copyConv(r, 'model.0', 'conv_first', out);
  const blocks = r.count('model.1.sub.', '.RDB1.conv1.0.weight');
  const growth = copyRdbs(r, blocks, (b, rdb, c) => `model.1.sub.${b}.RDB${rdb}.conv${c}.0`, out);
  copyConv(r, `model.1.sub.${blocks}`, 'conv_body', out);
  const top = indicesOf(r, 'model.').filter((i) => i >= 2);
  const lastIndex = top.at(-1);
  if (lastIndex === undefined || (lastIndex - 4) % 3 !== 0)
    throw new Error(
      `${r.label}: ESRGAN layout without a recognisable upsampler (model.${top.join(', model.')})`,
    );
  const upStages = (lastIndex - 4) / 3;
  for (let s = 1; s <= upStages; s++) copyConv(r, `model.${3 * s}`, `conv_up${s}`, out);
  copyConv(r, `model.${lastIndex - 2}`, 'conv_hr', out);
  const last = copyConv(r, `model.${lastIndex}`, 'conv_last', out);
  const spec = rrdbSpec(r.label, first, last[0], blocks, growth, upStages);
  const layout = 'RRDBNet (ESRGAN 2018 layout)';
  r.assertAllUsed(layout);
  return { spec, weights: out, layout, notes: [] };
}
