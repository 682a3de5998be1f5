// The planned output of an item against names and sizes worked out by hand.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ItemSettings, Placement } from '../../../src/shared/queue';
import { planOutput } from '../../../src/main/engine/queue/output-plan';

const plan = (
  input: string,
  settings: Partial<ItemSettings>,
  placement: Partial<Placement> = {},
  size = { width: 641, height: 480 },
  relDir = '',
) =>
  planOutput(
    {
      input,
      relDir,
      placement: Placement.parse({ outDir: '/out', ...placement }),
      settings: ItemSettings.parse({ model: 'photo-x4', ...settings }),
      ...size,
    },
    4,
  );

describe('planOutput', () => {
  it('names, sizes and places outputs as expected', () => {
    expect(plan('/p/beach.jpg', {})).toEqual({
      path: join('/out', 'beach_x4.jpg'),
      fileName: 'beach_x4.jpg',
      width: 2564,
      height: 1920,
      format: 'jpeg',
      scale: 4,
    });
    // ×1.5 of 641 px: 961.5 rounds to 962, and the name keeps the scale asked for.
    expect(plan('/p/beach.final.PNG', { scale: 1.5 })).toMatchObject({
      fileName: 'beach.final_x1.5.png',
      width: 962,
      height: 720,
      scale: 1.5,
    });
    expect(
      plan('/p/IMG_1.webp', { alpha: 0.63 }, { nameTemplate: '{name}-{model}-a{alpha}' }),
    ).toMatchObject({ fileName: 'IMG_1-photo-x4-a0.63.webp', format: 'webp' });
    expect(plan('/p/scan.tiff', { format: 'jpeg' }, {}, { width: 10, height: 20 }, 'a/b')).toEqual({
      path: join('/out', 'a', 'b', 'scan_x4.jpg'),
      fileName: 'scan_x4.jpg',
      width: 40,
      height: 80,
      format: 'jpeg',
      scale: 4,
    });
    // A target width keeps the aspect ratio; the name says the resulting scale to 3 decimals.
    expect(plan('/p/x.png', { width: 1000 })).toMatchObject({
      fileName: 'x_x1.56.png',
      width: 1000,
      height: 749,
    });
  });
});
