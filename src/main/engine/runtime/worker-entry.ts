import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where the inference worker's code is: the bundled `.js` beside the built main process, or the
 * TypeScript source (CLI through tsx, tests), started through a bootstrap that registers tsx.
 */
export function inferenceWorkerEntry(): { url: URL; workerData?: { tsEntry: string } } {
  const built = new URL('./inference-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { url: built };
  return {
    url: new URL('./ts-worker-bootstrap.js', import.meta.url),
    workerData: { tsEntry: new URL('./inference-worker.ts', import.meta.url).href },
  };
}

/** The inference worker's code as a child process: the bundled `.js`, or the source through tsx. */
export function inferenceProcessEntry(): { path: string; args: string[] } {
  const built = new URL('./inference-worker.js', import.meta.url);
  if (existsSync(fileURLToPath(built))) return { path: fileURLToPath(built), args: [] };
  return {
    path: fileURLToPath(new URL('./ts-process-bootstrap.js', import.meta.url)),
    args: [new URL('./inference-worker.ts', import.meta.url).href],
  };
}
