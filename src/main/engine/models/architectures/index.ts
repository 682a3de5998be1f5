// The architecture registry: one folder per architecture, one line here. Everything else (graph
// building, detection, weight checks, tile sizing, padding) asks this module. See README.md.
import type { ArchitectureKind, ArchitectureSpec } from '../../../../shared/architecture';
import type { ArchitectureDefinition, Detector } from './definition';
import { edsr } from './edsr';
import { onnx } from './onnx';
import { rcan } from './rcan';
import { realplksr } from './realplksr';
import { rrdbnet } from './rrdbnet';
import { srresnet } from './srresnet';
import { span } from './span';
import { srvgg } from './srvgg';
import { swinir } from './swinir';

export type { ArchitectureDefinition, Detector, TileFacts } from './definition';

type Registry = {
  readonly [K in ArchitectureKind]: ArchitectureDefinition<Extract<ArchitectureSpec, { kind: K }>>;
};

/** Every architecture by kind; the order is the order detectors are tried in. */
export const ARCHITECTURES: Registry = {
  rrdbnet,
  srvgg,
  srresnet,
  edsr,
  span,
  realplksr,
  rcan,
  swinir,
  onnx,
};

/** The definition of a spec's (or a kind's) architecture. */
export function architectureOf(of: ArchitectureSpec | ArchitectureKind): ArchitectureDefinition {
  const kind = typeof of === 'string' ? of : of.kind;
  // Sound: the registry's type ties each kind to the definition for that kind's spec.
  return ARCHITECTURES[kind] as ArchitectureDefinition;
}

/** Every state-dict layout Upres recognises, in the order they are tried. */
export const DETECTORS: readonly Detector[] = Object.values(ARCHITECTURES).flatMap(
  (a: ArchitectureDefinition) => a.detectors,
);
