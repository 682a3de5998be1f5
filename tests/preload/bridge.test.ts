import { describe, expect, it } from 'vitest';
import {
  API_METHODS,
  CHOOSE_PATHS_CHANNEL,
  channelOf,
  type EngineEvent,
} from '../../src/shared/api';
import { createBridge, remoteErrorMessage, type Subscribe } from '../../src/preload/bridge';

const noEvents: Subscribe = () => () => undefined;

describe('createBridge', () => {
  it('exposes one function per API method and the event, image, picker and drop helpers, nothing else', async () => {
    const calls: [string, unknown][] = [];
    const bridge = createBridge(async (channel, request) => {
      calls.push([channel, request]);
      return `reply from ${channel}`;
    }, noEvents);
    expect(Object.keys(bridge).sort()).toEqual(
      [...API_METHODS, 'onEvent', 'imageUrl', 'choosePaths', 'pathForFile'].sort(),
    );
    expect(Object.isFrozen(bridge)).toBe(true);
    await expect(bridge.listModels({})).resolves.toBe(`reply from ${channelOf('listModels')}`);
    expect(calls).toEqual([[channelOf('listModels'), {}]]);
  });

  it("shows the handler's own message, without Electron's wrapper", async () => {
    const bridge = createBridge(async (channel) => {
      throw new Error(
        `Error invoking remote method '${channel}': Error: listModels: invalid request: (root): bad`,
      );
    }, noEvents);
    await expect(bridge.listModels({})).rejects.toThrow(
      /^listModels: invalid request: \(root\): bad$/,
    );
  });

  it('forwards engine events to subscribers until they unsubscribe', () => {
    let push: ((e: EngineEvent) => void) | undefined;
    const bridge = createBridge(
      async () => undefined,
      (listener) => {
        push = listener;
        return () => (push = undefined);
      },
    );
    const seen: EngineEvent[] = [];
    const off = bridge.onEvent((e) => seen.push(e));
    push?.({ kind: 'queue', paused: false, running: true });
    off();
    expect(push).toBeUndefined();
    expect(seen).toEqual([{ kind: 'queue', paused: false, running: true }]);
  });

  it('names images by token on the app protocol and asks the pickers channel for paths', async () => {
    const calls: [string, unknown][] = [];
    const bridge = createBridge(async (channel, request) => {
      calls.push([channel, request]);
      return ['/photos'];
    }, noEvents);
    expect(bridge.imageUrl('0123abcd')).toBe('upres-image://0123abcd');
    await expect(bridge.choosePaths?.('folder')).resolves.toEqual(['/photos']);
    expect(calls).toEqual([[CHOOSE_PATHS_CHANNEL, 'folder']]);
  });
});

describe('remoteErrorMessage', () => {
  it('leaves other messages alone', () => {
    expect(remoteErrorMessage(new Error('plain'))).toBe('plain');
    expect(remoteErrorMessage('text')).toBe('text');
  });
});
