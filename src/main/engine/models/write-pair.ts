import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import { PairManifest } from '../../../shared/model-manifest';
import type { ModelRegistry } from './model-registry';
import { checkPairCompatible } from './pair-compat';
import { atomicWrite } from '../storage/atomic-write';

export interface NewPair {
  id: string;
  fidelity: string;
  perceptual: string;
  name?: string;
  defaultAlpha?: number;
}

/** Validates and stores a new pair in `dir` (the user's models folder); returns its manifest. */
export async function writePair(
  registry: ModelRegistry,
  dir: string,
  p: NewPair,
): Promise<PairManifest> {
  if (registry.ids().includes(p.id))
    throw new UpresError('request.invalid', msg('modelFiles.pairIdTaken', { id: p.id }));
  if (p.fidelity === p.perceptual)
    throw new UpresError('request.invalid', msg('modelFiles.pairSameModel'));
  const end = async (id: string) => {
    if (registry.isPair(id))
      throw new UpresError('request.invalid', msg('modelFiles.pairOfPair', { id }));
    const spec = registry.get(id).manifest.architecture;
    return { id, spec, onnx: spec.kind === 'onnx' ? await registry.onnxBytes(id) : undefined };
  };
  checkPairCompatible(await end(p.fidelity), await end(p.perceptual));
  const manifest = PairManifest.parse({
    id: p.id,
    name: p.name ?? `${p.fidelity} ↔ ${p.perceptual}`,
    kind: 'pair',
    fidelity: p.fidelity,
    perceptual: p.perceptual,
    defaultAlpha: p.defaultAlpha ?? 0.8,
  });
  await mkdir(dir, { recursive: true });
  await atomicWrite(join(dir, `${p.id}.pair.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
