import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, extname, join, relative, resolve, sep } from 'node:path';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import type { ErrorCode } from '../../../shared/errors';

/** Extensions of the images Upres reads (BMP is not: sharp has no BMP decoder). */
export const IMAGE_EXTENSIONS = new Set([
  '.png',
  '.jpg',
  '.jpeg',
  '.webp',
  '.tif',
  '.tiff',
  '.avif',
  '.gif',
  '.heic',
  '.heif',
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
  /** The failure's code, where one fits, for the app to word the headline in its language. */
  code?: ErrorCode;
  /** `error` as a catalogue key and its values, for the app to say in its language. */
  detail?: EngineMessage;
}

/** A problem worded by the catalogue: its English text is the `error`. */
export function keyedProblem(path: string, detail: EngineMessage, code?: ErrorCode): InputProblem {
  return code ? { path, error: detail.text, code, detail } : { path, error: detail.text, detail };
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

const isImageName = (name: string): boolean => IMAGE_EXTENSIONS.has(extname(name).toLowerCase());

/**
 * Expands files and folders into image files: a file as given (whatever its extension, so a bad
 * file gets a clear error later), a folder to its supported images sorted by name, recursively when
 * asked; hidden and system files and folders are skipped.
 *
 * Symbolic links inside an added folder: a link to a file that lies inside the same folder (by real
 * path, after every link) is followed and its target queued, once however many links name it; a
 * link that leads outside the folder, or nowhere, is reported as a problem naming the link and not
 * followed (adding a folder must not reach files the user did not add). Links to folders are never
 * descended: a folder inside is walked as itself, and following links could loop.
 */
export async function collectInputs(
  args: string[],
  opt: CollectOptions = {},
): Promise<{ inputs: CollectedInput[]; problems: InputProblem[] }> {
  const inputs: CollectedInput[] = [];
  const problems: InputProblem[] = [];
  const exclude = (opt.exclude ?? []).map((d) => resolve(d));
  const walk = async (
    root: string,
    realRoot: string,
    dir: string,
    seen: Set<string>,
  ): Promise<void> => {
    const entries = await readdir(dir, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const queue = (rel: string) => {
      if (seen.has(rel)) return;
      seen.add(rel);
      inputs.push({ path: join(root, rel), relDir: dirname(rel) === '.' ? '' : dirname(rel) });
    };
    for (const e of entries) {
      if (skipped(e.name)) continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) {
        if (opt.recursive && !exclude.some((x) => inside(path, x)))
          await walk(root, realRoot, path, seen);
      } else if (e.isFile() && isImageName(e.name)) {
        queue(relative(root, path));
      } else if (e.isSymbolicLink()) {
        await followLink(path, e.name, realRoot, queue, problems, opt.recursive ?? false);
      }
    }
  };
  for (const arg of args) {
    const path = resolve(arg);
    let info;
    try {
      info = await stat(path);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why =
        code === 'ELOOP'
          ? msg('batch.inputLinkLoop', { file: path })
          : code === 'EACCES' || code === 'EPERM'
            ? msg('batch.inputPermission', { file: path })
            : msg('batch.inputMissing', { file: path });
      const kind: ErrorCode =
        code === 'ENOENT'
          ? 'input.missing'
          : code === 'EACCES' || code === 'EPERM'
            ? 'disk.permission'
            : 'input.unreadable';
      problems.push(keyedProblem(path, why, kind));
      continue;
    }
    if (!info.isDirectory()) {
      inputs.push({ path, relDir: '' });
      continue;
    }
    const before = inputs.length;
    try {
      await walk(path, await realpath(path), path, new Set());
    } catch (err) {
      problems.push(
        keyedProblem(
          path,
          msg('batch.folderUnreadable', { file: path, reason: (err as Error).message }),
          'input.unreadable',
        ),
      );
      continue;
    }
    if (inputs.length === before)
      problems.push(
        keyedProblem(
          path,
          msg(opt.recursive ? 'batch.folderEmpty' : 'batch.folderEmptyFlat', { file: path }),
          'input.unsupported',
        ),
      );
  }
  return { inputs, problems };
}

/** Queues a link's target when it lies inside the added folder; reports it otherwise. */
async function followLink(
  link: string,
  name: string,
  realRoot: string,
  queue: (rel: string) => void,
  problems: InputProblem[],
  recursive: boolean,
): Promise<void> {
  let target: string;
  let folder: boolean;
  try {
    target = await realpath(link);
    folder = (await stat(target)).isDirectory();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (isImageName(name))
      problems.push(
        keyedProblem(
          link,
          msg(code === 'ELOOP' ? 'batch.linkLoops' : 'batch.linkBroken', { file: link }),
        ),
      );
    return;
  }
  const within = inside(target, realRoot);
  if (folder) {
    if (!within && recursive)
      problems.push(keyedProblem(link, msg('batch.linkFolderOutside', { file: link, target })));
    return;
  }
  if (!isImageName(name) && !isImageName(target)) return;
  if (!within) {
    problems.push(keyedProblem(link, msg('batch.linkFileOutside', { file: link, target })));
    return;
  }
  queue(relative(realRoot, target));
}
