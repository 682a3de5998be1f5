import { describe, expect, it } from 'vitest';
import { outputSize, type SizeSettings } from '../../src/shared/output-rules';

interface Size {
  width: number;
  height: number;
}

describe('output size', () => {
  it('computes output sizes by the engine rule', () => {
    // Worked by hand: scale wins over a target size; one target side keeps the aspect ratio; two
    // fit inside the box; sides round half up.
    const cases: [Size, SizeSettings, number, Size][] = [
      [{ width: 1000, height: 750 }, {}, 4, { width: 4000, height: 3000 }],
      [{ width: 1000, height: 750 }, { scale: 2 }, 4, { width: 2000, height: 1500 }],
      [{ width: 1001, height: 667 }, { scale: 1.5 }, 4, { width: 1502, height: 1001 }],
      [{ width: 1000, height: 750 }, { width: 1920 }, 4, { width: 1920, height: 1440 }],
      [{ width: 1000, height: 750 }, { height: 1080 }, 2, { width: 1440, height: 1080 }],
      [
        { width: 1000, height: 750 },
        { width: 1920, height: 1920 },
        4,
        { width: 1920, height: 1440 },
      ],
      [{ width: 333, height: 999 }, { width: 500, height: 500 }, 4, { width: 167, height: 500 }],
      [{ width: 640, height: 480 }, { scale: 3, width: 100 }, 4, { width: 1920, height: 1440 }],
    ];
    for (const [input, s, m, want] of cases) {
      const o = outputSize(input.width, input.height, s, m);
      expect({ width: o.outWidth, height: o.outHeight }).toEqual(want);
    }
  });

  it('keeps the requested scale for names, not a ratio of rounded pixels', () => {
    // 641 px at ×1.5 is 961.5 → 962 px wide; the name still says 1.5 (962 / 641 = 1.5008…).
    expect(outputSize(641, 427, { scale: 1.5 }, 4)).toEqual({
      outWidth: 962,
      outHeight: 641,
      scale: 1.5,
    });
  });
});
