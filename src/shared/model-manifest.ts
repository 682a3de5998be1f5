import { z } from 'zod';
import { ArchitectureSpec } from './architecture';

export const ModelProvenance = z.object({
  source: z.string().min(1),
  sourceFiles: z.array(
    z.object({ path: z.string().min(1), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  ),
  licence: z.string().min(1),
  credit: z.string().min(1),
  convertedWith: z.string().optional(),
  notes: z.string().optional(),
  /** For models Upres trained itself: how, from what, on what. */
  training: z
    .object({
      baseModel: z.string(),
      data: z.string(),
      steps: z.number().int().nonnegative(),
      loss: z.string(),
      degradation: z.string(),
      seed: z.number().int(),
    })
    .passthrough()
    .optional(),
});
export type ModelProvenance = z.infer<typeof ModelProvenance>;

/** The JSON manifest stored beside each model's safetensors file. */
export const ModelManifest = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'ids are lower-case letters, digits, ".", "_" and "-"'),
  name: z.string().min(1),
  architecture: ArchitectureSpec,
  role: z.enum(['fidelity', 'perceptual', 'general']),
  weights: z.object({
    file: z.string().min(1),
    dtype: z.enum(['float16', 'float32']),
    parameters: z.number().int().positive(),
    sha256: z.string().regex(/^[0-9a-f]{64}$/),
  }),
  provenance: ModelProvenance,
});
export type ModelManifest = z.infer<typeof ModelManifest>;

/** Two models of one architecture blended weight by weight: θ = (1 − α)·θ_fidelity + α·θ_perceptual. */
export const PairManifest = z.object({
  id: z
    .string()
    .regex(/^[a-z0-9][a-z0-9._-]*$/, 'ids are lower-case letters, digits, ".", "_" and "-"'),
  name: z.string().min(1),
  kind: z.literal('pair'),
  fidelity: z.string().min(1),
  perceptual: z.string().min(1),
  defaultAlpha: z.number().min(0).max(1),
});
export type PairManifest = z.infer<typeof PairManifest>;

/** What the UI and the CLI show about a model. */
export const ModelInfo = z.object({
  id: z.string(),
  name: z.string(),
  architecture: z.string(),
  scale: z.number(),
  parameters: z.number(),
  role: z.string(),
  origin: z.enum(['shipped', 'user']),
  /** Bytes of weights on disk (for a pair, both ends). */
  sizeBytes: z.number(),
  /** Where the weights came from (provenance.source). */
  source: z.string(),
  licence: z.string(),
  credit: z.string(),
  /** The file(s) a user model was imported from (e.g. "x.param + x.bin"); absent otherwise. */
  importedFrom: z.string().optional(),
  /** For pairs: the two ends and the α used when none is given. */
  pair: z
    .object({ fidelity: z.string(), perceptual: z.string(), defaultAlpha: z.number() })
    .optional(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;
