import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import type {
  Audience,
  DeviceChoice,
  DeviceRequest,
  DeviceSpeed,
  ExecutionDevice,
  Precision,
} from '../../../shared/device';
import { msg, textOf, type EngineMessage } from '../../../shared/engine-message';
import type { DeviceChoiceStore } from './device-choice-store';
import { nvidiaPresent } from './gpu-presence';
import { InferenceSession } from './inference-session';
import { planProviders, type PlatformInfo } from './provider-select';
import { DeviceError, deviceName, faultMessage } from './runtime-errors';
import type { FaultInjection } from './worker-protocol';
import type { OptimizedGraphCache } from './optimized-graph-cache';
import { traceMark } from '../metrics/startup-trace';
import { noteSavedGraphLoad } from './early-session';

/** Builds the model's graph in a precision (only called when no saved optimised graph serves). */
export type GraphSource = (fp16: boolean) => Uint8Array | Promise<Uint8Array>;

/** Whether a provider library that onnxruntime-node does not bundle has been installed beside it. */
function providerInstalled(device: ExecutionDevice): boolean {
  if (device !== 'cuda') return false;
  try {
    const pkg = dirname(createRequire(import.meta.url).resolve('onnxruntime-node/package.json'));
    const dir = join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    const lib =
      process.platform === 'win32'
        ? 'onnxruntime_providers_cuda.dll'
        : 'libonnxruntime_providers_cuda.so';
    return existsSync(join(dir, lib));
  } catch {
    return false;
  }
}

/** This machine's providers, as onnxruntime and the installed libraries offer them. */
export function currentPlatform(audience: Audience = 'cli'): PlatformInfo {
  return {
    platform: process.platform,
    arch: process.arch,
    backends: ort.listSupportedBackends(),
    isInstalled: providerInstalled,
    hasNvidia: nvidiaPresent(),
    audience,
  };
}

/** The model family a session serves, for `auto`'s measured choice. */
export interface SessionFamily {
  /** Architecture and sizes (one measurement serves every model of the family). */
  key: string;
  /** Output pixels per input pixel, per side (speeds are per output megapixel). */
  scale: number;
}

export interface OpenSessionOptions {
  device?: DeviceRequest;
  precision?: Precision;
  /** The graph is stored in one precision and `graph(fp16)` ignores its argument. */
  precisionFixed?: boolean;
  threads?: number;
  platform?: PlatformInfo;
  audience?: Audience;
  /**
   * Where the session runs and why, once it is open: the line the CLI prints, and the same as
   * sentences with their catalogue keys for a UI (see choiceMessages).
   */
  log?: (line: string, messages?: EngineMessage[]) => void;
  /** With `store`: `auto` times each candidate on this family once and keeps the fastest. */
  family?: SessionFamily;
  store?: DeviceChoiceStore;
  /** Side of the tile timed per candidate (input px). */
  measureSide?: number;
  /** Side of the tile a GPU session runs right after it is created (faults that show at run). */
  probeSide?: number;
  inject?: FaultInjection;
  /**
   * Keeps CPU sessions' optimised graphs (see OptimizedGraphCache), for the graph `identity`
   * names: everything the graph is built from (model files, architecture, options).
   */
  graphCache?: { cache: OptimizedGraphCache; identity: unknown };
  /** Kills a session being created (its worker) when it fires: the open fails with `cancelled`. */
  signal?: AbortSignal;
}

/** A representative tile: big enough to keep a GPU busy, small enough for a CPU (x4plus ≈ 3 s). */
export const MEASURE_SIDE = 64;

type Opened = {
  session: InferenceSession;
  device: ExecutionDevice;
  fp16: boolean;
  note?: EngineMessage;
  graph: 'saved' | 'built';
};

/** The precisions to try on a device, in order (a GPU without fp16 gets fp32 on the same GPU). */
function precisionsFor(device: ExecutionDevice, opt: OpenSessionOptions): boolean[] {
  if (opt.precisionFixed) return [opt.precision === 'fp16'];
  if (opt.precision === 'fp32') return [false];
  if (device === 'cpu') return [opt.precision === 'fp16'];
  return [true, false];
}

/**
 * Creates the session, on the CPU from the optimised graph saved by an earlier start when there
 * is one (a file that no longer loads is dropped and rebuilt), else from the built graph, saving
 * its optimised form for the next start.
 */
async function createSession(
  graph: GraphSource,
  device: ExecutionDevice,
  fp16: boolean,
  opt: OpenSessionOptions,
): Promise<{ session: InferenceSession; graph: 'saved' | 'built' }> {
  const start = {
    probe: device === 'cpu' ? undefined : (opt.probeSide ?? 16),
    inject: opt.inject,
    signal: opt.signal,
  };
  // GPU providers' optimised graphs can hold provider-specific nodes: only the CPU's are kept.
  const cached = device === 'cpu' ? opt.graphCache : undefined;
  const built = (session: InferenceSession) => ({ session, graph: 'built' as const });
  if (!cached)
    return built(await InferenceSession.create(await graph(fp16), device, opt.threads, start));
  const { cache } = cached;
  const slot = await cache.slot({ graph: cached.identity, device, fp16, threads: opt.threads });
  traceMark(`graph cache: ${slot.hit ? 'hit' : 'miss'}`);
  if (slot.hit) {
    try {
      const session = await InferenceSession.create(slot.path, device, opt.threads, start);
      noteSavedGraphLoad({ model: slot.path, device, threads: opt.threads });
      return { session, graph: 'saved' };
    } catch {
      await cache.drop(slot);
    }
  }
  const bytes = await graph(fp16);
  try {
    await cache.prepare();
  } catch {
    return built(await InferenceSession.create(bytes, device, opt.threads, start));
  }
  try {
    const session = await InferenceSession.create(bytes, device, opt.threads, {
      ...start,
      saveOptimized: slot.tmp,
    });
    await cache.commit(slot);
    noteSavedGraphLoad({ model: slot.path, device, threads: opt.threads });
    return built(session);
  } catch (err) {
    await cache.discard(slot);
    throw err;
  }
}

/** Opens a session on one device, or gives the reason it cannot (a CPU failure is thrown). */
async function tryDevice(
  graph: GraphSource,
  device: ExecutionDevice,
  opt: OpenSessionOptions,
): Promise<Opened | { reason: EngineMessage }> {
  let note: EngineMessage | undefined;
  const audience = opt.audience ?? opt.platform?.audience ?? 'cli';
  for (const fp16 of precisionsFor(device, opt)) {
    try {
      const { session, graph: made } = await createSession(graph, device, fp16, opt);
      return { session, device, fp16, note, graph: made };
    } catch (err) {
      // A cancelled open is not the device's fault: no fallback to the next one.
      if (device === 'cpu' || opt.signal?.aborted) throw err;
      if (fp16 && err instanceof DeviceError && err.fault === 'no-fp16') {
        note =
          audience === 'app'
            ? msg('runtime.noFp16App', { name: deviceName(device) })
            : msg('runtime.noFp16Cli', { device });
        continue;
      }
      return { reason: faultMessage(err, device, audience) };
    }
  }
  return { reason: msg('runtime.startFailed', { device }) };
}

/** What identifies "this set of devices": a change means measuring again. */
export function deviceSignature(candidates: ExecutionDevice[], info: PlatformInfo): string {
  let driver = '';
  try {
    if (candidates.includes('cuda') && info.platform === 'linux')
      driver = readFileSync('/proc/driver/nvidia/version', 'utf8').split('\n')[0];
  } catch {
    driver = '';
  }
  return JSON.stringify({
    ort: ort.env.versions.common,
    platform: `${info.platform}-${info.arch}`,
    devices: candidates,
    vulkan: process.env.VK_ICD_FILENAMES ?? '',
    driver,
  });
}

const perMp = (seconds: number, side: number, scale: number): number =>
  seconds / ((side * scale) ** 2 / 1e6);

/** One line of figures: `webgpu fp32 3.1 s/MP, cpu 9.8 s/MP`. */
export function speedLine(speeds: DeviceSpeed[]): string {
  return speeds
    .map(
      (s) =>
        `${s.device}${s.device === 'cpu' ? '' : s.fp16 ? ' fp16' : ' fp32'} ${s.secondsPerMegapixel.toPrecision(3)} s/MP`,
    )
    .join(', ');
}

/** Times a tile on every candidate that starts; keeps the fastest session open, closes the rest. */
async function measure(
  graph: GraphSource,
  candidates: ExecutionDevice[],
  family: SessionFamily,
  opt: OpenSessionOptions,
  reasons: EngineMessage[],
): Promise<{
  best: Opened;
  speeds: DeviceSpeed[];
  failed: { device: ExecutionDevice; reason: EngineMessage }[];
}> {
  const side = opt.measureSide ?? MEASURE_SIDE;
  const speeds: DeviceSpeed[] = [];
  const failed: { device: ExecutionDevice; reason: EngineMessage }[] = [];
  let best: { opened: Opened; spmp: number } | undefined;
  for (const device of candidates) {
    const r = await tryDevice(graph, device, opt);
    if ('reason' in r) {
      reasons.push(r.reason);
      failed.push({ device, reason: r.reason });
      continue;
    }
    let spmp: number;
    try {
      spmp = perMp(await r.session.time(side), side, family.scale);
    } catch (err) {
      await r.session.dispose();
      if (device === 'cpu') throw err;
      const reason = faultMessage(err, device, opt.audience ?? 'cli', side);
      reasons.push(reason);
      failed.push({ device, reason });
      continue;
    }
    speeds.push({ device, fp16: r.fp16, secondsPerMegapixel: spmp });
    if (!best || spmp < best.spmp) {
      await best?.opened.session.dispose();
      best = { opened: r, spmp };
    } else await r.session.dispose();
  }
  if (!best) throw new Error('no execution provider could be started');
  return { best: best.opened, speeds, failed };
}

/**
 * Creates a session on the best provider for the request, falling back one step at a time with
 * every reason recorded. `graph(fp16)` builds the model in the precision the provider gets. Under
 * `auto` with a family and a store, the first meeting of a family and a set of devices times a
 * tile on each and keeps the fastest; later sessions reuse that choice.
 */
export async function openSession(
  graph: GraphSource,
  opt: OpenSessionOptions = {},
): Promise<{ session: InferenceSession; choice: DeviceChoice }> {
  const requested = opt.device ?? 'auto';
  const info = opt.platform ?? currentPlatform(opt.audience);
  const plan = planProviders(requested, info);
  const reasons = [...plan.notes];
  let order = plan.candidates;
  let decided: DeviceChoice['decided'];
  const finish = (o: Opened) => {
    const fellBack = reasons.length > 0 && o.device !== requested && requested !== 'cpu';
    const choice: DeviceChoice = {
      requested,
      device: o.device,
      fp16: o.fp16,
      fallbackReason: fellBack ? reasons.map(textOf).join('; ') : undefined,
      fallbackReasons: fellBack ? reasons : undefined,
      precisionNote: o.note?.text,
      precisionMessage: o.note,
      decidedBy: decided && msg('runtime.decided', decided).text,
      decided,
      graph: o.graph,
    };
    opt.log?.(choiceLine(choice), choiceMessages(choice));
    return { session: o.session, choice };
  };

  if (requested === 'auto' && opt.family && opt.store && order.length > 1) {
    const signature = deviceSignature(order, info);
    const kept = await opt.store.get(opt.family.key, signature);
    if (kept) {
      decided = { how: 'kept', speeds: speedLine(kept.speeds) };
      order = [kept.device, ...order.filter((d) => d !== kept.device)];
    } else {
      const m = await measure(graph, order, opt.family, opt, reasons);
      decided = { how: 'measured', speeds: speedLine(m.speeds) };
      await opt.store.put({
        family: opt.family.key,
        signature,
        device: m.best.device,
        fp16: m.best.fp16,
        speeds: m.speeds,
        failed: m.failed,
        measuredAt: new Date().toISOString(),
      });
      // The others were not slower by failing: only failures count as reasons.
      return finish(m.best);
    }
  } else if (requested === 'auto' && order.length > 1) decided = { how: 'order' };

  for (const device of order) {
    const r = await tryDevice(graph, device, opt);
    if ('reason' in r) reasons.push(r.reason);
    else return finish(r);
  }
  throw new Error('no execution provider could be started');
}

/** Where a model runs, at what precision and (for `auto`) how it was picked, as one sentence. */
export function choiceHead(c: DeviceChoice): EngineMessage {
  const how =
    c.requested === 'auto'
      ? (c.decided?.how ?? 'auto')
      : c.requested !== c.device
        ? 'asked'
        : 'none';
  return msg('runtime.choice', {
    device: c.device,
    precision: c.fp16 ? 'fp16' : 'fp32',
    how,
    speeds: c.decided?.speeds ?? '',
    requested: c.requested,
  });
}

/**
 * The choice as a UI lists it, one sentence each: why the providers before it were not used, the
 * precision's caveat, then where it runs (last: a list that shows its latest shows that).
 */
export function choiceMessages(c: DeviceChoice): EngineMessage[] {
  return [
    ...(c.fallbackReason ? (c.fallbackReasons ?? []) : []),
    ...(c.precisionMessage ? [c.precisionMessage] : []),
    choiceHead(c),
  ];
}

/** The one line the CLI prints about where a model runs and why. */
export function choiceLine(c: DeviceChoice): string {
  const parts = [textOf(choiceHead(c))];
  if (c.fallbackReason)
    parts.push(
      c.device === 'cpu'
        ? msg('runtime.usingCpu', { reasons: c.fallbackReason }).text
        : c.fallbackReason,
    );
  if (c.precisionNote) parts.push(c.precisionNote);
  return parts.join('; ');
}
