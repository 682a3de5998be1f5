import { z } from 'zod';
import { CHOOSE_PATHS_CHANNEL } from '../../shared/api';
import { msg } from '../../shared/engine-message';
import { UpresError } from '../../shared/errors';
import { replyOf } from '../../shared/ipc-reply';
import type { IpcMainLike } from './ipc-handlers';
import type { IpcEventLike } from './renderer-origin';

const Kind = z.enum(['files', 'folder', 'models']);

/** The part of Electron's `dialog.showOpenDialog` options used here. */
export interface OpenDialogOptions {
  title: string;
  properties: ('openFile' | 'openDirectory' | 'multiSelections')[];
  filters?: { name: string; extensions: string[] }[];
}

export type ShowOpenDialog = (
  options: OpenDialogOptions,
) => Promise<{ canceled: boolean; filePaths: string[] }>;

const IMAGE_FILTER = {
  name: 'Images',
  extensions: ['png', 'jpg', 'jpeg', 'webp', 'tif', 'tiff', 'avif', 'heic', 'heif', 'gif'],
};

/** What `upres models import` reads (an ncnn model is its .param and .bin, picked together). */
const MODEL_FILTER = {
  name: 'Models',
  extensions: ['pth', 'pt', 'ckpt', 'safetensors', 'onnx', 'param', 'bin'],
};

/** The dialog for each kind of picker. */
function dialogFor(kind: z.infer<typeof Kind>): OpenDialogOptions {
  if (kind === 'models')
    return {
      title: 'Import model',
      properties: ['openFile', 'multiSelections'],
      filters: [MODEL_FILTER, { name: 'All files', extensions: ['*'] }],
    };
  return kind === 'files'
    ? {
        title: 'Add photos',
        properties: ['openFile', 'multiSelections'],
        filters: [IMAGE_FILTER, { name: 'All files', extensions: ['*'] }],
      }
    : { title: 'Add folder', properties: ['openDirectory', 'multiSelections'] };
}

/**
 * Native "Add photos…" / "Add folder…" / "Import model…" pickers on their own channel: a trusted sender asks for a
 * kind and gets back exactly the paths the user picked (none when cancelled), nothing else, as a
 * reply like the API's (shared/ipc-reply.ts).
 */
export function registerChoosePaths(
  ipc: IpcMainLike,
  show: ShowOpenDialog,
  isTrustedSender: (event: IpcEventLike) => boolean,
): () => void {
  ipc.handle(CHOOSE_PATHS_CHANNEL, async (event, ...args) => {
    if (!isTrustedSender(event)) throw new Error('choosePaths: refused an untrusted sender');
    return replyOf(async () => {
      const kind = Kind.safeParse(args[0]);
      if (!kind.success) throw new UpresError('request.invalid', msg('batch.choosePathsKind'));
      const result = await show(dialogFor(kind.data));
      return result.canceled ? [] : result.filePaths;
    });
  });
  return () => ipc.removeHandler(CHOOSE_PATHS_CHANNEL);
}
