import { msg } from '../../../../shared/engine-message';
import { refused } from '../refusal';
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
    throw refused('modelFiles.onnxInChannels', { file: label, channels: n.inChannels });
  const spec = await probeOnnx(n.bytes, label, 3, opt);
  const notes = [...n.notes];
  if (spec.inputMultiple)
    notes.push(msg('modelFiles.noteOnnxInputMultiple', { multiple: spec.inputMultiple }));
  return { ...n, spec, notes };
}
