// Opening a file the user named (a photo, a model) so that neither a special file nor a swap of
// the path can hang or flood the engine: the open cannot block, the check is made on the opened
// descriptor (what is read is what was checked), and every read is bounded by the checked size.
import { constants, type Stats } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { msg, type EngineMessage } from '../../../shared/engine-message';
import { UpresError, type ErrorCode } from '../../../shared/errors';

/** What the file is to the caller: decides the error code of a refusal. */
export type FileRole = 'image' | 'model';

/** A regular file opened for reading; close it (or `await using`) when done. */
export interface RegularFile extends AsyncDisposable {
  handle: FileHandle;
  /** The size fstat gave on the opened descriptor: no read goes past it. */
  size: number;
  stats: Stats;
  close(): Promise<void>;
}

export interface OpenOptions {
  /** Prefix of every message (default: the path). */
  label?: string;
  /** Largest size accepted, in bytes; a larger file is refused as too large. */
  maxBytes?: number;
}

// O_NONBLOCK makes the open of a FIFO return at once instead of waiting for a writer (a blocked
// open holds one of libuv's four pool threads for ever); regular files ignore the flag. Windows
// has no such flag (and no FIFOs in the file namespace).
const FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);

/** What a special file is, as the catalogue's `kind` selects it. */
function kindOf(s: Stats): string {
  if (s.isDirectory()) return 'folder';
  if (s.isFIFO()) return 'fifo';
  if (s.isCharacterDevice()) return 'charDevice';
  if (s.isBlockDevice()) return 'blockDevice';
  if (s.isSocket()) return 'socket';
  return 'other';
}

/** "12.5 MB"-style size for messages. */
export function formatBytes(n: number): string {
  if (n >= 1024 ** 3) return `${(n / 1024 ** 3).toFixed(1)} GiB`;
  if (n >= 1024 ** 2) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${n} bytes`;
}

/** The UpresError for an errno failure of opening or reading `label`. */
export function openError(label: string, role: FileRole, err: unknown): UpresError {
  const errno = (err as NodeJS.ErrnoException).code;
  const unreadable: ErrorCode = 'input.unreadable';
  const file = label;
  const say = (code: ErrorCode, m: EngineMessage) => new UpresError(code, m, { cause: err });
  switch (errno) {
    case 'ENOENT':
      return say('input.missing', msg('pipeline.openMissing', { file }));
    case 'EACCES':
    case 'EPERM':
      return say(unreadable, msg('pipeline.openPermission', { file }));
    case 'EISDIR':
      return say(
        role === 'image' ? 'input.unsupported' : 'model.refused',
        msg('pipeline.notRegularFile', { file, kind: 'folder' }),
      );
    case 'ELOOP':
      return say(unreadable, msg('pipeline.openLinkLoop', { file }));
    case 'ENOTDIR':
      return say('input.missing', msg('pipeline.openMissingPath', { file }));
    case 'ENAMETOOLONG':
      return say(unreadable, msg('pipeline.openPathTooLong', { file }));
    default:
      return say(
        unreadable,
        msg('pipeline.openFailed', {
          file,
          reason: errno ?? String((err as Error)?.message ?? err),
        }),
      );
  }
}

/**
 * Opens a user-named file for reading, refusing anything that is not a regular file (a FIFO, a
 * device, a folder, a socket) as checked by fstat on the opened descriptor, and any file larger
 * than `maxBytes`. Errors are UpresErrors naming the file: `input.unsupported` (an image) or
 * `model.refused` (a model) for a special file, `input.too-large` / `model.refused` for the size,
 * `input.missing` / `input.unreadable` for errno failures.
 */
export async function openRegularFile(
  path: string,
  role: FileRole,
  opt: OpenOptions = {},
): Promise<RegularFile> {
  const label = opt.label ?? path;
  let handle: FileHandle;
  try {
    handle = await open(path, FLAGS);
  } catch (err) {
    throw openError(label, role, err);
  }
  try {
    let stats: Stats;
    try {
      stats = await handle.stat();
    } catch (err) {
      throw openError(label, role, err);
    }
    if (!stats.isFile())
      throw new UpresError(
        role === 'image' ? 'input.unsupported' : 'model.refused',
        msg('pipeline.notRegularFile', { file: label, kind: kindOf(stats) }),
      );
    if (opt.maxBytes !== undefined && stats.size > opt.maxBytes)
      throw new UpresError(
        role === 'image' ? 'input.too-large' : 'model.refused',
        msg('pipeline.fileTooLarge', {
          file: label,
          size: formatBytes(stats.size),
          max: formatBytes(opt.maxBytes),
          role,
        }),
      );
    const close = () => handle.close();
    return { handle, size: stats.size, stats, close, [Symbol.asyncDispose]: close };
  } catch (err) {
    await handle.close().catch(() => undefined);
    throw err;
  }
}

/**
 * Reads exactly the `size` bytes fstat reported (a file that grows meanwhile is read no further;
 * one that shrinks is refused as changed while read).
 */
export async function readAll(file: RegularFile, label: string, role: FileRole): Promise<Buffer> {
  const out = Buffer.allocUnsafe(file.size);
  let at = 0;
  try {
    while (at < file.size) {
      const { bytesRead } = await file.handle.read(out, at, file.size - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
  } catch (err) {
    throw openError(label, role, err);
  }
  if (at < file.size)
    throw new UpresError(
      'input.unreadable',
      msg('pipeline.fileShrank', { file: label, read: at, size: file.size }),
    );
  return out;
}

/** Opens a regular file (see openRegularFile), reads all of it within `maxBytes`, closes it. */
export async function readRegularFile(
  path: string,
  role: FileRole,
  opt: OpenOptions & { maxBytes: number },
): Promise<Buffer> {
  const file = await openRegularFile(path, role, opt);
  try {
    return await readAll(file, opt.label ?? path, role);
  } finally {
    await file.close();
  }
}

/**
 * A path that names the opened file itself, for a library that opens by path (sharp, libvips):
 * on Linux `/proc/self/fd/N` re-opens the very inode that was checked, so swapping the original
 * path afterwards changes nothing. Undefined elsewhere (callers then hand over the bytes).
 */
export function descriptorPath(file: RegularFile): string | undefined {
  return process.platform === 'linux' ? `/proc/self/fd/${file.handle.fd}` : undefined;
}
