import type { QueueItem } from '../../../shared/queue';
import type { ModelRegistry } from '../models/model-registry';
import { decodeImage } from '../pipeline/decode';
import { PREVIEW_PIECE } from '../pipeline/preview-pieces';
import type { Rect } from '../pipeline/raster';
import { ModelCache } from '../runtime/model-cache';
import { PreviewRenderer } from '../service/preview-renderer';

/**
 * The input region a viewport of `view` CSS px shows at `zoom` (CSS px per output px), centred on
 * the photo, rounded out to whole input px as the compare view does.
 */
export function viewportRegion(
  image: { width: number; height: number },
  scale: number,
  view: { width: number; height: number },
  zoom: number,
): Rect {
  const axis = (len: number, side: number): [number, number] => {
    const vis = Math.min(len * scale, side / zoom);
    const start = (len * scale - vis) / 2;
    const a = Math.max(0, Math.floor(start / scale + 1e-9));
    const b = Math.min(len, Math.ceil((start + vis) / scale - 1e-9));
    return [a, Math.min(b - a, 1024)];
  };
  const [x, w] = axis(image.width, view.width);
  const [y, h] = axis(image.height, view.height);
  return { x, y, w, h };
}

/**
 * What the dial costs a user on this machine: per zoom, from asking for the ends of the visible
 * region to the first blended frame (the first piece of both ends) and to the full blend, then
 * from letting go to the exact render at α 0.5. The model is loaded (and its load timed) first, as
 * the app has it loaded by the time a photo is inspected.
 */
export async function benchPreviewDial(
  registry: ModelRegistry,
  id: string,
  image: string,
  zooms: number[],
  piece = PREVIEW_PIECE,
  view = { width: 1280, height: 720 },
): Promise<string[]> {
  if (!registry.isPair(id)) throw new Error(`${id} is not a pair`);
  const previews = new PreviewRenderer(ModelCache.forRegistry(registry));
  const item = {
    id: 'bench',
    input: image,
    settings: { model: id, device: 'cpu', precision: 'auto' },
  } as unknown as QueueItem;
  const src = (await decodeImage(image)).rgb;
  const scale = registry.get(registry.getPair(id).manifest.fidelity).manifest.architecture.scale;
  const lines: string[] = [];
  try {
    const t0 = performance.now();
    const warm = { x: 0, y: 0, w: 16, h: 16 };
    await previews.render(item, { region: warm, alpha: 0.5 });
    lines.push(
      `dial on ${id} (cpu), ${image} (${src.width}×${src.height}), viewport ${view.width}×${view.height} CSS px, pieces of ${piece} px`,
      `model load + first 16² render: ${((performance.now() - t0) / 1000).toFixed(2)} s`,
    );
    for (const zoom of zooms) {
      const region = viewportRegion(src, scale, view, zoom);
      const start = performance.now();
      let first: number | undefined;
      let pieces = 0;
      await previews.renderEnds(
        item,
        { region, piece },
        {
          onPiece: (p) => {
            pieces = p.pieces;
            if (first === undefined && p.ready.fidelity > 0 && p.ready.perceptual > 0)
              first = performance.now();
          },
        },
      );
      const full = performance.now();
      await previews.render(item, { region, alpha: 0.5 });
      const exact = performance.now();
      const s = (a: number, b: number): string => `${((b - a) / 1000).toFixed(2)} s`;
      lines.push(
        `${Math.round(zoom * 100)} %: region ${region.w}×${region.h}+${region.x}+${region.y} input px, ${pieces} pieces × 2 ends; ` +
          `first blended frame ${s(start, first ?? full)}, full blend ${s(start, full)}, let go → exact ${s(full, exact)}`,
      );
    }
    return lines;
  } finally {
    await previews.dispose();
  }
}
