import type { Raster } from '../pipeline/raster';

/**
 * A seam is a jump in the tiled-minus-untiled error at a tile boundary. Returns the mean step of that
 * error between neighbouring output pixels across tile boundaries (every `tileOut` px) and elsewhere.
 */
export function seamSteps(
  tiled: Raster,
  untiled: Raster,
  tileOut: number,
): { border: number; elsewhere: number } {
  const { width: w, height: h, channels: c } = tiled;
  const err = (x: number, y: number, k: number): number =>
    tiled.data[(y * w + x) * c + k] - untiled.data[(y * w + x) * c + k];
  const sums = { border: 0, borderN: 0, elsewhere: 0, elsewhereN: 0 };
  const add = (atBoundary: boolean, step: number): void => {
    if (atBoundary) {
      sums.border += step;
      sums.borderN++;
    } else {
      sums.elsewhere += step;
      sums.elsewhereN++;
    }
  };
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let k = 0; k < c; k++) {
        if (x > 0) add(x % tileOut === 0, Math.abs(err(x, y, k) - err(x - 1, y, k)));
        if (y > 0) add(y % tileOut === 0, Math.abs(err(x, y, k) - err(x, y - 1, k)));
      }
  return { border: sums.border / sums.borderN, elsewhere: sums.elsewhere / sums.elsewhereN };
}

/** Mean |tiled − untiled| on output pixels next to a tile boundary (±1 px) and everywhere else. */
export function borderDifference(
  tiled: Raster,
  untiled: Raster,
  tileOut: number,
): { border: number; elsewhere: number } {
  const near = (v: number): boolean => v > 0 && (v % tileOut === 0 || v % tileOut === tileOut - 1);
  let b = 0;
  let bn = 0;
  let e = 0;
  let en = 0;
  for (let y = 0; y < tiled.height; y++)
    for (let x = 0; x < tiled.width; x++) {
      const o = (y * tiled.width + x) * tiled.channels;
      let d = 0;
      for (let k = 0; k < tiled.channels; k++)
        d += Math.abs(tiled.data[o + k] - untiled.data[o + k]);
      if (near(x) || near(y)) {
        b += d;
        bn += tiled.channels;
      } else {
        e += d;
        en += tiled.channels;
      }
    }
  return { border: b / bn, elsewhere: e / en };
}
