import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { SHOW_IN_FOLDER_CHANNEL } from '../../shared/api';
import { msg } from '../../shared/engine-message';
import { UpresError } from '../../shared/errors';
import { replyOf } from '../../shared/ipc-reply';
import type { ApiHandlers } from '../engine';
import type { IpcMainLike } from './ipc-handlers';
import type { IpcEventLike } from './renderer-origin';

/** The slice of Electron's `shell` used here. */
export interface ShellLike {
  showItemInFolder(fullPath: string): void;
}

const Request = z.object({ id: z.string().min(1) }).strict();

/**
 * The output file the queue wrote for a finished photo, looked up by its id in the engine's queue
 * (never a path from the caller), and still there. Anything else is refused with its reason.
 */
export async function writtenOutput(
  queue: Pick<ApiHandlers, 'queueList'>,
  request: unknown,
): Promise<string> {
  const parsed = Request.safeParse(request);
  if (!parsed.success) throw new UpresError('request.invalid', msg('batch.showBadRequest'));
  const { id } = parsed.data;
  const item = (await queue.queueList({})).items.find((i) => i.id === id);
  if (!item) throw new UpresError('not-found', msg('batch.showUnknown', { id }));
  if (item.state !== 'done' || !item.output)
    throw new UpresError(
      'not-found',
      msg('batch.showNotDone', { file: item.input, state: item.state }),
    );
  const info = await stat(item.output).catch(() => undefined);
  if (!info?.isFile())
    throw new UpresError('not-found', msg('batch.showGone', { file: item.output }));
  return item.output;
}

/**
 * *Show in folder* on its own channel (Electron only, like the pickers): a trusted sender names a
 * finished photo by id and the file manager opens on its output, selected. Replies like the API
 * (shared/ipc-reply.ts), `null` when shown.
 */
export function registerShowInFolder(
  ipc: IpcMainLike,
  queue: Pick<ApiHandlers, 'queueList'>,
  shell: ShellLike,
  isTrustedSender: (event: IpcEventLike) => boolean,
): () => void {
  ipc.handle(SHOW_IN_FOLDER_CHANNEL, async (event, ...args) => {
    if (!isTrustedSender(event)) throw new Error('showInFolder: refused an untrusted sender');
    return replyOf(async () => {
      shell.showItemInFolder(await writtenOutput(queue, args[0]));
      return null;
    });
  });
  return () => ipc.removeHandler(SHOW_IN_FOLDER_CHANNEL);
}
