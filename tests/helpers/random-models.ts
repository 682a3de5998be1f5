import type {
  ArchitectureSpec,
  RealPlksrSpec,
  RrdbNetSpec,
  SrvggSpec,
} from '../../src/shared/architecture';
import { loadPairWeights } from '../../src/main/engine/runtime/loaded-model';
import { writeModel } from '../../src/main/engine/models/write-model';
import { architectureTensors } from '../../src/main/engine/models/architecture-tensors';
import { elementCount, type StateDict } from '../../src/main/engine/models/state-dict';

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const TINY_RRDB: RrdbNetSpec = {
  kind: 'rrdbnet',
  inChannels: 3,
  outChannels: 3,
  features: 8,
  blocks: 1,
  growth: 4,
  scale: 4,
};
export const TINY_SRVGG: SrvggSpec = {
  kind: 'srvgg',
  inChannels: 3,
  outChannels: 3,
  features: 8,
  convs: 2,
  scale: 4,
};

/** A 6-block GroupNorm RealPLKSR: deeper than the passes make exact, so tiled runs need the sweep. */
export const DEEP_GN_PLKSR: RealPlksrSpec = {
  kind: 'realplksr',
  inChannels: 3,
  outChannels: 3,
  features: 8,
  blocks: 6,
  kernelSize: 7,
  split: 2,
  attention: false,
  norm: 'group',
  normGroups: 4,
  scale: 2,
  upsampler: 'pixelshuffle',
};

/** Random weights scaled like a fan-in initialisation so activations stay in a sane range. */
export function randomWeights(spec: ArchitectureSpec, seed = 1): StateDict {
  const r = rng(seed);
  const w: StateDict = new Map();
  for (const t of architectureTensors(spec)) {
    const fanIn = t.shape.length === 4 ? t.shape[1] * t.shape[2] * t.shape[3] : 4;
    const amp = t.shape.length === 4 ? 1.5 / Math.sqrt(fanIn) : 0.1;
    w.set(
      t.name,
      Float32Array.from({ length: elementCount(t.shape) }, () => (r() * 2 - 1) * amp),
    );
  }
  return w;
}

/** A random image tensor in 0–1. */
export function randomImage(c: number, h: number, w: number, seed = 7): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: c * h * w }, r);
}

/** A fidelity ↔ perceptual pair of two random models of one architecture, on the CPU. */
export async function loadTinyPair(spec: ArchitectureSpec, seedF: number, seedP: number) {
  const f = randomWeights(spec, seedF);
  const p = randomWeights(spec, seedP);
  const pair = await loadPairWeights(
    'pair',
    { id: 'f', spec, weights: f },
    { id: 'p', spec, weights: p },
    0.8,
    {
      device: 'cpu',
    },
  );
  return { pair, f, p };
}

/**
 * Writes a random model as a registry entry (`<id>.safetensors` + manifest) in `dir`, e.g. a temp
 * folder passed to the CLI as UPRES_MODELS_DIR.
 */
export async function writeTinyModel(
  dir: string,
  id: string,
  spec: ArchitectureSpec,
  seed: number,
  role: 'general' | 'fidelity' | 'perceptual' = 'general',
): Promise<void> {
  await writeModel(dir, {
    id,
    name: id,
    role,
    spec,
    weights: randomWeights(spec, seed),
    provenance: { source: 'test', sourceFiles: [], licence: 'CC0-1.0', credit: 'tests' },
    dtype: 'float32',
  });
}
