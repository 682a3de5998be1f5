// The dial's instant preview: while α moves, the α = 0 and α = 1 renders of the viewport are mixed
// pixel by pixel. It approximates the network interpolation the export uses (which blends
// weights, not pixels), and the UI says so until the exact render arrives.

/** 8-bit pixel data (RGBA from a canvas, or any channel layout: every byte is blended alike). */
export type Bytes = Uint8ClampedArray | Uint8Array;

/**
 * Writes round((1 − α)·a + α·b) for every byte into `out` (a new array when not given) and
 * returns it. α = 0 gives `a` and α = 1 gives `b` exactly.
 */
export function blendBytes<T extends Bytes>(a: T, b: Bytes, alpha: number, out?: T): T {
  if (a.length !== b.length) throw new Error(`blendBytes: ${a.length} and ${b.length} bytes`);
  if (!(alpha >= 0 && alpha <= 1)) throw new Error(`blendBytes: α ${alpha} is outside 0…1`);
  const target = out ?? (new (a.constructor as new (n: number) => T)(a.length) as T);
  if (target.length !== a.length) throw new Error('blendBytes: output has another length');
  // (1 − α)·a + α·b = a + α·(b − a), and a is a whole number, so the rounding only depends on
  // b − a: one table of 511 entries replaces a multiply and a round per byte.
  const table = blendTable(alpha);
  for (let i = 0; i < a.length; i++) target[i] = a[i] + table[b[i] - a[i] + 255];
  return target;
}

/** round(α·d) for d = −255…255, at index d + 255. */
export function blendTable(alpha: number): Int16Array {
  const table = new Int16Array(511);
  for (let d = -255; d <= 255; d++) table[d + 255] = Math.round(roundTiny(alpha * d));
  return table;
}

// α·d in binary floating point can land a hair below an exact .5 (0.3 · 5 = 1.4999999999999998);
// the decimal value the user set is what counts.
function roundTiny(v: number): number {
  return Math.round(v * 1e9) / 1e9;
}
