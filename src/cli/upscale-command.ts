import { textOf } from '../shared/engine-message';
import { basename, resolve } from 'node:path';
import cliProgress from 'cli-progress';
import type { DeviceChoice, DeviceRequest, Precision } from '../shared/device';
import { isError } from '../shared/errors';
import { itemReport, problemReport, type ItemReport } from '../shared/item-report';
import { BIT_DEPTHS } from '../shared/output-rules';
import { FINISHED, type ItemSettingsInput, type OnExists, type QueueItem } from '../shared/queue';
import { chainId, chainStages } from '../main/engine/models/chain-id';
import type { ModelRegistry } from '../main/engine/models/model-registry';
import type { OutputFormat } from '../main/engine/pipeline/encode';
import { batchJournals, newBatchJournalPath } from '../main/engine/queue/journal';
import {
  ModelRenderer,
  registryModelDigest,
  registryModelScale,
} from '../main/engine/queue/model-renderer';
import { checkNameTemplate } from '../main/engine/queue/output-plan';
import { UpscaleQueue } from '../main/engine/queue/upscale-queue';
import { ModelCache } from '../main/engine/runtime/model-cache';
import { disposeEarlySession, rememberEarlyLoad } from '../main/engine/runtime/early-session';
import { makeFolder } from '../main/engine/storage/make-folder';
import { resolveUserDirs } from '../main/engine/storage/user-dirs';
import {
  formatPhases,
  traceEnabled,
  traceMark,
  tracePhases,
} from '../main/engine/metrics/startup-trace';
import { EXIT } from './exit-codes';
import { UsageError } from './usage-error';

export interface UpscaleCliOptions {
  output?: string;
  recursive: boolean;
  model: string;
  /** Model ids run one after another ("a,b"); replaces `model`. */
  chain?: string;
  alpha?: number;
  scale?: number;
  width?: number;
  height?: number;
  format?: OutputFormat;
  quality?: number;
  compression?: 'deflate' | 'lzw' | 'none';
  bitDepth?: 8 | 10 | 12 | 16;
  effort?: number;
  keepPrintSize?: boolean;
  name: string;
  onExists: OnExists;
  transparency: 'model' | 'resize';
  keepMetadata: 'all' | 'none';
  tile?: number;
  device: DeviceRequest;
  precision: Precision;
  tta: boolean;
  resume: boolean;
  json: boolean;
  /** One line per finished tile on stderr (for scripts and tests; a terminal gets the bars). */
  logTiles?: boolean;
}

const log = (line: string): void => void process.stderr.write(`${line}\n`);

/** Where the command line keeps its batch journals (the app has its own queue). */
export function cliQueueDir(): string {
  return resolveUserDirs().queue;
}

export function settingsFrom(opt: UpscaleCliOptions): ItemSettingsInput {
  return {
    model: opt.model,
    alpha: opt.alpha,
    scale: opt.scale,
    width: opt.width,
    height: opt.height,
    format: opt.format,
    quality: opt.quality,
    compression: opt.compression,
    bitDepth: opt.bitDepth,
    effort: opt.effort,
    keepPrintSize: opt.keepPrintSize,
    keepMetadata: opt.keepMetadata,
    transparency: opt.transparency,
    tta: opt.tta,
    tile: opt.tile,
    device: opt.device,
    precision: opt.precision,
  };
}

/** The chain id of `--chain a,b`: two or more known models or pairs, at most one pair. */
function checkChain(registry: ModelRegistry, list: string): string {
  const ids = list.split(',').map((s) => s.trim());
  if (ids.length < 2 || ids.some((s) => s === ''))
    throw new UsageError(`--chain takes two or more model ids separated by commas, got "${list}"`);
  if (ids.filter((id) => registry.isPair(id)).length > 1)
    throw new UsageError(`--chain ${list}: at most one pair (the dial applies to one stage)`);
  return chainId(ids);
}

function checkUsage(registry: ModelRegistry, args: string[], opt: UpscaleCliOptions): void {
  if (opt.resume) {
    if (args.length > 0)
      throw new UsageError('--resume finishes earlier batches; give no inputs with it');
    return;
  }
  if (args.length === 0) throw new UsageError('give at least one file or folder to upscale');
  if (!opt.output) throw new UsageError('give an output folder with -o <dir>');
  // Usage errors come before any work: an unknown model, or α for a single model.
  if (opt.chain !== undefined) opt.model = checkChain(registry, opt.chain);
  const stages = chainStages(opt.model) ?? [opt.model];
  for (const id of stages) if (!registry.isPair(id)) registry.get(id);
  if (opt.alpha !== undefined && !stages.some((id) => registry.isPair(id))) {
    throw new UsageError(
      `--alpha applies to pairs (fidelity ↔ perceptual); ${opt.model} is a single model`,
    );
  }
  if (opt.scale !== undefined && (opt.width !== undefined || opt.height !== undefined))
    throw new UsageError('give either --scale or --width / --height, not both');
  if (opt.format && opt.bitDepth !== undefined && !BIT_DEPTHS[opt.format].includes(opt.bitDepth))
    throw new UsageError(
      `--bit-depth ${opt.bitDepth}: ${opt.format} holds ${BIT_DEPTHS[opt.format].join(' or ')} bits per channel`,
    );
  if (opt.compression && opt.format && opt.format !== 'tiff')
    throw new UsageError('--compression applies to TIFF output (--format tiff)');
  try {
    checkNameTemplate(opt.name);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}

/** Live display on a terminal: the queue's overall count and ETA, and the current item's tiles. */
class Progress {
  private readonly tty = Boolean(process.stderr.isTTY);
  private readonly bars = new cliProgress.MultiBar(
    {
      format: '{label} [{bar}] {value}/{total} {unit} | {eta}',
      stream: process.stderr,
      hideCursor: true,
      clearOnComplete: true,
    },
    cliProgress.Presets.shades_classic,
  );
  private overall: cliProgress.SingleBar | undefined;
  private item: cliProgress.SingleBar | undefined;

  constructor(private readonly total: number) {}

  line(text: string): void {
    if (this.tty && this.overall) this.bars.log(`${text}\n`);
    else log(text);
  }

  start(done: number): void {
    if (!this.tty) return;
    this.overall = this.bars.create(this.total, done, { label: 'queue', unit: 'items', eta: '' });
  }

  tile(name: string, tile: number, tiles: number, itemEta?: number, queueEta?: number): void {
    if (!this.tty) return;
    const fmt = (s?: number) =>
      s === undefined ? '…' : s < 90 ? `${Math.ceil(s)} s left` : `${Math.ceil(s / 60)} min left`;
    if (!this.item) this.item = this.bars.create(tiles, 0, { label: name, unit: 'tiles', eta: '' });
    this.item.setTotal(tiles);
    this.item.update(tile, { label: name, eta: fmt(itemEta) });
    this.overall?.update({ eta: fmt(queueEta) });
  }

  itemDone(done: number): void {
    if (this.item) this.bars.remove(this.item);
    this.item = undefined;
    this.overall?.update(done);
  }

  stop(): void {
    if (this.tty) this.bars.stop();
  }
}

/** Longest a signal's shutdown may take before the process exits anyway (the journal is on disk). */
const SHUTDOWN_MS = 1800;

/**
 * SIGINT / SIGTERM while a batch runs: pause at once (the running tile's worker is terminated and
 * the pause journaled), then let the command finish its report and exit; a second signal, or a
 * shutdown slower than SHUTDOWN_MS, exits at once with the cancelled code.
 */
function onStopSignals(stop: (signal: NodeJS.Signals) => void): () => void {
  let stopping = false;
  const on = (signal: NodeJS.Signals): void => {
    if (stopping) process.exit(EXIT.cancelled);
    stopping = true;
    setTimeout(() => process.exit(EXIT.cancelled), SHUTDOWN_MS).unref();
    stop(signal);
  };
  process.on('SIGINT', on);
  process.on('SIGTERM', on);
  return () => {
    process.off('SIGINT', on);
    process.off('SIGTERM', on);
  };
}

/** Runs one queue (a new batch or a resumed one) to its end; returns its items. */
async function runQueue(q: UpscaleQueue, announce: string, logTiles = false): Promise<QueueItem[]> {
  const items = q.snapshot();
  const progress = new Progress(items.length);
  let done = items.filter((i) => FINISHED.includes(i.state)).length;
  const names = new Map(items.map((i) => [i.id, basename(i.input)]));
  log(announce);
  q.on('warning', (w) => progress.line(`! ${textOf(w)}`));
  q.on('progress', (p) => {
    if (p.estimated) return;
    progress.tile(names.get(p.id) ?? '', p.tile, p.tiles, p.itemEta, p.queueEta);
    if (logTiles)
      log(`tile ${p.tile}/${p.tiles} ${names.get(p.id) ?? p.id}${p.restored ? ' restored' : ''}`);
  });
  q.on('item', (i) => {
    if (!FINISHED.includes(i.state)) return;
    done++;
    progress.itemDone(done);
    for (const n of i.notes) progress.line(`  note: ${textOf(n)}`);
    if (i.state === 'done')
      progress.line(
        `✓ ${i.input} → ${i.output} (${i.outWidth}×${i.outHeight}, ${(i.seconds ?? 0).toFixed(1)} s)`,
      );
    else if (i.state === 'skipped') progress.line(`- ${i.input}: ${i.output} exists; skipped`);
    else progress.line(`✗ ${itemReport(i).error}`);
  });
  const off = onStopSignals((signal) => {
    progress.line(`${signal}: paused; run \`upres upscale --resume\` to continue`);
    void q.pause();
  });
  progress.start(done);
  try {
    await q.start();
  } finally {
    off();
    progress.stop();
  }
  return q.snapshot();
}

function describeModel(
  renderer: ModelRenderer,
  opt: { model: string; alpha?: number; tta: boolean },
): string {
  const m = renderer.loaded;
  if (!m) return opt.model;
  const alpha = m.interpolates ? ` at α ${opt.alpha ?? m.defaultAlpha}` : '';
  return `${opt.model}${alpha} on ${m.choice.device} (${m.choice.fp16 ? 'fp16' : 'fp32'})${opt.tta ? ' with TTA (×8 self-ensemble)' : ''}`;
}

/**
 * Runs `upres upscale`; returns the process exit code (0 all done, 1 any failed or, with
 * `--resume`, a batch left alone because another live process runs it; 130 stopped).
 */
export async function runUpscale(
  registry: ModelRegistry,
  args: string[],
  opt: UpscaleCliOptions,
): Promise<number> {
  checkUsage(registry, args, opt);
  const renderer = new ModelRenderer(
    ModelCache.forRegistry(registry, log),
    registryModelScale(registry),
    registryModelDigest(registry),
  );
  const dir = cliQueueDir();
  await makeFolder(dir);
  const started = performance.now();
  const reports: ItemReport[] = [];
  /** Batches another live process runs (why `--resume` could not take them). */
  const refused: string[] = [];
  let stopped = false;
  /** Where the first model ran (the report says which device and precision). */
  let ran: DeviceChoice | undefined;
  /** Seconds from process start until the first model was ready (`bench speed` reports it). */
  let readySeconds: number | undefined;
  try {
    const journals: string[] = [];
    if (opt.resume) {
      journals.push(...(await batchJournals(dir)));
      if (journals.length === 0) log('nothing to resume');
    } else {
      journals.push(newBatchJournalPath(dir));
    }
    for (const path of journals) {
      let q: UpscaleQueue;
      try {
        q = await UpscaleQueue.open({
          journalPath: path,
          render: renderer.render,
          modelScale: renderer.modelScale,
        });
        traceMark('cli: journal opened');
      } catch (err) {
        // Held by another live process (`queue.busy`), or unopenable: left alone, and said so.
        const message = (err as Error).message;
        refused.push(isError(err, 'queue.busy') ? message : `${path}: ${message}`);
        log(`! ${refused.at(-1)}`);
        continue;
      }
      try {
        if (!opt.resume) {
          const outDir = resolve(opt.output!);
          try {
            await makeFolder(outDir);
          } catch (err) {
            // makeFolder's message names the folder and what stands in the way.
            throw new UsageError((err as Error).message);
          }
          const { problems } = await q.add(args, settingsFrom(opt), {
            outDir,
            recursive: opt.recursive,
            nameTemplate: opt.name,
            onExists: opt.onExists,
          });
          for (const p of problems) {
            reports.push(problemReport(p.path, p.error));
            log(`✗ ${p.error}`);
          }
          traceMark('cli: inputs added');
          const first = q.snapshot()[0];
          if (first)
            ran = (
              await renderer.prepare(
                first.settings.model,
                first.settings.device,
                first.settings.precision,
              )
            ).choice;
          // performance.now() counts from the process's start: transpiling, imports, model load.
          readySeconds ??= performance.now() / 1000;
          traceMark('cli: model ready');
          // The next start of this command line loads the same saved graph early.
          disposeEarlySession();
          rememberEarlyLoad(process.argv);
        }
        const pending = q.snapshot().filter((i) => !FINISHED.includes(i.state)).length;
        if (opt.resume && pending === 0) {
          // Finished before its process died (or failed when reopened: a photo that stopped the
          // engine twice): report it, then it is done with.
          for (const i of q.snapshot()) {
            reports.push(itemReport(i));
            if (i.state === 'failed') log(`✗ ${itemReport(i).error}`);
          }
          await q.close({ deleteJournal: true });
          continue;
        }
        const s = q.snapshot()[0]?.settings;
        const what = opt.resume
          ? `resuming ${basename(path)}: `
          : `${describeModel(renderer, opt)}; `;
        const target = opt.resume ? '' : ` → ${resolve(opt.output!)}`;
        const items = await runQueue(
          q,
          `${what}${pending} item(s)${s && opt.resume ? ` (${s.model})` : ''}${target}`,
          opt.logTiles,
        );
        reports.push(...items.map(itemReport));
        if (q.isPaused) stopped = true;
        await q.close({ deleteJournal: items.every((i) => FINISHED.includes(i.state)) });
      } catch (err) {
        // A new batch refused before anything was queued leaves no journal behind.
        const empty = !opt.resume && q.snapshot().length === 0;
        await q.close({ deleteJournal: empty }).catch(() => undefined);
        throw err;
      }
      if (stopped) break;
    }
  } finally {
    await renderer.dispose();
  }
  if (refused.length > 0)
    log(
      `could not resume ${refused.length} batch(es) (see above); ` +
        'run --resume again once the processes running them have stopped',
    );
  const failed = reports.filter((r) => r.status === 'error').length;
  log(
    `${reports.length - failed} done, ${failed} failed in ${((performance.now() - started) / 1000).toFixed(1)} s`,
  );
  const device = ran && { ...ran, precision: ran.fp16 ? 'fp16' : 'fp32' };
  const phases = traceEnabled() ? tracePhases() : undefined;
  if (phases) log(`start-up phases (UPRES_STARTUP_TRACE):\n${formatPhases(phases)}`);
  const startup =
    readySeconds === undefined ? undefined : { readySeconds, graph: ran?.graph, phases };
  if (opt.json)
    process.stdout.write(`${JSON.stringify({ items: reports, device, startup }, null, 2)}\n`);
  if (stopped) return EXIT.cancelled;
  return failed === 0 && refused.length === 0 ? EXIT.ok : EXIT.failed;
}
