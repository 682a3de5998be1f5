import { DETECTORS } from '../architectures';
import { isFloatDtype, type TorchTensor } from '../pth/read-checkpoint';
import type { DetectOptions, DetectedModel } from './detected-model';
import { refused } from '../refusal';
import { TensorReader, type SourceTensors } from './tensor-source';

export type { DetectOptions, DetectedModel } from './detected-model';

/** Drops DataParallel's `module.` prefix when every key has it. */
function stripModulePrefix(tensors: SourceTensors): SourceTensors {
  const keys = [...tensors.keys()];
  if (keys.length === 0 || !keys.every((k) => k.startsWith('module.'))) return tensors;
  return new Map([...tensors].map(([k, v]) => [k.slice('module.'.length), v]));
}

/**
 * Recognises the architecture of a state dict from its tensor names and shapes, and returns its
 * hyper-parameters with the weights renamed to the canonical layout. `label` names the file in errors.
 */
export function detectArchitecture(
  tensors: SourceTensors,
  label: string,
  opt: DetectOptions = {},
): DetectedModel {
  const t = stripModulePrefix(tensors);
  // The registry's detectors in its order; each one's keys are specific to its layout.
  const d = DETECTORS.find((c) => c.keys.every((k) => t.has(k)));
  if (!d) {
    const names = [...t.keys()];
    throw refused('modelFiles.unknownArchitecture', {
      file: label,
      count: names.length,
      tensors: names.slice(0, 6).join(', ') + (names.length > 6 ? ', …' : ''),
      supported: DETECTORS.map((c) => c.name).join(', '),
    });
  }
  return d.detect(new TensorReader(t, label), opt);
}

/** Integer buffers detectors account for: BatchNorm's counter, SwinIR's window index (checked). */
const INTEGER_BUFFERS = ['num_batches_tracked', 'relative_position_index'];

/** The floating-point tensors of a PyTorch state dict (integer bookkeeping such as num_batches_tracked is kept too, so detectors can account for it). */
export function sourceTensorsFromTorch(dict: Map<string, TorchTensor>): SourceTensors {
  const out: SourceTensors = new Map();
  for (const [k, v] of dict) {
    if (isFloatDtype(v.dtype) || INTEGER_BUFFERS.some((b) => k.endsWith(b)))
      out.set(k, { shape: v.shape, values: v.values });
  }
  return out;
}
