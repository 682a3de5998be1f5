import { z } from 'zod';

/** Hyper-parameters of an RRDBNet generator (ESRGAN / Real-ESRGAN). */
export const RrdbNetSpec = z.object({
  kind: z.literal('rrdbnet'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  features: z.number().int().positive(),
  blocks: z.number().int().positive(),
  growth: z.number().int().positive(),
  scale: z.union([z.literal(1), z.literal(2), z.literal(4), z.literal(8)]),
  /**
   * Pixel-unshuffle factor of the input (Real-ESRGAN x2plus: 2, x1: 4). When absent: 2 for ×2,
   * 4 for ×1, else 1 — the BasicSR convention.
   */
  unshuffle: z.union([z.literal(1), z.literal(2), z.literal(4)]).optional(),
  /** Number of ×2 nearest-upsample + conv stages (`conv_up1…`). When absent: 3 for ×8, else 2. */
  upStages: z.number().int().min(0).max(3).optional(),
});
export type RrdbNetSpec = z.infer<typeof RrdbNetSpec>;

/** Hyper-parameters of SRVGGNetCompact (Real-ESRGAN's compact generator, PReLU activations). */
export const SrvggSpec = z.object({
  kind: z.literal('srvgg'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  features: z.number().int().positive(),
  convs: z.number().int().nonnegative(),
  scale: z.number().int().min(1).max(8),
});
export type SrvggSpec = z.infer<typeof SrvggSpec>;

/**
 * SRGAN's generator family. `msrresnet`: BasicSR's MSRResNet (3×3 head + LeakyReLU 0.1, residual
 * blocks conv-ReLU-conv without batch norm, no long skip, pixel-shuffle upsampling + LeakyReLU,
 * conv_hr, conv_last, plus the bilinearly enlarged input). `srgan`: the SRGAN paper's SRResNet
 * (9×9 head + PReLU, blocks conv-BN-PReLU-conv-BN, conv-BN after the body with a long skip,
 * pixel-shuffle upsampling + PReLU, 9×9 tail); batch norm is folded into the convolutions on import.
 */
export const SrResNetSpec = z.object({
  kind: z.literal('srresnet'),
  variant: z.enum(['msrresnet', 'srgan']),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  features: z.number().int().positive(),
  blocks: z.number().int().positive(),
  scale: z.union([z.literal(2), z.literal(3), z.literal(4), z.literal(8)]),
  /** srgan: parameters per PReLU (1 as in nn.PReLU(), or one per channel). */
  preluChannels: z.number().int().positive().optional(),
});
export type SrResNetSpec = z.infer<typeof SrResNetSpec>;

/**
 * EDSR (Lim et al. 2017): MeanShift in, 3×3 head, residual blocks conv-ReLU-conv scaled by
 * `resScale` (baseline 16×64: 1; large 32×256: 0.1), conv after the body with a long skip,
 * pixel-shuffle upsampler (×2 / ×3 / ×4 = two ×2), 3×3 tail, MeanShift out. The network works on
 * pixel values in [0, rgbRange]; `sub_mean` / `add_mean` are 1×1 convolutions.
 */
export const EdsrSpec = z.object({
  kind: z.literal('edsr'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  features: z.number().int().positive(),
  blocks: z.number().int().positive(),
  scale: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(8)]),
  resScale: z.number().positive(),
  rgbRange: z.number().positive(),
});
export type EdsrSpec = z.infer<typeof EdsrSpec>;

/**
 * SPAN (Wan et al. 2024, "Swift Parameter-free Attention Network"): Conv3XC layers (a 1×1 → 3×3 →
 * 1×1 chain plus a 1×1 skip, merged into one 3×3 convolution on import), six SPAB blocks with
 * parameter-free attention (sigmoid(x) − 0.5), a 1×1 conv over four concatenated features and a
 * pixel-shuffle upsampler. `norm`: the input is (x − DIV2K mean)·255 first (the default; files
 * with a `no_norm` buffer skip it); the output is never de-normalised.
 */
export const SpanSpec = z.object({
  kind: z.literal('span'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  features: z.number().int().positive(),
  scale: z.number().int().min(1).max(8),
  norm: z.boolean(),
});
export type SpanSpec = z.infer<typeof SpanSpec>;

/**
 * RealPLKSR (neosr / traiNNer-redux; "Partial Large Kernel CNNs", Lee & Yoo 2024): conv, blocks of
 * [layer norm] → conv3×3 (2×) → Mish → conv3×3 → a k×k conv on the first `split` channels →
 * [element-wise sigmoid attention] → 1×1 → [group norm] + skip, a conv to out·scale² plus the
 * input repeated scale² times, then pixel shuffle or DySample (learned offsets, bilinear
 * grid-sample with border padding, 1×1 end conv).
 */
export const RealPlksrSpec = z.object({
  kind: z.literal('realplksr'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  features: z.number().int().positive(),
  blocks: z.number().int().positive(),
  kernelSize: z.number().int().positive(),
  split: z.number().int().positive(),
  attention: z.boolean(),
  /** 'layer': channel layer norm at the block's start (eps 1e-6); 'group': GroupNorm at its end. */
  norm: z.enum(['layer', 'group']),
  normGroups: z.number().int().positive(),
  scale: z.number().int().min(1).max(8),
  upsampler: z.enum(['pixelshuffle', 'dysample']),
  /** DySample: offset groups (offset conv has 2·groups·scale² channels). */
  dysampleGroups: z.number().int().positive().optional(),
});
export type RealPlksrSpec = z.infer<typeof RealPlksrSpec>;

/**
 * RCAN (Zhang et al. 2018): MeanShift, head conv, residual groups of RCABs (conv-ReLU-conv and
 * channel attention: global average pool, 1×1 down to `squeeze` channels, ReLU, 1×1 up, sigmoid,
 * multiply) each closed by a conv and a skip, a conv after the body with a long skip, a
 * pixel-shuffle upsampler, a tail conv and MeanShift back. Works on [0, rgbRange].
 */
export const RcanSpec = z.object({
  kind: z.literal('rcan'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  features: z.number().int().positive(),
  groups: z.number().int().positive(),
  blocks: z.number().int().positive(),
  squeeze: z.number().int().positive(),
  scale: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(8)]),
  rgbRange: z.number().positive(),
});
export type RcanSpec = z.infer<typeof RcanSpec>;

/**
 * SwinIR (Liang et al. 2021): conv, residual Swin transformer blocks (window attention with a
 * relative position bias; odd blocks on windows shifted by half a window, with their masks), a
 * conv per group and after the body, then one of four upsamplers: `pixelshuffle` (classical),
 * `pixelshuffledirect` (lightweight), `nearest+conv` (real-world), `none` (×1 denoise / JPEG, the
 * input added back). The input is reflect-padded to a multiple of the window and cropped back.
 */
export const SwinIrSpec = z.object({
  kind: z.literal('swinir'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  embedDim: z.number().int().positive(),
  /** Blocks per residual group, and attention heads per group. */
  depths: z.array(z.number().int().positive()).min(1),
  heads: z.array(z.number().int().positive()).min(1),
  windowSize: z.number().int().positive(),
  /** Whether odd blocks shift their windows by windowSize / 2 (not when trained on tiny crops). */
  shift: z.boolean(),
  mlpHidden: z.number().int().positive(),
  qkvBias: z.boolean(),
  patchNorm: z.boolean(),
  resiConnection: z.enum(['1conv', '3conv']),
  upsampler: z.enum(['pixelshuffle', 'pixelshuffledirect', 'nearest+conv', 'none']),
  /** Channels of the upsampler (num_feat); the embedding width for pixelshuffledirect / none. */
  features: z.number().int().positive(),
  scale: z.number().int().min(1).max(8),
});
export type SwinIrSpec = z.infer<typeof SwinIrSpec>;

/**
 * A plain ONNX model run as-is: the graph is the file (NCHW RGB in, NCHW RGB out, float32 at the
 * graph's edges after import). Channels and scale were measured by running it once on import.
 */
export const OnnxSpec = z.object({
  kind: z.literal('onnx'),
  inChannels: z.number().int().positive(),
  outChannels: z.number().int().positive(),
  scale: z.number().int().min(1).max(16),
  /** Input sides must be multiples of this (e.g. a pixel-unshuffle inside the graph); default 1. */
  inputMultiple: z.number().int().min(1).max(16).optional(),
});
export type OnnxSpec = z.infer<typeof OnnxSpec>;

export const ArchitectureSpec = z.discriminatedUnion('kind', [
  RrdbNetSpec,
  SrvggSpec,
  SrResNetSpec,
  EdsrSpec,
  SpanSpec,
  RealPlksrSpec,
  RcanSpec,
  SwinIrSpec,
  OnnxSpec,
]);
export type ArchitectureSpec = z.infer<typeof ArchitectureSpec>;

/** The architecture families Upres runs; each has a folder in engine/models/architectures/. */
export type ArchitectureKind = ArchitectureSpec['kind'];
