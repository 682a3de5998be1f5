// Paths of files and folders dropped onto the window. Only the Electron app can know them: its
// preload may offer `pathForFile` (Electron's webUtils.getPathForFile), and older Electron put a
// `path` on each File. A browser never reveals where a dropped file lives.

import type { UpresApi } from '../../shared/api';

/** The engine-side paths of the dropped files, as far as the platform tells them. */
export function droppedPaths(api: UpresApi, files: FileList | readonly File[]): string[] {
  const pathForFile = api.pathForFile;
  const paths: string[] = [];
  for (const file of Array.from(files)) {
    let path: string | undefined;
    try {
      path = pathForFile?.(file) || (file as File & { path?: string }).path || undefined;
    } catch {
      path = undefined;
    }
    if (path) paths.push(path);
  }
  return paths;
}
