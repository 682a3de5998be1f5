import { msg } from '../../../../../shared/engine-message';
// Whole-image GroupNorm statistics for tiled RealPLKSR. Every PLK block ends in a GroupNorm over
// the whole feature map; a tile normalising over itself differs from the untiled image (36.9 dB).
// The statistics are gathered over the image in passes over the tiles, each tile's core counted
// once: the first pass normalises with a first estimate (an overview of the photo run whole, else
// each tile's own) and measures every block's sums; each pass normalises with the last estimate,
// which makes one more block's statistics exact and the rest closer to the untiled run's. Memory
// stays one tile's (the sums are blocks × groups × 2 numbers), whatever the image size; each pass
// costs about one tiled run. Deep models sweep a block at a time instead (global-norm-sweep.ts).
import type { RealPlksrSpec } from '../../../../../shared/architecture';
import { throwIfCancelled } from '../../../../../shared/cancel';
import type { Tensor4 } from '../../../runtime/inference-session';
import type { WholeImageJob, WholeImagePass } from '../definition';
import { GN_CORE, GN_STATS, GN_SUMS, GN_USE } from './global-norm-graph';
import { freeBytes, scratchDir, sweepBytes, sweepGroupStats } from './global-norm-sweep';

/**
 * Statistics passes over the tiles after the first estimate. After pass k the first k blocks'
 * statistics are exact (block k's input depends only on blocks before it), so shallow models get
 * `blocks` passes: exact. Deep ones get none of these: on a random 28-block model (README: tiling
 * facts) the overview estimate alone gave 27.6 dB against untiled and one pass after it 24.7
 * (tile-local: 14.4; passes from tile-local: 19.2 / 20.8 / 26.8 / 36.6 after 1–4, each pass a tiled
 * run). They take the block-by-block sweep instead (global-norm-sweep.ts, 75.9 dB).
 */
export const gnPasses = (spec: RealPlksrSpec): number => (spec.blocks <= 3 ? spec.blocks : 0);

/** Per block and group [mean, variance] as the graph's `gn_stats` input takes them. */
export type GroupStats = Float32Array;

/** Runs `passes` statistics passes over the job's tiles and returns the last estimate. */
export async function gatherGroupStats(
  spec: RealPlksrSpec,
  job: WholeImageJob,
  passes: number,
  /** A first estimate (else the first pass normalises each tile over itself). */
  initial?: GroupStats,
): Promise<GroupStats> {
  const groups = spec.normGroups;
  const n = spec.blocks * groups;
  const perGroup = spec.features / groups;
  let stats = initial ?? new Float32Array(2 * n);
  let done = 0;
  for (let pass = 0; pass < passes; pass++) {
    const s1 = new Float64Array(n);
    const s2 = new Float64Array(n);
    let count = 0;
    const given = pass === 0 && !initial ? 0 : 1;
    for (const { core, region } of job.tiles) {
      throwIfCancelled(job.signal, 'group statistics');
      const y0 = core.y - region.y;
      const x0 = core.x - region.x;
      const extra: Record<string, Tensor4> = {
        [GN_STATS]: { data: stats.slice(), dims: [spec.blocks, groups, 2] },
        [GN_USE]: { data: Float32Array.of(given), dims: [1] },
        [GN_CORE]: { data: Float32Array.of(y0, x0, y0 + core.h, x0 + core.w), dims: [4] },
      };
      const sums = (await job.run(job.tensor(region), extra)).outputs[GN_SUMS];
      if (!sums || sums.data.length !== 2 * n)
        throw new Error(`RealPLKSR: the graph returned no ${GN_SUMS} of ${spec.blocks}×${groups}`);
      for (let i = 0; i < n; i++) {
        s1[i] += sums.data[2 * i];
        s2[i] += sums.data[2 * i + 1];
      }
      count += core.w * core.h * perGroup;
      job.onTile?.(++done);
    }
    const next = new Float32Array(2 * n);
    for (let i = 0; i < n; i++) {
      // Sums were shifted by the mean fed in (0 in the first pass).
      const m = s1[i] / count;
      next[2 * i] = stats[2 * i] + m;
      next[2 * i + 1] = Math.max(0, s2[i] / count - m * m);
    }
    stats = next;
  }
  return stats;
}

/**
 * A first estimate: the statistics of the image box-averaged to the size of its largest tile region
 * (which is known to fit), run as one tile. Measured on a deep random model (README), the whole
 * 640×480 photo: 27.6 dB against untiled from a ÷3 overview (1.1 s) where tile-local gives 14.4.
 */
export async function overviewStats(
  spec: RealPlksrSpec,
  job: WholeImageJob,
): Promise<GroupStats | undefined> {
  if (!job.preview) return undefined;
  const largest = Math.max(...job.tiles.map((t) => t.region.w * t.region.h));
  const small = job.preview(largest);
  const [, , h, w] = small.dims;
  const all = { x: 0, y: 0, w, h };
  return gatherGroupStats(
    spec,
    { tiles: [{ core: all, region: all }], tensor: () => small, run: job.run, signal: job.signal },
    1,
  );
}

/** Runs a tile normalised with given whole-image statistics. */
export function withGroupStats(
  spec: RealPlksrSpec,
  stats: GroupStats,
  run: WholeImageJob['run'],
): (input: Tensor4) => Promise<Tensor4> {
  const dims = [spec.blocks, spec.normGroups, 2];
  return async (input) =>
    (
      await run(input, {
        [GN_STATS]: { data: stats.slice(), dims },
        [GN_USE]: { data: Float32Array.of(1), dims: [1] },
      })
    ).output;
}

/**
 * The whole-image passes of a GroupNorm RealPLKSR (none for the layer-norm variant). Shallow
 * models (≤ 3 blocks) take `blocks` statistics passes of the full graph: exact. Deeper ones, when
 * the job carries the weights (`exact`), one sweep stage per block (global-norm-sweep.ts): exact,
 * about one more tiled run plus the maps' disk traffic; without the weights an overview estimate.
 */
export function realPlksrWholeImage(
  spec: RealPlksrSpec,
  exact = false,
  passes = gnPasses(spec),
): WholeImagePass | undefined {
  if (spec.norm !== 'group') return undefined;
  const sweep = exact && passes < spec.blocks;
  // One tile is the whole image: its own statistics are the image's.
  const count = (tiles: number): number => (tiles <= 1 ? 0 : sweep ? spec.blocks : passes);
  return {
    passes: count,
    note: (tiles) =>
      tiles <= 1 || passes >= spec.blocks || sweep
        ? undefined
        : msg('modelFiles.groupNormEstimated'),
    prepare: async (job) => {
      if (job.tiles.length <= 1) return async (input) => (await job.run(input, {})).output;
      const first = await overviewStats(spec, job);
      if (sweep && job.graphs) {
        const { weights, open, scratch } = job.graphs;
        const dir = scratchDir(job.graphs);
        const need = sweepBytes(spec, job.tiles);
        const free = await freeBytes(dir);
        // Room for the maps and 1 GB besides, else the estimate, said so.
        if (free === undefined || free >= need + 2 ** 30) {
          const src = { weights: await weights(), open, scratch, shift: first };
          return withGroupStats(spec, await sweepGroupStats(spec, job, src), job.run);
        }
        const gb = (n: number) => (n / 1e9).toFixed(1);
        job.note?.(
          msg('modelFiles.groupNormNoSpace', { need: gb(need), folder: dir, free: gb(free) }),
        );
        const stats = first ?? (await gatherGroupStats(spec, { ...job, onTile: undefined }, 1));
        // The passes counted in the progress, done.
        for (let i = 1; i <= spec.blocks * job.tiles.length; i++) job.onTile?.(i);
        return withGroupStats(spec, stats, job.run);
      }
      // Without an overview (a caller that has none) one pass from tile-local statistics.
      const stats =
        passes > 0 || !first
          ? await gatherGroupStats(spec, job, Math.max(1, passes), first)
          : first;
      return withGroupStats(spec, stats, job.run);
    },
  };
}
