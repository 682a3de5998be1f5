import { isFloatDtype, type TorchTensor } from '../pth/read-checkpoint';
import { detectEdsrBasicSr, detectEdsrOfficial } from './detect-edsr';
import { detectRrdbNew, detectRrdbOld } from './detect-rrdb';
import { detectSrganSrResNet, detectMsrResNet } from './detect-srresnet';
import { detectSrvgg } from './detect-srvgg';
import type { DetectOptions, DetectedModel } from './detected-model';
import { TensorReader, type SourceTensors } from './tensor-source';

export type { DetectOptions, DetectedModel } from './detected-model';

interface Detector {
  name: string;
  /** Tensors whose presence identifies the layout. */
  keys: string[];
  detect: (r: TensorReader, opt: DetectOptions) => DetectedModel;
}

// Order matters where layouts share names: MSRResNet and BasicSR's EDSR both have conv_first and
// body.N.conv1; conv_hr vs conv_after_body tells them apart.
const DETECTORS: Detector[] = [
  {
    name: 'RRDBNet (BasicSR)',
    keys: ['conv_first.weight', 'body.0.rdb1.conv1.weight'],
    detect: detectRrdbNew,
  },
  {
    name: 'RRDBNet (ESRGAN 2018)',
    keys: ['model.0.weight', 'model.1.sub.0.RDB1.conv1.0.weight'],
    detect: detectRrdbOld,
  },
  {
    name: 'SRVGGNetCompact',
    keys: ['body.0.weight', 'body.1.weight', 'body.2.weight'],
    detect: detectSrvgg,
  },
  {
    name: 'MSRResNet',
    keys: ['conv_first.weight', 'body.0.conv1.weight', 'conv_hr.weight'],
    detect: detectMsrResNet,
  },
  {
    name: 'SRResNet (SRGAN)',
    keys: ['conv1.0.weight', 'trunk.0.rcb.0.weight'],
    detect: detectSrganSrResNet,
  },
  {
    name: 'EDSR (EDSR-PyTorch)',
    keys: ['head.0.weight', 'body.0.body.0.weight', 'tail.1.weight'],
    detect: detectEdsrOfficial,
  },
  {
    name: 'EDSR (BasicSR)',
    keys: ['conv_first.weight', 'body.0.conv1.weight', 'conv_after_body.weight'],
    detect: detectEdsrBasicSr,
  },
];

export const SUPPORTED_ARCHITECTURES = DETECTORS.map((d) => d.name);

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
  const d = DETECTORS.find((c) => c.keys.every((k) => t.has(k)));
  if (!d) {
    const names = [...t.keys()];
    const shown = names.slice(0, 6).join(', ') + (names.length > 6 ? ', …' : '');
    throw new Error(
      `${label}: unknown architecture (${names.length} tensors: ${shown || 'none'}); supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`,
    );
  }
  return d.detect(new TensorReader(t, label), opt);
}

/** The floating-point tensors of a PyTorch state dict (integer bookkeeping such as num_batches_tracked is kept too, so detectors can account for it). */
export function sourceTensorsFromTorch(dict: Map<string, TorchTensor>): SourceTensors {
  const out: SourceTensors = new Map();
  for (const [k, v] of dict) {
    if (isFloatDtype(v.dtype) || k.endsWith('num_batches_tracked'))
      out.set(k, { shape: v.shape, values: v.values });
  }
  return out;
}
