import { mkdtemp, readdir } from 'node:fs/promises';
import { basename, extname, join } from 'node:path';
import sharp from 'sharp';
import { runCli } from '../../helpers/run-cli';

/** Decoded pixels of an image file (RGBA, 8 bit). */
export async function rgba(path: string) {
  const { data, info } = await sharp(path)
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** The largest per-channel difference between two images of one size (Infinity when sizes differ). */
export async function maxPixelDiff(a: string, b: string): Promise<number> {
  const [x, y] = await Promise.all([rgba(a), rgba(b)]);
  if (x.width !== y.width || x.height !== y.height) return Infinity;
  let max = 0;
  for (let i = 0; i < x.data.length; i++) max = Math.max(max, Math.abs(x.data[i] - y.data[i]));
  return max;
}

/**
 * The engine's own render of `input` with a model (and α, for pairs) through the `upres upscale`
 * command line, independent of the queue, the server and the UI; returns the output's path.
 */
export async function engineRender(
  env: NodeJS.ProcessEnv,
  scratch: string,
  input: string,
  model: string,
  alpha?: number,
): Promise<string> {
  const out = await mkdtemp(join(scratch, 'reference-'));
  const args = ['upscale', input, '-o', out, '-m', model];
  if (alpha !== undefined) args.push('--alpha', String(alpha));
  const r = await runCli(args, env);
  if (r.code !== 0) throw new Error(`reference render failed (${r.code}): ${r.stderr}`);
  const files = (await readdir(out)).filter((f) => f.startsWith(basename(input, extname(input))));
  if (files.length !== 1)
    throw new Error(`reference render wrote ${files.join(', ') || 'nothing'}`);
  return join(out, files[0]);
}
