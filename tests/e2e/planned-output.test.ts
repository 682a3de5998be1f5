// The output the engine plans is what the UI shows: a 641-px-wide photo at ×1.5 is named with the
// scale asked for (`_x1.5`, not the pixel ratio 962 / 641 = 1.5008…) and sized round(641 · 1.5),
// in the inspector and on its queue row, before anything runs.
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { addPath, rows } from './helpers/app-page';
import { screenshotSizes } from './helpers/browser';
import { useServedApp } from './helpers/served-app';

const WIDTH = 641;
const HEIGHT = 428;
const SCALE = 1.5;
/** Worked independently of the code: 641 · 1.5 = 961.5 → 962 (half up); 428 · 1.5 = 642. */
const OUT_WIDTH = 962;
const OUT_HEIGHT = 642;

let photo: string;

const app = useServedApp('upres-e2e-plan-', async (world) => {
  photo = join(world.dir, 'photos', 'harbour.png');
  // A smooth gradient: any content does; the size is what matters.
  const pixels = Buffer.alloc(WIDTH * HEIGHT * 3);
  for (let y = 0; y < HEIGHT; y++)
    for (let x = 0; x < WIDTH; x++) {
      const i = (y * WIDTH + x) * 3;
      pixels[i] = Math.round((x / WIDTH) * 255);
      pixels[i + 1] = Math.round((y / HEIGHT) * 255);
      pixels[i + 2] = 128;
    }
  await sharp(pixels, { raw: { width: WIDTH, height: HEIGHT, channels: 3 } })
    .png()
    .toFile(photo);
});

describe("the engine's planned output in the UI", () => {
  it(`shows harbour_x1.5.png at ${OUT_WIDTH} × ${OUT_HEIGHT} for a ${WIDTH}-px photo at ×1.5`, async () => {
    expect(Math.round(WIDTH * SCALE)).toBe(OUT_WIDTH);
    await addPath(app.page, photo);
    const row = rows(app.page, 'harbour.png', 'waiting');
    await row.waitFor();
    await row.getByTestId('queue-row-select').click();

    await app.page.getByTestId('settings-size-mode').selectOption('scale');
    const scale = app.page.getByTestId('settings-scale');
    await scale.fill(String(SCALE));
    await app.page.getByTestId('apply-selected').click();

    const name = 'harbour_x1.5.png';
    const size = `${WIDTH} × ${HEIGHT} → ${OUT_WIDTH} × ${OUT_HEIGHT}`;
    const inspector = app.page.getByTestId('inspector');
    await expect
      .poll(() => inspector.getByTestId('inspector-export-name').textContent())
      .toBe(name);
    expect((await inspector.getByTestId('inspector-export-size').textContent())!.trim()).toBe(
      `${OUT_WIDTH} × ${OUT_HEIGHT} · PNG`,
    );
    expect(
      (await inspector.locator('header .meta').last().textContent())!.replace(/\s+/g, ' ').trim(),
    ).toBe(size);
    expect(await row.getByTestId('item-output-name').textContent()).toBe(name);
    expect(await row.getByTestId('item-size').textContent()).toBe(size);
    // The folder is the plan's: the photo's folder's "-upscaled" sibling, as the engine joined it.
    const folder = (await inspector.getByTestId('inspector-export-folder').textContent())!.trim();
    expect(folder).toBe(join(app.world.dir, 'photos-upscaled'));

    // The compare view draws both panes at the planned size.
    await app.page.getByTestId('zoom-menu').selectOption('1');
    await app.page.locator('[data-testid="zoom-readout"][data-zoom="1"]').waitFor();
    const stage = (await app.page.getByTestId('stage-original').boundingBox())!;
    expect(stage.width).toBeCloseTo(OUT_WIDTH, 0);
    expect(stage.height).toBeCloseTo(OUT_HEIGHT, 0);
    await app.page.getByTestId('zoom-menu').selectOption('fit');
    await screenshotSizes(app.page, '09-planned-output');
  });

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
