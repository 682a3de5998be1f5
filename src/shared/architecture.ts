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
  OnnxSpec,
]);
export type ArchitectureSpec = z.infer<typeof ArchitectureSpec>;

/** The architecture families Upres runs; each has a folder in engine/models/architectures/. */
export type ArchitectureKind = ArchitectureSpec['kind'];
