// Model files sent by a browser page (`upres serve`): a browser never reveals where a dropped or
// picked file lives, so its bytes come over HTTP instead of its path. They are staged in a private
// temporary folder under their own names, imported through the API (the same checks and refusals
// as `upres models import`), and the staged copies deleted, imported or not.
import { mkdtemp, open, rm } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { msg, type EngineMessage } from '../../shared/engine-message';
import { UpresError } from '../../shared/errors';
import { dispatchApi, type ApiHandlers } from '../engine';

/** Largest upload taken (the biggest public ESRGAN-family checkpoints are a few hundred MB). */
export const MAX_MODEL_UPLOAD_BYTES = 8 * 1024 ** 3;
const MODEL_EXTENSIONS = ['.pth', '.pt', '.ckpt', '.safetensors', '.onnx', '.param', '.bin'];

interface UploadedFile {
  name: string;
  size: number;
}

/** A file name as the page sent it: one plain name, never a path. */
function checkName(name: string): string {
  if (
    name.length === 0 ||
    name.length > 255 ||
    name === '.' ||
    name === '..' ||
    /[/\\\0]/.test(name)
  )
    throw new UpresError('request.invalid', msg('modelFiles.uploadNotPlainName', { name }));
  if (!MODEL_EXTENSIONS.includes(extname(name).toLowerCase()))
    throw new UpresError(
      'model.refused',
      msg('modelFiles.notModelFile', { file: name, extensions: MODEL_EXTENSIONS.join(', ') }),
    );
  return name;
}

/** The files of an upload from its query: `name` and `size` once per file, in body order. */
export function uploadedFiles(url: URL): UploadedFile[] {
  const names = url.searchParams.getAll('name');
  const sizes = url.searchParams.getAll('size');
  if (names.length === 0 || names.length > 2 || names.length !== sizes.length)
    throw new UpresError(
      'request.invalid',
      'upload: name one model file (or an ncnn .param and its .bin), each with its size',
    );
  const files = names.map((name, i) => {
    const size = Number(sizes[i]);
    if (!Number.isSafeInteger(size) || size < 0)
      throw new UpresError('request.invalid', `upload: ${name}: size "${sizes[i]}" is not a size`);
    return { name: checkName(name), size };
  });
  if (files.length === 2 && files[0].name.toLowerCase() === files[1].name.toLowerCase())
    throw new UpresError('request.invalid', `upload: ${files[0].name} is named twice`);
  const total = files.reduce((n, f) => n + f.size, 0);
  if (total > MAX_MODEL_UPLOAD_BYTES)
    throw new UpresError(
      'input.too-large',
      msg('modelFiles.uploadTooLarge', {
        file: files[0].name,
        bytes: String(total),
        limit: String(MAX_MODEL_UPLOAD_BYTES),
      }),
    );
  return files;
}

/** Writes the body into `dir`, file after file, exactly as many bytes as each one's size. */
async function stage(req: IncomingMessage, dir: string, files: UploadedFile[]): Promise<void> {
  let index = 0;
  let left = files[0].size;
  let handle = await open(join(dir, files[0].name), 'wx', 0o600);
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      let rest = chunk;
      while (rest.length > 0) {
        while (left === 0) {
          await handle.close();
          index++;
          if (index >= files.length)
            throw new UpresError('request.invalid', 'upload: the body is longer than its files');
          left = files[index].size;
          handle = await open(join(dir, files[index].name), 'wx', 0o600);
        }
        const part = rest.subarray(0, left);
        await handle.write(part);
        left -= part.length;
        rest = rest.subarray(part.length);
      }
    }
    while (left === 0 && index < files.length - 1) {
      await handle.close();
      index++;
      left = files[index].size;
      handle = await open(join(dir, files[index].name), 'wx', 0o600);
    }
    if (left > 0 || index < files.length - 1)
      throw new UpresError(
        'request.invalid',
        `upload: the body ended inside ${files[index].name} (sent again, it may go through)`,
      );
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/** `text` without the staging folder `dir` (the user never saw it). */
function withoutDir(text: string, dir: string): string {
  return text.split(`${dir}/`).join('').split(dir).join('');
}

/** An error's sentence without the staging folder, its catalogue key and values kept. */
function messageWithoutDir(err: UpresError, dir: string): string | EngineMessage {
  const text = withoutDir(err.message, dir);
  if (!err.detail) return text;
  const params = err.detail.params
    ? Object.fromEntries(
        Object.entries(err.detail.params).map(([k, v]) => [
          k,
          typeof v === 'string' ? withoutDir(v, dir) : v,
        ]),
      )
    : undefined;
  return { ...err.detail, ...(params ? { params } : {}), text };
}

/** The file to import of a staged model: an ncnn pair is imported through its `.param`. */
function importedName(files: UploadedFile[]): string {
  return (files.find((f) => extname(f.name).toLowerCase() === '.param') ?? files[0]).name;
}

/**
 * Receives one model's files from the request body and imports them; answers as `importModel`.
 * Messages name the files as the user knows them, never the staging folder.
 */
export async function receiveModelUpload(
  req: IncomingMessage,
  url: URL,
  handlers: ApiHandlers,
): Promise<unknown> {
  const files = uploadedFiles(url);
  const dir = await mkdtemp(join(tmpdir(), 'upres-upload-'));
  try {
    await stage(req, dir, files);
    return await dispatchApi(handlers, 'importModel', { path: join(dir, importedName(files)) });
  } catch (err) {
    if (err instanceof UpresError && err.message.includes(dir))
      throw new UpresError(err.code, messageWithoutDir(err, dir), { cause: err });
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
