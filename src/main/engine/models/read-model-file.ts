// Reads a user's model file in any supported format into a detected architecture + canonical weights.
import { basename, extname } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { isError, UpresError } from '../../../shared/errors';
import { detectArchitecture, sourceTensorsFromTorch } from './detect/detect-architecture';
import type { DetectOptions, DetectedModel } from './detect/detected-model';
import type { SourceTensors } from './detect/tensor-source';
import { readModelBytes } from './model-bytes';
import { importNcnnModel } from './ncnn-import';
import { loadNcnnWeights, parseNcnnParam } from './ncnn-reader';
import { readOnnxModel } from './onnx/read-onnx-model';
import { refused } from './refusal';
import { extractStateDict, isFloatDtype, parseTorchCheckpoint } from './pth/read-checkpoint';
import { decodeSafetensors, type NamedTensor } from './safetensors';

export type ModelFileFormat = 'pytorch' | 'safetensors' | 'ncnn' | 'onnx';

export interface ModelFile extends DetectedModel {
  format: ModelFileFormat;
  /** True when every weight was stored in half precision (then the import keeps fp16). */
  halfPrecision: boolean;
  /** Every file read, with its bytes (for hashing). */
  files: { path: string; bytes: Uint8Array }[];
  /**
   * For `.onnx` files (format 'onnx', no `weights`): the graph as it will be stored, normalised to
   * the engine's input / output names and float32 edges.
   */
  onnx?: { bytes: Uint8Array; dtype: 'float16' | 'float32'; parameters: number };
}

export interface ReadModelOptions extends DetectOptions {
  /** Time limit of an `.onnx` model's trial run, in ms (default: probe-onnx's PROBE_TIME_LIMIT_MS). */
  probeTimeoutMs?: number;
}

const MODEL_EXTENSIONS = ['.pth', '.pt', '.ckpt', '.safetensors', '.param', '.bin', '.onnx'];

function ncnnPartner(path: string): { param: string; bin: string } {
  const stem = path.slice(0, -extname(path).length);
  return { param: `${stem}.param`, bin: `${stem}.bin` };
}

/** Reads one half of an ncnn model; a missing half is named as the one the model needs. */
async function readNcnnPart(path: string, named: string): Promise<Buffer> {
  try {
    return await readModelBytes(path);
  } catch (err) {
    if (isError(err, 'input.missing'))
      throw new UpresError(
        'input.missing',
        msg('modelFiles.ncnnPartnerMissing', { file: basename(named), partner: basename(path) }),
        { cause: err },
      );
    throw err;
  }
}

/**
 * Reads a .pth/.pt/.ckpt, .safetensors or ncnn .param/.bin model and recognises its architecture,
 * or validates an .onnx model and measures its scale by running it once.
 */
export async function readModelFile(path: string, opt: ReadModelOptions = {}): Promise<ModelFile> {
  const name = basename(path);
  const ext = extname(path).toLowerCase();
  if (!MODEL_EXTENSIONS.includes(ext))
    throw refused('modelFiles.notModelFile', {
      file: name,
      extensions: MODEL_EXTENSIONS.join(', '),
    });
  if (ext === '.param' || ext === '.bin') {
    const { param, bin } = ncnnPartner(path);
    const paramBytes = await readNcnnPart(param, path);
    const binBytes = await readNcnnPart(bin, path);
    const layers = parseNcnnParam(Buffer.from(paramBytes).toString('utf8'), basename(param));
    loadNcnnWeights(layers, binBytes, basename(bin));
    const { spec, weights } = importNcnnModel(layers);
    return {
      spec,
      weights,
      layout: 'ncnn (Upscayl / realesrgan-ncnn-vulkan)',
      notes: [],
      format: 'ncnn',
      halfPrecision: true,
      files: [
        { path: param, bytes: paramBytes },
        { path: bin, bytes: binBytes },
      ],
    };
  }
  const bytes = await readModelBytes(path);
  if (ext === '.onnx') {
    const m = await readOnnxModel(bytes, name, { timeoutMs: opt.probeTimeoutMs });
    return {
      spec: m.spec,
      weights: new Map(),
      layout: m.layout,
      notes: m.notes,
      format: 'onnx',
      halfPrecision: m.dtype === 'float16',
      files: [{ path, bytes }],
      onnx: { bytes: m.bytes, dtype: m.dtype, parameters: m.parameters },
    };
  }
  let tensors: SourceTensors;
  let format: ModelFileFormat;
  let halfPrecision: boolean;
  if (ext === '.safetensors') {
    tensors = decodeSafetensors(bytes, name).tensors;
    format = 'safetensors';
    halfPrecision = [...(tensors as Map<string, NamedTensor>).values()].every(
      (t) => t.dtype === 'F16' || t.dtype === 'I64',
    );
  } else {
    const dict = extractStateDict(parseTorchCheckpoint(bytes, name).root);
    tensors = sourceTensorsFromTorch(dict);
    format = 'pytorch';
    if (tensors.size === 0) throw refused('modelFiles.noWeightTensors', { file: name });
    halfPrecision = [...dict.values()].every(
      (t) => t.dtype === 'float16' || !isFloatDtype(t.dtype),
    );
  }
  return {
    ...detectArchitecture(tensors, name, opt),
    format,
    halfPrecision,
    files: [{ path, bytes }],
  };
}
