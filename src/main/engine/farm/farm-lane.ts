import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { isError, UpresError } from '../../../shared/errors';
import type { QueueItem, QueueProgress } from '../../../shared/queue';
import { inspectImage } from '../pipeline/decode';
import type { ModelRegistry } from '../models/model-registry';
import { ModelRenderer, registryModelDigest, registryModelScale } from '../queue/model-renderer';
import type { RenderRequest, Renderer } from '../queue/queue-types';
import { UpscaleQueue } from '../queue/upscale-queue';
import { ModelCache } from '../runtime/model-cache';
import type { LocalJob } from './confine';
import type { FarmJobData } from './farm-types';

/** What a lane needs to know while it renders one job (the farm's commit records, see there). */
export interface JobHooks {
  /** Before a render writes its temp file. */
  noteTemp(tmp: string, target: string): Promise<void>;
  /** Before the output is linked: false when another worker has committed this job. */
  claim(): Promise<boolean>;
}

/** How one job ended on a lane. */
export type LaneOutcome =
  | { kind: 'done' | 'skipped'; item: QueueItem }
  | { kind: 'failed'; error: UpresError }
  | { kind: 'cancelled' }
  /** Stopped for a shutdown before it finished: the job goes back to the farm. */
  | { kind: 'handed-back' }
  /** Another worker committed this job's output first; this one committed nothing. */
  | { kind: 'lost-race' };

class LostRace extends UpresError {
  constructor(input: string) {
    super('output.exists', `${input}: another worker committed this photo first`);
  }
}

/**
 * One job at a time through the local engine path, exactly as `upres upscale` runs an item: an
 * `UpscaleQueue` of its own (a journal in a private temp folder) adds the photo (header, output
 * plan, input guard) and runs it (attempt policy, tiles, encode, temp file, link). The lane's
 * renderer wraps the shared `ModelRenderer` (models stay loaded between jobs) only to tell the
 * farm about each temp file and to take the job's commit claim before the link.
 */
export class FarmLane {
  private hooks: JobHooks | undefined;
  private lost = false;

  private constructor(
    private readonly q: UpscaleQueue,
    private readonly dir: string,
    private readonly renderer: ModelRenderer,
  ) {}

  /**
   * Opens a lane with its own model cache: lanes run side by side (`--concurrency`), and a cancel
   * that terminates one lane's session must not stop another's.
   */
  static async open(
    registry: ModelRegistry,
    log: (line: string) => void,
    base: string,
  ): Promise<FarmLane> {
    const renderer = new ModelRenderer(
      ModelCache.forRegistry(registry, log),
      registryModelScale(registry),
      registryModelDigest(registry),
    );
    await mkdir(base, { recursive: true });
    const dir = await mkdtemp(join(base, `lane-${process.pid}-`));
    // The renderer is made before the lane it serves (the queue needs it to open).
    const ref: { lane?: FarmLane } = {};
    const render: Renderer = async (req: RenderRequest) => {
      const hooks = ref.lane?.hooks;
      await hooks?.noteTemp(req.tmp, req.plan.path);
      const result = await renderer.render(req);
      if (hooks && !req.signal.aborted && !(await hooks.claim())) {
        if (ref.lane) ref.lane.lost = true;
        throw new LostRace(req.item.input);
      }
      return result;
    };
    const q = await UpscaleQueue.open({
      journalPath: join(dir, 'lane.json'),
      render,
      modelScale: renderer.modelScale,
      // A job may move to another worker, which could not use this one's tiles: none are kept.
      tileStores: false,
    });
    ref.lane = new FarmLane(q, dir, renderer);
    return ref.lane;
  }

  /**
   * Runs one job. `stop` fires with 'cancel' (the batch was cancelled) or 'hand-back' (shutdown):
   * the render stops within the tile it is on.
   */
  async run(
    job: LocalJob,
    data: FarmJobData,
    hooks: JobHooks,
    io: { progress: (p: QueueProgress) => void; stop: AbortSignal },
  ): Promise<LaneOutcome> {
    const q = this.q;
    this.hooks = hooks;
    this.lost = false;
    let item: QueueItem | undefined;
    const onProgress = (p: QueueProgress): void => {
      if (p.id === item?.id && !p.estimated) io.progress(p);
    };
    const onStop = (): void => {
      if (!item) return;
      if (io.stop.reason === 'hand-back') void q.pause();
      else void q.cancel(item.id);
    };
    try {
      // The header first, for a typed error (a non-image, an unreadable file) naming the photo.
      await inspectImage(job.input);
      let added: QueueItem[];
      let problems: { error: string; detail?: EngineMessage }[];
      try {
        ({ added, problems } = await q.add([job.input], data.settings, {
          outDir: job.outFolder,
          nameTemplate: data.nameTemplate,
          onExists: data.onExists,
        }));
      } catch (err) {
        if (isError(err, 'model.unknown'))
          throw new UpresError(
            'model.unknown',
            // The registry's own sentence goes in as a value: keys do not nest.
            msg('batch.farmNoModel', {
              file: job.input,
              model: data.settings.model,
              reason: err.message,
            }),
          );
        throw err;
      }
      item = added[0];
      if (!item)
        throw new UpresError(
          'input.unreadable',
          problems[0]?.detail ??
            problems[0]?.error ??
            msg('batch.farmNotAdded', { file: job.input }),
        );
      q.on('progress', onProgress);
      io.stop.addEventListener('abort', onStop, { once: true });
      if (io.stop.aborted) onStop();
      await q.start();
      const end = q.get(item.id)!;
      await q.remove(item.id);
      if (end.state === 'waiting') return { kind: 'handed-back' };
      if (end.state === 'done' || end.state === 'skipped') return { kind: end.state, item: end };
      if (end.state === 'cancelled') return { kind: 'cancelled' };
      if (this.lost) return { kind: 'lost-race' };
      return {
        kind: 'failed',
        error: new UpresError(
          end.errorCode ?? 'internal',
          end.errorDetail ?? end.error ?? msg('batch.farmFailed', { file: job.input }),
        ),
      };
    } catch (err) {
      if (item && q.get(item.id)?.state !== 'running')
        await q.remove(item.id).catch(() => undefined);
      if (err instanceof UpresError) return { kind: 'failed', error: err };
      const message = (err as Error).message;
      return {
        kind: 'failed',
        error: new UpresError(
          'internal',
          message.includes(job.input) ? message : `${job.input}: ${message}`,
        ),
      };
    } finally {
      this.hooks = undefined;
      q.off('progress', onProgress);
      io.stop.removeEventListener('abort', onStop);
    }
  }

  /** Closes the lane's queue, lets go of its model and deletes its private folder. */
  async close(): Promise<void> {
    await this.q.close({ deleteJournal: true }).catch(() => undefined);
    await this.renderer.dispose().catch(() => undefined);
    await rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * Deletes the lane folders of workers that are gone (killed, crashed: they could not clean up);
 * a lane's folder is named for its process id. Nothing in them is worth keeping: a dead worker's
 * photos were handed to other workers by the farm.
 */
export async function removeStaleLanes(base: string): Promise<void> {
  const names = await readdir(base).catch(() => [] as string[]);
  for (const n of names) {
    const pid = Number(/^lane-(\d+)-/.exec(n)?.[1]);
    if (!pid || pid === process.pid || alive(pid)) continue;
    await rm(join(base, n), { recursive: true, force: true }).catch(() => undefined);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
