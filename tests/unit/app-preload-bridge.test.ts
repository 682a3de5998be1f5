import { describe, expect, it } from 'vitest';
import { API_METHODS, channelOf } from '../../src/shared/api';
import { createBridge, remoteErrorMessage } from '../../src/preload/bridge';

describe('createBridge', () => {
  it('exposes exactly one function per API method, each invoking its channel', async () => {
    const calls: [string, unknown][] = [];
    const bridge = createBridge(async (channel, request) => {
      calls.push([channel, request]);
      return `reply from ${channel}`;
    });
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS].sort());
    expect(Object.isFrozen(bridge)).toBe(true);
    await expect(bridge.listModels({})).resolves.toBe(`reply from ${channelOf('listModels')}`);
    expect(calls).toEqual([[channelOf('listModels'), {}]]);
  });

  it("shows the handler's own message, without Electron's wrapper", async () => {
    const bridge = createBridge(async (channel) => {
      throw new Error(
        `Error invoking remote method '${channel}': Error: listModels: invalid request: (root): bad`,
      );
    });
    await expect(bridge.listModels({})).rejects.toThrow(
      /^listModels: invalid request: \(root\): bad$/,
    );
  });
});

describe('remoteErrorMessage', () => {
  it('leaves other messages alone', () => {
    expect(remoteErrorMessage(new Error('plain'))).toBe('plain');
    expect(remoteErrorMessage('text')).toBe('text');
  });
});
