import type { ArchitectureSpec } from '../../../shared/architecture';
import { architectureTensors, specDifferences } from './architecture-tensors';

const dims = (s: number[]): string => `[${s.join('×')}]`;

/** Throws, naming the first tensor that differs, unless two architectures can be interpolated. */
export function checkPairCompatible(
  fidelity: { id: string; spec: ArchitectureSpec },
  perceptual: { id: string; spec: ArchitectureSpec },
): void {
  const a = architectureTensors(fidelity.spec);
  const b = new Map(architectureTensors(perceptual.spec).map((t) => [t.name, t.shape]));
  if (fidelity.spec.kind !== perceptual.spec.kind) {
    throw new Error(
      `cannot pair ${fidelity.id} (${fidelity.spec.kind}) with ${perceptual.id} (${perceptual.spec.kind}): different architectures`,
    );
  }
  for (const t of a) {
    const other = b.get(t.name);
    if (!other)
      throw new Error(
        `cannot pair ${fidelity.id} with ${perceptual.id}: tensor ${t.name} exists only in ${fidelity.id}`,
      );
    if (dims(other) !== dims(t.shape)) {
      throw new Error(
        `cannot pair ${fidelity.id} with ${perceptual.id}: tensor ${t.name} is ${dims(t.shape)} in ${fidelity.id} but ${dims(other)} in ${perceptual.id}`,
      );
    }
    b.delete(t.name);
  }
  const extra = [...b.keys()][0];
  if (extra)
    throw new Error(
      `cannot pair ${fidelity.id} with ${perceptual.id}: tensor ${extra} exists only in ${perceptual.id}`,
    );
  const diff = specDifferences(fidelity.spec, perceptual.spec);
  if (diff.length > 0) {
    throw new Error(
      `cannot pair ${fidelity.id} with ${perceptual.id}: same tensors but a different network (${diff.join(', ')})`,
    );
  }
}
