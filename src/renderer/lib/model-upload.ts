// The loopback transport's `uploadModel`: a browser page cannot hand the engine a path, so a model
// dropped or picked in it is sent as bytes (see src/main/server/model-upload.ts). XMLHttpRequest,
// not fetch, because only it reports how much of a request body has been sent.
import { MODEL_UPLOAD_PATH, type ApiResponse } from '../../shared/api';
import { ErrorPayload, UpresError } from '../../shared/errors';

/** The XMLHttpRequest surface used here (the browser's fits; tests pass a fake). */
export interface XhrLike {
  open(method: string, url: string): void;
  setRequestHeader(name: string, value: string): void;
  send(body: unknown): void;
  readonly status: number;
  readonly responseText: string;
  upload: { onprogress: ((e: { loaded: number; total: number }) => void) | null };
  onload: (() => void) | null;
  onerror: (() => void) | null;
}

/** The query of an upload: each file's name and size, in body order. */
export function uploadQuery(files: readonly { name: string; size: number }[]): string {
  const q = new URLSearchParams();
  for (const f of files) {
    q.append('name', f.name);
    q.append('size', String(f.size));
  }
  return `${MODEL_UPLOAD_PATH}?${q.toString()}`;
}

/** The answer of an upload: the import's result, or its typed error. */
export function uploadAnswer(
  status: number,
  text: string,
  first: string,
): ApiResponse<'importModel'> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (status === 200 && body) return body as ApiResponse<'importModel'>;
  const typed = ErrorPayload.safeParse((body as { error?: unknown } | undefined)?.error);
  if (typed.success) throw UpresError.fromPayload(typed.data);
  throw new UpresError('internal', `${first}: the server answered ${status}`);
}

/** Sends one model's files (their bytes one after another) and resolves with the import. */
export function uploadModelFiles(
  session: { header: string; value: string },
  files: readonly File[],
  onProgress?: (fraction: number) => void,
  makeXhr: () => XhrLike = () =>
    new (globalThis as unknown as { XMLHttpRequest: new () => XhrLike }).XMLHttpRequest(),
): Promise<ApiResponse<'importModel'>> {
  const first = files[0]?.name ?? 'model';
  return new Promise((resolve, reject) => {
    const xhr = makeXhr();
    xhr.open('POST', uploadQuery(files));
    xhr.setRequestHeader('Content-Type', 'application/octet-stream');
    xhr.setRequestHeader(session.header, session.value);
    xhr.upload.onprogress = (e) => {
      if (e.total > 0) onProgress?.(Math.min(1, e.loaded / e.total));
    };
    xhr.onload = () => {
      try {
        resolve(uploadAnswer(xhr.status, xhr.responseText, first));
      } catch (err) {
        reject(err);
      }
    };
    xhr.onerror = () =>
      reject(new UpresError('internal', `${first}: the upload to the engine failed`));
    xhr.send(new Blob([...files]));
  });
}
