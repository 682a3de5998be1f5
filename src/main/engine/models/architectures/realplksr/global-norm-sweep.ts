// Exact whole-image GroupNorm statistics for deep RealPLKSR, in one sweep per block. Block k's
// statistics depend on every earlier block's normalised output over the whole image, so no amount
// of context makes a tile's own exact; estimates from an overview reach 27–37 dB on 28 blocks.
// Instead the network is run a stage at a time (sweep-graphs.ts): every tile through one stage,
// its state [x, y] written to a float16 map on disk, the stage's sums added up; the next stage
// reads its tiles back from that map with only its own context (one block's radius, ~11 px) and
// normalises with the statistics just completed. Memory stays one tile's; disk holds two maps
// (4·features bytes a pixel each), deleted afterwards, on failure and on cancel too. The output
// tiles then run through the full graph with the exact statistics (global-norm.ts).
import { mkdtemp, rm, statfs } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RealPlksrSpec } from '../../../../../shared/architecture';
import { throwIfCancelled } from '../../../../../shared/cancel';
import { msg } from '../../../../../shared/engine-message';
import { UpresError } from '../../../../../shared/errors';
import type { Rect } from '../../../pipeline/raster';
import { SCRATCH_PREFIX } from '../../../pipeline/safe-write';
import type { Tensor4 } from '../../../runtime/inference-session';
import type { StateDict } from '../../state-dict';
import type { GraphSession, WholeImageJob } from '../definition';
import { FeatureMapFile } from './feature-map-file';
import { GN_CORE, GN_STATS, GN_SUMS, GN_USE } from './global-norm-graph';
/** Per block and group [mean, variance] (global-norm.ts's GroupStats). */
type GroupStats = Float32Array;
import { plkBodyRadius } from './graph';
import { buildHeadGraph, buildStageGraph, stageWeights } from './sweep-graphs';

/** What the sweep needs beyond the tiles: the weights, a way to run a graph, a scratch folder. */
export interface SweepSource {
  weights: StateDict;
  open: (graph: Uint8Array) => Promise<GraphSession>;
  /** Where the temporary maps go (default: the OS temp folder). */
  scratch?: string;
  /** Statistics whose means shift the sums (float32 sums stay exact); zeros when absent. */
  shift?: GroupStats;
}

/** Prefix of the sweep's temporary folders. */
export const SWEEP_PREFIX = `${SCRATCH_PREFIX}gn-maps-`;

/** The folder the sweep's maps go in. */
export const scratchDir = (src: { scratch?: string }): string => src.scratch ?? tmpdir();

/** Disk the sweep's two maps take at most, in bytes (float16 [x, y] state of 2·features). */
export function sweepBytes(spec: RealPlksrSpec, tiles: WholeImageJob['tiles']): number {
  const { w, h } = extent(tiles);
  return 2 * w * h * 2 * spec.features * 2;
}

/** Free bytes for an unprivileged writer in `dir`, or undefined when the system cannot say. */
export async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch {
    return undefined;
  }
}

/** The image size a plan covers. */
function extent(tiles: WholeImageJob['tiles']): { w: number; h: number } {
  let w = 0;
  let h = 0;
  for (const { core } of tiles) {
    w = Math.max(w, core.x + core.w);
    h = Math.max(h, core.y + core.h);
  }
  return { w, h };
}

/** `core` grown by `r` px on every side, within a w × h image. */
function grown(core: Rect, r: number, w: number, h: number): Rect {
  const x = Math.max(0, core.x - r);
  const y = Math.max(0, core.y - r);
  return {
    x,
    y,
    w: Math.min(w, core.x + core.w + r) - x,
    h: Math.min(h, core.y + core.h + r) - y,
  };
}

/** Every block's exact whole-image [mean, variance], one stage pass over the tiles per block. */
export async function sweepGroupStats(
  spec: RealPlksrSpec,
  job: WholeImageJob,
  src: SweepSource,
): Promise<GroupStats> {
  const groups = spec.normGroups;
  const blocks = spec.blocks;
  const perGroup = spec.features / groups;
  const { w, h } = extent(job.tiles);
  const radius = plkBodyRadius(spec);
  const stats = new Float32Array(blocks * groups * 2);
  const shiftOf = (b: number): Float32Array => {
    const out = new Float32Array(groups * 2);
    for (let i = 0; i < groups; i++) out[2 * i] = src.shift?.[(b * groups + i) * 2] ?? 0;
    return out;
  };
  let done = 0;
  const dir = await mkdtemp(join(scratchDir(src), SWEEP_PREFIX));
  const files: FeatureMapFile[] = [];
  const sessions: GraphSession[] = [];
  const map = async (k: number): Promise<FeatureMapFile> => {
    const f = await FeatureMapFile.create(join(dir, `${k}.f16`), w, h, 2 * spec.features);
    files.push(f);
    return f;
  };
  // One pass of a stage over every tile: block `b`'s sums (row `row` of gn_sums) into `stats`.
  const pass = async (
    session: GraphSession,
    r: number,
    input: (region: Rect) => Promise<Tensor4>,
    given: Float32Array,
    weights: Record<string, Tensor4>,
    b: number,
    row: number,
    out: FeatureMapFile | undefined,
  ): Promise<void> => {
    const s1 = new Float64Array(groups);
    const s2 = new Float64Array(groups);
    let count = 0;
    const rows = given.length / (groups * 2);
    for (const { core } of job.tiles) {
      throwIfCancelled(job.signal, 'group statistics');
      const region = grown(core, r, w, h);
      const y0 = core.y - region.y;
      const x0 = core.x - region.x;
      const res = await session.run(await input(region), {
        ...weights,
        [GN_STATS]: { data: given.slice(), dims: [rows, groups, 2] },
        [GN_USE]: { data: Float32Array.of(1), dims: [1] },
        [GN_CORE]: { data: Float32Array.of(y0, x0, y0 + core.h, x0 + core.w), dims: [4] },
      });
      const sums = res.outputs[GN_SUMS];
      if (!sums || sums.data.length !== rows * groups * 2)
        throw new Error(`RealPLKSR: a sweep stage returned no ${GN_SUMS} of ${rows}×${groups}`);
      for (let i = 0; i < groups; i++) {
        s1[i] += sums.data[(row * groups + i) * 2];
        s2[i] += sums.data[(row * groups + i) * 2 + 1];
      }
      count += core.w * core.h * perGroup;
      if (out) await out.writeCore(res.output, region, core);
      job.onTile?.(++done);
    }
    for (let i = 0; i < groups; i++) {
      const m = s1[i] / count;
      const at = (b * groups + i) * 2;
      stats[at] = given[(row * groups + i) * 2] + m;
      stats[at + 1] = Math.max(0, s2[i] / count - m * m);
    }
  };
  try {
    // Head: the image (one more conv's context) to [x₀, y₁].
    const head = await src.open(buildHeadGraph(spec, src.weights));
    sessions.push(head);
    let prev = blocks > 1 ? await map(1) : undefined;
    await pass(head, radius + 1, async (r) => job.tensor(r), shiftOf(0), {}, 0, 0, prev);
    await head.dispose();
    sessions.pop();
    if (blocks === 1) return stats;
    const graph = buildStageGraph(spec, src.weights);
    const stage = await src.open(graph.bytes);
    sessions.push(stage);
    for (let b = 2; b <= blocks; b++) {
      const feeds: Record<string, Tensor4> = {};
      for (const [name, data] of stageWeights(spec, src.weights, b))
        feeds[name] = { data, dims: graph.inputs.get(name)! };
      const given = new Float32Array(4 * groups);
      given.set(stats.subarray((b - 2) * groups * 2, (b - 1) * groups * 2));
      given.set(shiftOf(b - 1), 2 * groups);
      const from = prev!;
      const next = b < blocks ? await map(b) : undefined;
      await pass(stage, radius, (r) => from.read(r), given, feeds, b - 1, 1, next);
      await from.close();
      await rm(from.path, { force: true });
      files.splice(files.indexOf(from), 1);
      prev = next;
    }
    return stats;
  } catch (err) {
    // The disk filled up after the check (another program): say which folder and how much.
    if ((err as NodeJS.ErrnoException).code === 'ENOSPC')
      throw new UpresError(
        'disk.full',
        msg('modelFiles.groupNormDiskFull', {
          folder: dir,
          need: (sweepBytes(spec, job.tiles) / 1e9).toFixed(1),
        }),
        { cause: err },
      );
    throw err;
  } finally {
    await Promise.allSettled(files.map((f) => f.close()));
    await Promise.allSettled(sessions.map((s) => s.dispose()));
    await rm(dir, { recursive: true, force: true });
  }
}
