import { UpresError } from '../../../../shared/errors';
import { normaliseOnnx, type NormalisedOnnx } from './normalise-onnx';
import { probeOnnx, type ProbeOptions } from './probe-onnx';
import type { OnnxSpec } from '../../../../shared/architecture';

export interface ImportedOnnx extends NormalisedOnnx {
  spec: OnnxSpec;
}

/** Validates, normalises and measures an `.onnx` file's bytes. */
export async function readOnnxModel(
  bytes: Uint8Array,
  label: string,
  opt: ProbeOptions = {},
): Promise<ImportedOnnx> {
  const n = normaliseOnnx(bytes, label);
  if (n.inChannels !== undefined && n.inChannels !== 3)
    throw new UpresError(
      'model.refused',
      `${label}: it takes ${n.inChannels} channels; Upres needs RGB (3)`,
    );
  const spec = await probeOnnx(n.bytes, label, 3, opt);
  const notes = [...n.notes];
  if (spec.inputMultiple)
    notes.push(`input sides must be multiples of ${spec.inputMultiple}; tiles are padded to it`);
  return { ...n, spec, notes };
}
