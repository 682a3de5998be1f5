// RealPLKSR GroupNorm: tiled against untiled output on a photo crop, for tile-local statistics
// (0 passes) and 1…n whole-image statistics passes, with the time of each. Run as a script:
//   npx tsx src/main/engine/metrics/bench-groupnorm.ts <photo> <crop> <tile> <tiny.pth|real|deep> [max passes|overview|sweep]
// `real`: a random model at the released size (64 features, 28 blocks, 17 px kernel, ×4).
// UPRES_SESSION_HOST=thread keeps onnxruntime in this process, so `maxRSS` is the peak of it all.
import sharp from 'sharp';
import type { RealPlksrSpec } from '../../../shared/architecture';
import { architectureOf } from '../models/architectures';
import {
  gatherGroupStats,
  overviewStats,
  withGroupStats,
} from '../models/architectures/realplksr/global-norm';
import { sweepGroupStats } from '../models/architectures/realplksr/global-norm-sweep';
import { realPlksrTensors } from '../models/architectures/realplksr/tensors';
import { buildGraph } from '../models/build-graph';
import { readModelFile } from '../models/read-model-file';
import type { StateDict } from '../models/state-dict';
import { planTiles } from '../pipeline/tile-plan';
import { rasterOverviewTensor, rasterRegionToTensor, type Raster } from '../pipeline/raster';
import { tiledUpscale } from '../pipeline/tiled-upscale';
import { InferenceSession, type Tensor4 } from '../runtime/inference-session';
import { psnr } from './psnr';

/** CPU seconds of this process, all threads (onnxruntime runs in it): steadier than wall time on a busy machine. */
const cpuSeconds = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1e6;
};

/** PyTorch's default conv init: U(±1/√fan_in) for weights and biases. */
function randomWeights(spec: RealPlksrSpec, seed = 1): StateDict {
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
  const out: StateDict = new Map();
  for (const t of realPlksrTensors(spec)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const norm = t.name.endsWith('norm.weight');
    const fan = t.name.endsWith('.bias')
      ? 1 / Math.sqrt(64)
      : 1 / Math.sqrt(t.shape.slice(1).reduce((a, b) => a * b, 1));
    out.set(
      t.name,
      Float32Array.from({ length: n }, () => (norm ? 1 + 0.1 * rnd() : fan * rnd())),
    );
  }
  return out;
}

const REAL: RealPlksrSpec = {
  kind: 'realplksr',
  inChannels: 3,
  outChannels: 3,
  features: 64,
  blocks: 28,
  kernelSize: 17,
  split: 16,
  attention: false,
  norm: 'group',
  normGroups: 4,
  scale: 4,
  upsampler: 'pixelshuffle',
};

async function main(): Promise<void> {
  const [photo, cropArg, tileArg, which, ...rest] = process.argv.slice(2);
  const crop = Number(cropArg);
  // crop 640 on a 640×480 photo: the whole photo.
  const tile = Number(tileArg);
  // `deep`: the released depth (28 blocks, 17 px kernel) at a quarter of the width, 16× cheaper.
  const DEEP: RealPlksrSpec = { ...REAL, features: 16, split: 4 };
  const { spec, weights } =
    which === 'real' || which === 'deep'
      ? {
          spec: which === 'real' ? REAL : DEEP,
          weights: randomWeights(which === 'real' ? REAL : DEEP),
        }
      : ((await readModelFile(which)) as { spec: RealPlksrSpec; weights: StateDict });
  const session = await InferenceSession.create(
    await buildGraph(spec, weights, { fp16: false }),
    'cpu',
  );
  const { data, info } = await sharp(photo)
    .removeAlpha()
    .extract({ left: 0, top: 0, width: crop, height: Math.round(crop * 0.75) })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const input: Raster = { width: info.width, height: info.height, channels: 3, data };
  const plain = (t: Tensor4) => session.run(t);
  const overlap = architectureOf(spec).overlapFor?.(spec) ?? 32;
  const feather = architectureOf(spec).tiling.feather;
  let t0 = performance.now();
  const c0 = cpuSeconds();
  const untiled = await tiledUpscale(input, plain, { scale: spec.scale, tile: crop, overlap: 0 });
  console.log(
    `untiled ${info.width}×${info.height}: ${((performance.now() - t0) / 1000).toFixed(1)} s (${(cpuSeconds() - c0).toFixed(1)} s CPU)`,
  );
  const plan = planTiles(input.width, input.height, tile, overlap);
  const run = (t: Tensor4, extra: Record<string, Tensor4>) => session.runWith(t, extra);
  const tensorOf = (r: Raster) => (q: { x: number; y: number; w: number; h: number }) =>
    rasterRegionToTensor(r, q.x, q.y, q.w, q.h);
  const job = { tiles: plan, tensor: tensorOf(input), run };
  const whole = (r: Raster) => {
    const all = { x: 0, y: 0, w: r.width, h: r.height };
    return { tiles: [{ core: all, region: all }], tensor: tensorOf(r), run };
  };
  const report = async (
    what: string,
    stats: Float32Array | undefined,
    since: number,
    cpuSince?: number,
  ) => {
    const t1 = performance.now();
    const c1 = cpuSeconds();
    const runTile = stats ? withGroupStats(spec, stats, run) : plain;
    const opt = { scale: spec.scale, tile, overlap, plan, feather };
    const tiled = await tiledUpscale(input, runTile, opt);
    const now = performance.now();
    const cpu = (from: number, to: number) => ` (${(to - from).toFixed(1)} s CPU)`;
    console.log(
      `${what}: ${psnr(tiled.data, untiled.data).toFixed(1)} dB vs untiled (${plan.length} tiles of ${tile} px, context ${overlap}); statistics ${((t1 - since) / 1000).toFixed(1)} s${cpuSince === undefined ? '' : cpu(cpuSince, c1)}, output pass ${((now - t1) / 1000).toFixed(1)} s${cpu(c1, cpuSeconds())}`,
    );
  };
  await report('tile-local GroupNorm', undefined, performance.now());
  if (rest[0] === 'sweep') {
    // The estimate deep models got before, then the exact sweep (one stage pass per block).
    t0 = performance.now();
    let c = cpuSeconds();
    const est = await overviewStats(spec, {
      ...job,
      preview: (px) => rasterOverviewTensor(input, px),
    });
    await report('overview estimate', est, t0, c);
    t0 = performance.now();
    c = cpuSeconds();
    const open = async (graph: Uint8Array) => {
      const s = await InferenceSession.create(graph, 'cpu');
      return {
        run: (t: Tensor4, e: Record<string, Tensor4>) => s.runWith(t, e),
        dispose: () => s.dispose(),
      };
    };
    const exact = await sweepGroupStats(spec, job, { weights, open, shift: est });
    await report(`sweep, ${spec.blocks} stage passes`, exact, t0, c);
    // What any statistics scheme can reach at this context: the untiled run's own statistics.
    t0 = performance.now();
    await report('untiled statistics (oracle)', await gatherGroupStats(spec, whole(input), 1), t0);
    const map = input.width * input.height * 2 * spec.features * 2;
    console.log(
      `temporary maps: 2 × ${(map / 1e6).toFixed(1)} MB (${(map / (input.width * input.height)).toFixed(0)} B/px each); peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`,
    );
    await session.dispose();
    return;
  }
  if (rest[0] === 'overview') {
    // The product's first estimate: the photo box-averaged to its largest tile region, run whole.
    t0 = performance.now();
    const est = await overviewStats(spec, {
      ...job,
      preview: (px) => rasterOverviewTensor(input, px),
    });
    let spent = performance.now() - t0;
    const largest = Math.max(...plan.map((t) => t.region.w * t.region.h));
    const f = Math.ceil(Math.sqrt((input.width * input.height) / largest));
    await report(`overview (box ÷${f})`, est, performance.now() - spent);
    t0 = performance.now();
    const next = await gatherGroupStats(spec, job, 1, est);
    spent += performance.now() - t0;
    await report(`overview (box ÷${f}) + 1 pass`, next, performance.now() - spent);
    console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
    await session.dispose();
    return;
  }
  const maxPasses = Number(rest[0] ?? 4);
  t0 = performance.now();
  // The best any scheme can do: the untiled run's own statistics (what remains is the context's).
  await report('untiled statistics (oracle)', await gatherGroupStats(spec, whole(input), 1), t0);
  // Passes one at a time, each continuing from the last estimate (the product's scheme).
  let stats: Float32Array | undefined;
  let spent = 0;
  for (let k = 1; k <= maxPasses; k++) {
    t0 = performance.now();
    stats = await gatherGroupStats(spec, job, 1, stats);
    spent += performance.now() - t0;
    await report(`${k} statistics pass(es)`, stats, performance.now() - spent);
  }
  // A first estimate from the photo at half size, run whole (cheap), then passes from it.
  t0 = performance.now();
  const { data: d, info: i } = await sharp(data, { raw: info })
    .resize(Math.round(info.width / 2), Math.round(info.height / 2), { kernel: 'cubic' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  const small: Raster = { width: i.width, height: i.height, channels: 3, data: d };
  stats = await gatherGroupStats(spec, whole(small), 1);
  spent = performance.now() - t0;
  await report('half-size estimate', stats, performance.now() - spent);
  for (let k = 1; k <= Math.min(2, maxPasses); k++) {
    t0 = performance.now();
    stats = await gatherGroupStats(spec, job, 1, stats);
    spent += performance.now() - t0;
    await report(`half-size estimate + ${k} pass(es)`, stats, performance.now() - spent);
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
  await session.dispose();
}

void main();
