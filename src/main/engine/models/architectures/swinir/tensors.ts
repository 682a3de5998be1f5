import type { SwinIrSpec } from '../../../../../shared/architecture';
import type { TensorSpec } from '../../state-dict';
import { conv, shuffleStages } from '../layout-helpers';

const vec = (name: string, n: number): TensorSpec[] => [
  { name: `${name}.weight`, shape: [n] },
  { name: `${name}.bias`, shape: [n] },
];

/** A Linear layer (weight [out, in]), with or without bias. */
const linear = (name: string, out: number, inp: number, bias = true): TensorSpec[] => [
  { name: `${name}.weight`, shape: [out, inp] },
  ...(bias ? [{ name: `${name}.bias`, shape: [out] }] : []),
];

/** The convolution(s) closing a residual group and the body: one 3×3, or 3×3 → 1×1 → 3×3 at ¼ width. */
export function resiConv(spec: SwinIrSpec, name: string): TensorSpec[] {
  const d = spec.embedDim;
  if (spec.resiConnection === '1conv') return conv(name, d, d);
  return [
    ...conv(`${name}.0`, d / 4, d),
    ...conv(`${name}.2`, d / 4, d / 4, 1),
    ...conv(`${name}.4`, d, d / 4),
  ];
}

/** Name prefix of block `b` of residual group `l`. */
export const blockName = (l: number, b: number): string => `layers.${l}.residual_group.blocks.${b}`;

/** SwinIR's weights under upstream names (the int64 / mask buffers are not weights), network order. */
export function swinIrTensors(spec: SwinIrSpec): TensorSpec[] {
  const d = spec.embedDim;
  const ws = spec.windowSize;
  const out: TensorSpec[] = [...conv('conv_first', d, spec.inChannels)];
  if (spec.patchNorm) out.push(...vec('patch_embed.norm', d));
  spec.depths.forEach((depth, l) => {
    for (let b = 0; b < depth; b++) {
      const p = blockName(l, b);
      out.push(...vec(`${p}.norm1`, d));
      out.push({
        name: `${p}.attn.relative_position_bias_table`,
        shape: [(2 * ws - 1) ** 2, spec.heads[l]],
      });
      out.push(
        ...linear(`${p}.attn.qkv`, 3 * d, d, spec.qkvBias),
        ...linear(`${p}.attn.proj`, d, d),
      );
      out.push(...vec(`${p}.norm2`, d));
      out.push(
        ...linear(`${p}.mlp.fc1`, spec.mlpHidden, d),
        ...linear(`${p}.mlp.fc2`, d, spec.mlpHidden),
      );
    }
    out.push(...resiConv(spec, `layers.${l}.conv`));
  });
  out.push(...vec('norm', d), ...resiConv(spec, 'conv_after_body'));
  const f = spec.features;
  const o = spec.outChannels;
  switch (spec.upsampler) {
    case 'pixelshuffle':
      out.push(...conv('conv_before_upsample.0', f, d));
      shuffleStages(spec.scale).forEach((s, i) =>
        out.push(...conv(`upsample.${2 * i}`, f * s * s, f)),
      );
      out.push(...conv('conv_last', o, f));
      break;
    case 'pixelshuffledirect':
      out.push(...conv('upsample.0', o * spec.scale * spec.scale, d));
      break;
    case 'nearest+conv':
      out.push(...conv('conv_before_upsample.0', f, d), ...conv('conv_up1', f, f));
      if (spec.scale === 4) out.push(...conv('conv_up2', f, f));
      out.push(...conv('conv_hr', f, f), ...conv('conv_last', o, f));
      break;
    case 'none':
      out.push(...conv('conv_last', o, d));
  }
  return out;
}

/** SwinIR's relative_position_index for a window: (Δy + ws − 1)·(2ws − 1) + Δx + ws − 1. */
export function relativePositionIndex(ws: number): number[] {
  const n = ws * ws;
  const out = new Array<number>(n * n);
  for (let p = 0; p < n; p++)
    for (let q = 0; q < n; q++) {
      const dy = Math.floor(p / ws) - Math.floor(q / ws) + ws - 1;
      const dx = (p % ws) - (q % ws) + ws - 1;
      out[p * n + q] = dy * (2 * ws - 1) + dx;
    }
  return out;
}

/**
 * The shifted-window mask of one window (0 or −100 between each pair of its ws² pixels) by where
 * the window lies: in the last row of windows (`lastRow`), the last column, both or neither. In
 * the rolled image only those windows mix pixels from the image's opposite edges; this is
 * upstream's calculate_mask restated per window, so it serves any image size.
 */
export function windowMask(
  ws: number,
  shift: number,
  lastRow: boolean,
  lastCol: boolean,
): Float32Array {
  const n = ws * ws;
  const region = (p: number): number => {
    const y = Math.floor(p / ws);
    const x = p % ws;
    const hr = lastRow ? (y < ws - shift ? 1 : 2) : 0;
    const wr = lastCol ? (x < ws - shift ? 1 : 2) : 0;
    return hr * 3 + wr;
  };
  const out = new Float32Array(n * n);
  for (let p = 0; p < n; p++)
    for (let q = 0; q < n; q++) out[p * n + q] = region(p) === region(q) ? 0 : -100;
  return out;
}

/** upstream's attn_mask for an h×w (padded) image: one windowMask per window, row-major. */
export function attentionMask(h: number, w: number, ws: number, shift: number): Float32Array {
  const rows = h / ws;
  const cols = w / ws;
  const n = ws * ws;
  const out = new Float32Array(rows * cols * n * n);
  for (let i = 0; i < rows; i++)
    for (let j = 0; j < cols; j++)
      out.set(windowMask(ws, shift, i === rows - 1, j === cols - 1), (i * cols + j) * n * n);
  return out;
}
