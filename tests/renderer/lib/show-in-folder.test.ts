// The queue's *Show in folder*: offered only where the transport has it (Electron, not a browser),
// called with the photo's id, and a refusal shown as the queue's action error with its code.
import { describe, expect, it } from 'vitest';
import { UpresError } from '../../../src/shared/errors';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

interface QueueStore {
  readonly canShowInFolder: boolean;
  readonly actionError: string | undefined;
  readonly actionErrorCode: string | undefined;
  showInFolder(id: string): Promise<void>;
}
type FakeApi = { onEvent: () => () => void; showInFolder?: (id: string) => Promise<void> };

const { QueueStore } = (await loadSvelteModule(rendererLib('queue-store.svelte.ts'))) as {
  QueueStore: new (api: FakeApi) => QueueStore;
};

describe('QueueStore.showInFolder', () => {
  it('is not offered where the transport cannot open a file manager (a browser)', async () => {
    const store = new QueueStore({ onEvent: () => () => undefined });
    expect(store.canShowInFolder).toBe(false);
    await store.showInFolder('a');
    expect(store.actionError).toBeUndefined();
  });

  it("asks for the photo's id and shows a refusal with its code", async () => {
    const asked: string[] = [];
    const store = new QueueStore({
      onEvent: () => () => undefined,
      showInFolder: async (id) => {
        asked.push(id);
        if (id === 'gone')
          throw new UpresError('not-found', '/out/a_x4.png: the output is no longer there');
      },
    });
    expect(store.canShowInFolder).toBe(true);
    await store.showInFolder('done');
    expect(store.actionError).toBeUndefined();
    await store.showInFolder('gone');
    expect(asked).toEqual(['done', 'gone']);
    expect(store.actionError).toBe('/out/a_x4.png: the output is no longer there');
    expect(store.actionErrorCode).toBe('not-found');
  });
});
