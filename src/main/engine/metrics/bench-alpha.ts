import sharp from 'sharp';
import { median } from './median';
import type { ModelRegistry } from '../models/model-registry';
import { decodeImage } from '../pipeline/decode';
import { blendPixels, renderViewport, renderViewportEnds } from '../pipeline/preview';
import type { Raster } from '../pipeline/raster';
import { tiledUpscale } from '../pipeline/tiled-upscale';
import { loadModel } from '../runtime/loaded-model';

const seconds = async (f: () => Promise<unknown>): Promise<number> => {
  const t0 = performance.now();
  await f();
  return (performance.now() - t0) / 1000;
};

async function crops(paths: string[], size: number): Promise<Raster[]> {
  return Promise.all(
    paths.map(async (p) => {
      const { data, info } = await sharp(p)
        .removeAlpha()
        .resize(size, size, { fit: 'cover' })
        .raw()
        .toBuffer({ resolveWithObject: true });
      return { width: info.width, height: info.height, channels: 3, data: new Uint8Array(data) };
    }),
  );
}

/** Throughput of a batch at one fixed α against the same batch with a different α per image. */
export async function benchAlpha(
  registry: ModelRegistry,
  id: string,
  images: string[],
  size: number,
  rounds: number,
): Promise<string[]> {
  if (!registry.isPair(id)) throw new Error(`${id} is not a pair`);
  const t0 = performance.now();
  const model = await loadModel(registry, id, { device: 'cpu' });
  const load = (performance.now() - t0) / 1000;
  try {
    const batch = await crops(images, size);
    const pass = async (alphaOf: (i: number) => number): Promise<number> =>
      seconds(async () => {
        for (let i = 0; i < batch.length; i++) {
          const a = alphaOf(i);
          await tiledUpscale(batch[i], await model.jobRunner(a, size * size), {
            scale: model.scale,
            tile: size,
            overlap: model.defaultOverlap,
            feather: model.defaultFeather,
          });
        }
      });
    await pass(() => 0.8); // warm-up
    const fixed: number[] = [];
    const varying: number[] = [];
    for (let r = 0; r < rounds; r++) {
      fixed.push(await pass(() => 0.8));
      varying.push(await pass((i) => i / Math.max(1, batch.length - 1)));
    }
    const mp = (batch.length * (size * model.scale) ** 2) / 1e6;
    const f = median(fixed);
    const v = median(varying);
    return [
      `pair ${id} on cpu: ${batch.length} images of ${size}×${size} → ×${model.scale}, median of ${rounds} rounds; session created once in ${load.toFixed(2)} s`,
      `fixed α 0.8:                ${f.toFixed(2)} s  ${(mp / f).toFixed(4)} output MP/s`,
      `α varying 0 → 1 per image:  ${v.toFixed(2)} s  ${(mp / v).toFixed(4)} output MP/s`,
      `ratio varying / fixed throughput: ${(f / v).toFixed(3)}`,
    ];
  } finally {
    await model.dispose();
  }
}

/** Time of an exact viewport render on a warm session, of both ends, and of the pixel blend. */
export async function benchPreview(
  registry: ModelRegistry,
  id: string,
  image: string,
  view: number,
): Promise<string[]> {
  if (!registry.isPair(id)) throw new Error(`${id} is not a pair`);
  const model = await loadModel(registry, id, { device: 'cpu' });
  try {
    const src = (await decodeImage(image)).rgb;
    const s = model.scale;
    const rect = {
      x: Math.floor((src.width * s - view) / 2),
      y: Math.floor((src.height * s - view) / 2),
      w: view,
      h: view,
    };
    await renderViewport(model, src, rect, 0.5); // warm the session up
    const exacts: number[] = [];
    for (const a of [0.3, 0.5, 0.7])
      exacts.push(await seconds(() => renderViewport(model, src, rect, a)));
    let ends: Awaited<ReturnType<typeof renderViewportEnds>> | undefined;
    const endsTime = await seconds(async () => (ends = await renderViewportEnds(model, src, rect)));
    const blends: number[] = [];
    for (let i = 0; i < 21; i++) {
      const t0 = performance.now();
      blendPixels(ends!.fidelity, ends!.perceptual, i / 20);
      blends.push(performance.now() - t0);
    }
    return [
      `pair ${id} on cpu, ${view}×${view}-px output viewport of ${image} (${src.width}×${src.height}), warm session`,
      `exact render at α (median of 3): ${median(exacts).toFixed(2)} s`,
      `both ends (α 0 and 1) for dragging: ${endsTime.toFixed(2)} s, once per viewport`,
      `pixel blend of the ends (median of 21): ${median(blends).toFixed(2)} ms`,
    ];
  } finally {
    await model.dispose();
  }
}
