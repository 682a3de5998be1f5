// Measures an imported graph by running it: output channels, scale and the input multiple.
import type { OnnxSpec } from '../../../../shared/architecture';
import { UpresError } from '../../../../shared/errors';
import { InferenceSession } from '../../runtime/inference-session';

/** Output size per input size of a run, or why it does not fit an upscaler. */
function measuredScale(inDims: number[], outDims: number[]): number | string {
  if (outDims.length !== 4 || outDims[0] !== 1)
    return `its output is ${outDims.join('×')} for a ${inDims.join('×')} input, not one NCHW image`;
  const sh = outDims[2] / inDims[2];
  const sw = outDims[3] / inDims[3];
  if (!Number.isInteger(sh) || sh < 1 || sh !== sw)
    return `it turns a ${inDims[2]}×${inDims[3]} input into ${outDims[2]}×${outDims[3]}; Upres needs the same whole scale (1 or more) on both axes`;
  return sh;
}

const PROBE = { h: 16, w: 24 };

/**
 * Runs a normalised graph once on a small image to measure its output channels and scale, and the
 * input multiple it needs (a graph that pixel-unshuffles runs only on even or multiple-of-4 sides).
 */
export async function probeOnnx(
  bytes: Uint8Array,
  label: string,
  inChannels = 3,
): Promise<OnnxSpec> {
  let session: InferenceSession;
  try {
    session = await InferenceSession.create(bytes, 'cpu', 1);
  } catch (err) {
    throw new UpresError(
      'model.refused',
      `${label}: onnxruntime cannot load it (${firstLine(err)})`,
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
        `${label}: running it on a ${inChannels}×${PROBE.h}×${PROBE.w} image failed (${firstLine(err)})`,
        { cause: err },
      );
    }
    const scale = measuredScale([1, inChannels, PROBE.h, PROBE.w], first.dims);
    if (typeof scale === 'string') throw new UpresError('model.refused', `${label}: ${scale}`);
    const outChannels = first.dims[1];
    if (outChannels !== 3)
      throw new UpresError(
        'model.refused',
        `${label}: it outputs ${outChannels} channels; Upres needs RGB (3)`,
      );
    if (scale > 16)
      throw new UpresError('model.refused', `${label}: scale ×${scale} is beyond Upres's ×16`);
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
      throw new UpresError(
        'model.refused',
        `${label}: it runs on a ${PROBE.h}×${PROBE.w} image but not on other sizes; Upres needs a model that takes any image size`,
      );
    return {
      kind: 'onnx',
      inChannels,
      outChannels,
      scale,
      ...(inputMultiple > 1 ? { inputMultiple } : {}),
    };
  } finally {
    await session.dispose();
  }
}

function firstLine(err: unknown): string {
  return (err instanceof Error ? err.message : String(err)).split('\n')[0];
}
