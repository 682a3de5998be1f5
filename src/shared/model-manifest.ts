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

/** What the UI and the CLI show about a model. */
export const ModelInfo = z.object({
  id: z.string(),
  name: z.string(),
  architecture: z.string(),
  scale: z.number(),
  parameters: z.number(),
  role: z.string(),
  origin: z.enum(['shipped', 'user']),
  licence: z.string(),
  credit: z.string(),
});
export type ModelInfo = z.infer<typeof ModelInfo>;
