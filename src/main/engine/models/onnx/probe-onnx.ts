// Measures an imported graph by running it: output channels, scale and the input multiple.
import type { OnnxSpec } from '../../../../shared/architecture';
import { msg, type EngineMessage } from '../../../../shared/engine-message';
import { UpresError } from '../../../../shared/errors';
import { refused } from '../refusal';
import { IsolatedSession } from '../../runtime/isolated-session';

/** Output size per input size of a run, or why it does not fit an upscaler (naming `label`). */
function measuredScale(inDims: number[], outDims: number[], label = ''): number | EngineMessage {
  if (outDims.length !== 4 || outDims[0] !== 1)
    return msg('modelFiles.onnxNotOneImage', {
      file: label,
      output: outDims.join('×'),
      input: inDims.join('×'),
    });
  const sh = outDims[2] / inDims[2];
  const sw = outDims[3] / inDims[3];
  if (!Number.isInteger(sh) || sh < 1 || sh !== sw)
    return msg('modelFiles.onnxUnevenScale', {
      file: label,
      input: `${inDims[2]}×${inDims[3]}`,
      output: `${outDims[2]}×${outDims[3]}`,
    });
  return sh;
}

const PROBE = { h: 16, w: 24 };

/**
 * How long the probe may take, load and runs together: 60 s. A real upscaler loads and runs its
 * tiny probe images in seconds on one thread (Real-ESRGAN x4plus, RRDBNet with 17 M parameters:
 * 1.8 s measured on a 2-core dev machine; SRVGG 0.4 s), and the heaviest transformer upscalers
 * cost about ten times RRDBNet per pixel; a minute leaves that room on a slow machine, while a
 * graph that never ends (a `Loop` of 10¹² iterations) is refused within it.
 */
export const PROBE_TIME_LIMIT_MS = 60_000;

/**
 * The probe process's JavaScript heap (it only passes tensors of a few kilobytes). The graph's own
 * memory is onnxruntime's native memory, which no Node option bounds: that is left to the time
 * limit, whose end kills the process and so frees all of it.
 */
const PROBE_HEAP_MB = 256;

export interface ProbeOptions {
  /** Time limit in milliseconds (default PROBE_TIME_LIMIT_MS). */
  timeoutMs?: number;
}

/**
 * Runs a normalised graph once on a small image to measure its output channels and scale, and the
 * input multiple it needs (a graph that pixel-unshuffles runs only on even or multiple-of-4 sides).
 * It runs in its own child process, killed when the time limit passes (a native run in flight can
 * be stopped no other way; a worker thread stuck in one cannot even be terminated); the model is
 * then refused.
 */
export async function probeOnnx(
  bytes: Uint8Array,
  label: string,
  inChannels = 3,
  opt: ProbeOptions = {},
): Promise<OnnxSpec> {
  const limit = opt.timeoutMs ?? PROBE_TIME_LIMIT_MS;
  const timer = new AbortController();
  const t = setTimeout(() => timer.abort(), limit);
  try {
    return await probe(bytes, label, inChannels, timer.signal);
  } catch (err) {
    if (!timer.signal.aborted) throw err;
    throw new UpresError(
      'model.refused',
      msg('modelFiles.onnxProbeTimeout', {
        file: label,
        height: PROBE.h,
        width: PROBE.w,
        seconds: String(limit / 1000),
      }),
      { cause: err },
    );
  } finally {
    clearTimeout(t);
  }
}

async function probe(
  bytes: Uint8Array,
  label: string,
  inChannels: number,
  signal: AbortSignal,
): Promise<OnnxSpec> {
  let session: IsolatedSession;
  try {
    session = await IsolatedSession.create(bytes, { signal, heapMb: PROBE_HEAP_MB });
  } catch (err) {
    throw new UpresError(
      'model.refused',
      // onnxruntime's own first line, quoted as the library wrote it.
      msg('modelFiles.onnxLoadFailed', { file: label, reason: firstLine(err) }),
      { cause: err },
    );
  }
  try {
    const run = (h: number, w: number) => {
      const data = new Float32Array(inChannels * h * w).fill(0.5);
      return session.run({ data, dims: [1, inChannels, h, w] });
    };
    let first;
    try {
      first = await run(PROBE.h, PROBE.w);
    } catch (err) {
      throw new UpresError(
        'model.refused',
        msg('modelFiles.onnxRunFailed', {
          file: label,
          channels: inChannels,
          height: PROBE.h,
          width: PROBE.w,
          reason: firstLine(err),
        }),
        { cause: err },
      );
    }
    const scale = measuredScale([1, inChannels, PROBE.h, PROBE.w], first.dims, label);
    if (typeof scale !== 'number') throw new UpresError('model.refused', scale);
    const outChannels = first.dims[1];
    if (outChannels !== 3)
      throw refused('modelFiles.onnxOutChannels', { file: label, channels: outChannels });
    if (scale > 16) throw refused('modelFiles.onnxScaleTooLarge', { file: label, scale });
    // The smallest side multiple it runs at: 17 (any), 18 (even), 20 (×4), 24 (×8).
    let inputMultiple: number | undefined;
    for (const m of [1, 2, 4, 8]) {
      const side = m === 8 ? 24 : 16 + m;
      const ok = await run(side, side).then(
        (r) => measuredScale([1, inChannels, side, side], r.dims) === scale,
        () => false,
      );
      if (ok) {
        inputMultiple = m;
        break;
      }
    }
    if (inputMultiple === undefined)
      throw refused('modelFiles.onnxOneSizeOnly', { file: label, height: PROBE.h, width: PROBE.w });
    return {
      kind: 'onnx',
      inChannels,
      outChannels,
      scale,
      ...(inputMultiple > 1 ? { inputMultiple } : {}),
    };
  } finally {
    session.kill();
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
