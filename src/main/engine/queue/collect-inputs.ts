import { readdir, stat } from 'node:fs/promises';
import { extname, join, relative, resolve, sep } from 'node:path';

/** Extensions of the images Upres reads. */
export const IMAGE_EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.tif',
  '.tiff',
  '.avif',
  '.gif',
  '.bmp',
]);

/** System files and folders that are never photos (besides anything starting with a dot). */
const SYSTEM_NAMES = new Set([
  'thumbs.db',
  'desktop.ini',
  '@eadir',
  '$recycle.bin',
  'system volume information',
  '__macosx',
]);

const skipped = (name: string): boolean =>
  name.startsWith('.') || SYSTEM_NAMES.has(name.toLowerCase());

/** One image to process, with its folder relative to the folder the user added. */
export interface CollectedInput {
  path: string;
  relDir: string;
}

/** An input that cannot be processed at all (missing path, folder without images). */
export interface InputProblem {
  path: string;
  error: string;
}

export interface CollectOptions {
  recursive?: boolean;
  /** Folders never descended into (the output folder, when it lies inside an input folder). */
  exclude?: string[];
}

function inside(path: string, dir: string): boolean {
  const rel = relative(dir, path);
  return rel === '' || (!rel.startsWith('..') && !rel.startsWith(sep) && rel !== '..');
}

/**
 * Expands files and folders into image files: a file as given (whatever its extension, so a bad
 * file gets a clear error later), a folder to its supported images sorted by name, recursively when
 * asked; hidden and system files and folders are skipped.
 */
export async function collectInputs(
  args: string[],
  opt: CollectOptions = {},
): Promise<{ inputs: CollectedInput[]; problems: InputProblem[] }> {
  const inputs: CollectedInput[] = [];
  const problems: InputProblem[] = [];
  const exclude = (opt.exclude ?? []).map((d) => resolve(d));
  const walk = async (root: string, dir: string): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (skipped(e.name)) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (opt.recursive && !exclude.some((x) => inside(path, x))) await walk(root, path);
      } else if (e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase())) {
        inputs.push({ path, relDir: relative(root, dir) });
      }
    }
  };
  for (const arg of args) {
    const path = resolve(arg);
    let info;
    try {
      info = await stat(path);
    } catch {
      problems.push({ path, error: `${path}: no such file or folder` });
      continue;
    }
    if (!info.isDirectory()) {
      inputs.push({ path, relDir: '' });
      continue;
    }
    const before = inputs.length;
    try {
      await walk(path, path);
    } catch (err) {
      problems.push({ path, error: `${path}: cannot read folder: ${(err as Error).message}` });
      continue;
    }
    if (inputs.length === before)
      problems.push({
        path,
        error: `${path}: folder holds no supported images${opt.recursive ? '' : ' (add --recursive for sub-folders)'}`,
      });
  }
  return { inputs, problems };
}
