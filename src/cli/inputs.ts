import { readdir, stat } from 'node:fs/promises';
import { extname, join, resolve } from 'node:path';

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

/** A file to process, or an input that failed before processing (missing path, empty folder). */
export type InputItem = { path: string; error?: string };

/** Expands the command-line inputs: files as given, folders to their image files (sorted, no hidden files). */
export async function expandInputs(args: string[]): Promise<InputItem[]> {
  const items: InputItem[] = [];
  for (const arg of args) {
    const path = resolve(arg);
    let info;
    try {
      info = await stat(path);
    } catch {
      items.push({ path, error: `${path}: no such file or folder` });
      continue;
    }
    if (!info.isDirectory()) {
      items.push({ path });
      continue;
    }
    const names = (await readdir(path))
      .filter((n) => !n.startsWith('.') && IMAGE_EXTENSIONS.has(extname(n).toLowerCase()))
      .sort();
    if (names.length === 0)
      items.push({ path, error: `${path}: folder holds no supported images` });
    for (const n of names) items.push({ path: join(path, n) });
  }
  return items;
}
