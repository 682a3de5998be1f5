import { createHash } from 'node:crypto';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArchitectureSpec } from '../../../shared/architecture';
import { ModelManifest, type ModelProvenance } from '../../../shared/model-manifest';
import { architectureTensors } from './architecture-tensors';
import { elementCount, type StateDict } from './state-dict';
import { encodeSafetensors } from './safetensors';
import { atomicWrite } from '../storage/atomic-write';

export interface WriteModelInput {
  id: string;
  name: string;
  role: ModelManifest['role'];
  spec: ArchitectureSpec;
  weights: StateDict;
  provenance: ModelProvenance;
  dtype: 'float16' | 'float32';
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The safetensors bytes and manifest of a model, not yet written. */
export function encodeModel(m: WriteModelInput): { bytes: Uint8Array; manifest: ModelManifest } {
  const tensors = architectureTensors(m.spec).map((t) => ({
    name: t.name,
    shape: t.shape,
    values: m.weights.get(t.name)!,
  }));
  const bytes = encodeSafetensors(tensors, m.dtype === 'float16' ? 'F16' : 'F32', {
    format: 'pt',
    upres_id: m.id,
  });
  const manifest = ModelManifest.parse({
    id: m.id,
    name: m.name,
    architecture: m.spec,
    role: m.role,
    weights: {
      file: `${m.id}.safetensors`,
      dtype: m.dtype,
      parameters: tensors.reduce((n, t) => n + elementCount(t.shape), 0),
      sha256: sha256(bytes),
    },
    provenance: m.provenance,
  });
  return { bytes, manifest };
}

/** Stores a model as `<id>.safetensors` + `<id>.json` in `dir`; returns the manifest. */
export async function writeModel(dir: string, m: WriteModelInput): Promise<ModelManifest> {
  return storeModel(dir, encodeModel(m));
}

/** Writes encoded model files atomically: weights first, then the manifest that makes them visible. */
export async function storeModel(
  dir: string,
  { bytes, manifest }: { bytes: Uint8Array; manifest: ModelManifest },
): Promise<ModelManifest> {
  await mkdir(dir, { recursive: true });
  await atomicWrite(join(dir, manifest.weights.file), bytes);
  await atomicWrite(join(dir, `${manifest.id}.json`), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}
