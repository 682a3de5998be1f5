import {
  ItemSettings,
  Placement,
  type ItemSettingsInput,
  type OutputPlan,
  type QueueItem,
} from '../../../shared/queue';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { errorCode, UpresError, type ErrorCode } from '../../../shared/errors';
import { inspectImage } from '../pipeline/decode';
import { collectInputs, keyedProblem, type InputProblem } from './collect-inputs';
import { fileStamp, type HeaderCache } from './header-cache';
import { mapLimit, type InputGuard } from './input-guard';
import { checkNameTemplate, planOutput } from './output-plan';
import type { AddOptions } from './queue-types';

let counter = 0;
/** A new item id, unique across processes and restarts. */
export const newId = (): string =>
  `${Date.now().toString(36)}-${process.pid.toString(36)}-${(counter++).toString(36)}`;

/**
 * One message per problem: the path said once, whether or not the cause already names it. A
 * keyed message keeps its key (the app words it; it names the path on its own line).
 */
export function problemOf(
  path: string,
  message: string | EngineMessage,
  code?: ErrorCode,
): InputProblem {
  const text = typeof message === 'string' ? message : message.text;
  const error = text.includes(path) ? text : `${path}: ${text}`;
  if (typeof message !== 'string' && message.key)
    return { ...keyedProblem(path, message, code), error };
  return code ? { path, error, code } : { path, error };
}

/** A thrown value's message, keyed when it came with its key. */
const messageOf = (err: unknown): string | EngineMessage =>
  err instanceof UpresError && err.detail ? err.detail : (err as Error).message;

/**
 * What makes two items the same work: the input and its settings (the same photo rendered the same
 * way is one job, whichever folder it would be written to).
 */
export function sameWorkKey(i: Pick<QueueItem, 'input' | 'settings'>): string {
  return JSON.stringify([i.input, i.settings]);
}

/** What adding needs of the queue. */
export interface AddContext {
  items: readonly QueueItem[];
  headers: HeaderCache;
  guard: () => Promise<InputGuard>;
  modelScale: (id: string) => number;
}

/** The plan of an item whose input size is known (undefined otherwise); see `UpscaleQueue`. */
export function planOf(
  item: QueueItem,
  modelScale: (id: string) => number,
  strict = true,
): OutputPlan | undefined {
  if (item.width === undefined || item.height === undefined) return undefined;
  try {
    return planOutput(
      { ...item, width: item.width, height: item.height },
      modelScale(item.settings.model),
    );
  } catch (err) {
    if (strict) throw err;
    return undefined;
  }
}

/**
 * Makes the items for an addition (not yet in the queue): every input's header is read here, once,
 * and its output planned. Refused, each with one message: a missing, unreadable or non-image input,
 * and a photo already waiting (or running) with the same settings ("already in the queue"). Outputs that would land on an input are refused as a whole (InputGuard).
 */
export async function makeItems(
  ctx: AddContext,
  paths: string[],
  settingsIn: ItemSettingsInput,
  placementIn: AddOptions,
): Promise<{ added: QueueItem[]; problems: InputProblem[] }> {
  const settings = ItemSettings.parse(settingsIn);
  const { recursive, outDirSet, ...rest } = placementIn;
  const placement = Placement.parse(rest);
  checkNameTemplate(placement.nameTemplate);
  const modelScale = ctx.modelScale(settings.model); // unknown models are refused up front
  const { inputs, problems } = await collectInputs(paths, {
    recursive,
    exclude: [placement.outDir],
  });
  const fixed = problems.map((p) => problemOf(p.path, p.detail ?? p.error, p.code));
  // Headers are read a few at a time (a folder of thousands of photos), results in order.
  const made = await mapLimit(inputs, 8, async (input): Promise<QueueItem | InputProblem> => {
    const item: QueueItem = {
      id: newId(),
      input: input.path,
      relDir: input.relDir,
      placement,
      settings,
      state: 'waiting',
      notes: [],
      ...(outDirSet ? { outDirSet: true } : {}),
    };
    try {
      const stamp = await fileStamp(input.path);
      const h = await inspectImage(input.path);
      item.width = h.width;
      item.height = h.height;
      item.plan = planOutput({ ...item, width: h.width, height: h.height }, modelScale);
      if (stamp) ctx.headers.put(item.id, h, stamp);
    } catch (err) {
      ctx.headers.drop(item.id);
      return problemOf(input.path, messageOf(err), errorCode(err));
    }
    return item;
  });
  const queued = new Set(
    ctx.items.filter((i) => i.state === 'waiting' || i.state === 'running').map(sameWorkKey),
  );
  const added: QueueItem[] = [];
  for (const m of made) {
    if (!('id' in m)) {
      fixed.push(m);
      continue;
    }
    const key = sameWorkKey(m);
    if (queued.has(key)) {
      ctx.headers.drop(m.id);
      fixed.push(problemOf(m.input, msg('batch.alreadyQueued', { file: m.input })));
      continue;
    }
    queued.add(key);
    added.push(m);
  }
  const guard = await ctx.guard();
  await guard.addInputs(added.map((i) => i.input));
  try {
    await guard.check(
      added.flatMap((i) => (i.plan ? [{ input: i.input, output: i.plan.path }] : [])),
    );
  } catch (err) {
    for (const i of added) ctx.headers.drop(i.id);
    throw err;
  }
  return { added, problems: fixed };
}
