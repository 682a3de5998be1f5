// Maintainer tool: `npm run docs:dial-crops` renders, for each camera photo in ../shared/datasets/photos,
// one crop at 400 % side by side: bicubic, and the photo-x4 pair at α 0, 0.5, 0.8 and 1 (docs/dial-*.png).
import { mkdir, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import sharp from 'sharp';
import { ModelRegistry } from '../src/main/engine/models/model-registry';
import { decodeImage } from '../src/main/engine/pipeline/decode';
import { renderViewport } from '../src/main/engine/pipeline/preview';
import type { Raster } from '../src/main/engine/pipeline/raster';
import { loadModel } from '../src/main/engine/runtime/loaded-model';

const root = fileURLToPath(new URL('..', import.meta.url));
const photos = join(root, '..', 'shared', 'datasets', 'photos');
const out = join(root, 'docs');
const CROP = { w: 64, h: 64 }; // input px; shown at ×4
const ALPHAS = [0, 0.5, 0.8, 1];
// Regions with fine texture and edges, picked by eye (input px).
const REGIONS: Record<string, { x: number; y: number }> = {
  DSCN0010: { x: 150, y: 200 }, // farmhouse wall, window, foliage
  DSCN0012: { x: 60, y: 262 }, // stone wall and leaves on the path
  DSCN0021: { x: 60, y: 300 }, // bench slats and bark
};

const png = (r: Raster) =>
  sharp(r.data, { raw: { width: r.width, height: r.height, channels: 3 } })
    .png()
    .toBuffer();

function label(text: string, width: number): Buffer {
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="28"><rect width="100%" height="100%" fill="#1e1e1e"/>` +
      `<text x="8" y="20" font-family="sans-serif" font-size="16" fill="#e0e0e0">${text}</text></svg>`,
  );
}

const registry = await ModelRegistry.open();
const model = await loadModel(registry, 'photo-x4', { device: 'cpu' });
await mkdir(out, { recursive: true });
try {
  for (const file of (await readdir(photos)).filter((f) => /\.jpe?g$/i.test(f)).sort()) {
    const name = basename(file, extname(file));
    const src = (await decodeImage(join(photos, file))).rgb;
    const at = REGIONS[name] ?? { x: Math.floor(src.width / 2), y: Math.floor(src.height / 2) };
    const view = { x: at.x * 4, y: at.y * 4, w: CROP.w * 4, h: CROP.h * 4 };
    const bicubic = await sharp(join(photos, file))
      .rotate()
      .extract({ left: at.x, top: at.y, width: CROP.w, height: CROP.h })
      .resize(view.w, view.h, { kernel: 'cubic' })
      .png()
      .toBuffer();
    const panels = [{ title: 'bicubic', img: bicubic }];
    for (const a of ALPHAS) {
      const r = await renderViewport(model, src, view, a, model.defaultOverlap);
      panels.push({
        title: `α ${a}${a === 0 ? ' (fidelity)' : a === 1 ? ' (GAN)' : ''}`,
        img: await png(r),
      });
    }
    const gap = 4;
    const width = panels.length * view.w + (panels.length - 1) * gap;
    await sharp({ create: { width, height: view.h + 28, channels: 3, background: '#1e1e1e' } })
      .composite(
        panels.flatMap((p, i) => [
          { input: label(p.title, view.w), left: i * (view.w + gap), top: 0 },
          { input: p.img, left: i * (view.w + gap), top: 28 },
        ]),
      )
      .png()
      .toFile(join(out, `dial-${name}.png`));
    console.log(`docs/dial-${name}.png`);
  }
} finally {
  await model.dispose();
}
