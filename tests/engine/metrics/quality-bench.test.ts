import { describe, expect, it } from 'vitest';
import { benchQuality } from '../../../src/main/engine/metrics/bench-quality';
import { matlabResize } from '../../../src/main/engine/metrics/matlab-resize';
import { lumaY, psnrY, ssimY } from '../../../src/main/engine/metrics/quality-metrics';
import { DATASETS } from '../../helpers/images';
import { runCli } from '../../helpers/run-cli';

describe('quality benchmark protocol', () => {
  // Known figures: bicubic ×4 with MATLAB imresize, Y-channel PSNR, 4 px border (datasets README).
  it('reproduces the published bicubic baseline on Set5 and Set14', async () => {
    const set5 = await benchQuality(`${DATASETS}Set5`, 4);
    const set14 = await benchQuality(`${DATASETS}Set14`, 4);
    expect(set5.mean.psnr).toBeGreaterThan(28.43 - 0.05);
    expect(set5.mean.psnr).toBeLessThan(28.43 + 0.05);
    expect(set14.mean.psnr).toBeGreaterThan(26.09 - 0.05);
    expect(set14.mean.psnr).toBeLessThan(26.09 + 0.05);
    // Published bicubic SSIM on Set5 ×4 is 0.8104.
    expect(set5.mean.ssim).toBeCloseTo(0.81, 2);
    expect(set14.images).toHaveLength(14);
  });

  it('keeps flat images flat and sizes outputs like MATLAB (ceil of size × scale)', () => {
    const flat = { width: 7, height: 5, channels: 3, data: new Uint8Array(7 * 5 * 3).fill(123) };
    const down = matlabResize(flat, 1 / 4);
    expect([down.width, down.height]).toEqual([2, 2]);
    expect(new Set(down.data)).toEqual(new Set([123]));
    const up = matlabResize(flat, 4);
    expect([up.width, up.height]).toEqual([28, 20]);
    expect(new Set(up.data)).toEqual(new Set([123]));
  });

  it('scores identical images as infinite PSNR and SSIM 1, and a shifted one lower', () => {
    const a = lumaY(
      {
        width: 32,
        height: 32,
        channels: 3,
        data: Uint8Array.from({ length: 32 * 32 * 3 }, (_, i) => (i * 7) % 256),
      },
      4,
    );
    expect(psnrY(a.y, a.y)).toBe(Infinity);
    expect(ssimY(a.y, a.y, a.w, a.h)).toBeCloseTo(1, 10);
    const b = a.y.map((v) => v + 2);
    expect(psnrY(a.y, b)).toBeCloseTo(20 * Math.log10(255 / 2), 6);
  });

  it('runs from the command line with a JSON report', async () => {
    const res = await runCli([
      'bench',
      'quality',
      '--dataset',
      `${DATASETS}Set5`,
      '--model',
      'bicubic',
      '--json',
    ]);
    expect(res.code, res.stderr).toBe(0);
    const report = JSON.parse(res.stdout) as {
      mean: { psnr: number; ssim: number };
      images: { image: string; psnr: number }[];
    };
    expect(report.mean.psnr).toBeCloseTo(28.43, 1);
    expect(report.images.map((i) => i.image)).toEqual([
      'baby.png',
      'bird.png',
      'butterfly.png',
      'head.png',
      'woman.png',
    ]);
  });
});
