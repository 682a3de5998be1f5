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

export const ArchitectureSpec = z.discriminatedUnion('kind', [RrdbNetSpec, SrvggSpec]);
export type ArchitectureSpec = z.infer<typeof ArchitectureSpec>;

/** Output size divided by input size. */
export function archScale(spec: ArchitectureSpec): number {
  return spec.scale;
}
