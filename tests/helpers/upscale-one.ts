import { textOf } from '../../src/shared/engine-message';
// Runs one image through the path that ships: the batch queue (planning its output from the header,
// the collision policy, the commit) with the ModelRenderer and renderToFile, on a model the test has
// loaded. Failures come back as the item's error, thrown.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ItemSettingsInput } from '../../src/shared/queue';
import { ModelRenderer } from '../../src/main/engine/queue/model-renderer';
import { UpscaleQueue } from '../../src/main/engine/queue/upscale-queue';
import type { LoadedModel } from '../../src/main/engine/runtime/loaded-model';
import { ModelCache } from '../../src/main/engine/runtime/model-cache';

export interface UpscaleOneOptions extends Omit<ItemSettingsInput, 'model'> {
  outDir: string;
}

export interface UpscaleOneResult {
  output: string;
  /** Input size (upright), as planned from the header. */
  width: number;
  height: number;
  outWidth: number;
  outHeight: number;
  /** Conversions made and metadata that could not be carried. */
  notes: string[];
}

/**
 * Upscales `input` into `opt.outDir` (default name template, first free name) with `model`, which
 * stays the caller's to dispose.
 */
export async function upscaleOne(
  model: LoadedModel,
  input: string,
  opt: UpscaleOneOptions,
): Promise<UpscaleOneResult> {
  const { outDir, ...settings } = opt;
  const journals = await mkdtemp(join(tmpdir(), 'upres-one-'));
  // A cache whose only model is the test's; the lease the renderer keeps is never let go, so the
  // cache never disposes the caller's model.
  const renderer = new ModelRenderer(new ModelCache(async () => model), () => model.scale);
  try {
    const queue = await UpscaleQueue.open({
      journalPath: join(journals, 'queue.json'),
      render: renderer.render,
      modelScale: renderer.modelScale,
    });
    const { added, problems } = await queue.add(
      [input],
      { ...settings, model: model.id },
      { outDir },
    );
    if (problems.length > 0) throw new Error(problems[0].error);
    await queue.start();
    const item = queue.snapshot().find((i) => i.id === added[0].id)!;
    if (item.state !== 'done') throw new Error(item.error ?? `${input}: ${item.state}`);
    return {
      output: item.output!,
      width: item.width!,
      height: item.height!,
      outWidth: item.outWidth!,
      outHeight: item.outHeight!,
      notes: item.notes.map(textOf),
    };
  } finally {
    await rm(journals, { recursive: true, force: true });
  }
}
