import { describe, expect, it } from 'vitest';
import {
  API_METHODS,
  CHOOSE_PATHS_CHANNEL,
  channelOf,
  type EngineEvent,
} from '../../src/shared/api';
import { createBridge, type Subscribe } from '../../src/preload/bridge';

const noEvents: Subscribe = () => () => undefined;

describe('createBridge', () => {
  it('exposes one function per API method and the event, image, picker and drop helpers, nothing else', async () => {
    const calls: [string, unknown][] = [];
    const bridge = createBridge(async (channel, request) => {
      calls.push([channel, request]);
      return { ok: true, value: `reply from ${channel}` };
    }, noEvents);
    expect(Object.keys(bridge).sort()).toEqual(
      [
        ...API_METHODS,
        'onEvent',
        'imageUrl',
        'choosePaths',
        'pathForFile',
        'showInFolder',
        'onOpenPaths',
      ].sort(),
    );
    expect(Object.isFrozen(bridge)).toBe(true);
    await expect(bridge.listModels({})).resolves.toEqual({
      ok: true,
      value: `reply from ${channelOf('listModels')}`,
    });
    expect(calls).toEqual([[channelOf('listModels'), {}]]);
  });

  it("passes a handler's typed error through as a reply, code and message intact", async () => {
    const error = { code: 'model.unknown', message: 'no model called "nope"' } as const;
    const bridge = createBridge(async () => ({ ok: false, error }), noEvents);
    await expect(bridge.listModels({})).resolves.toEqual({ ok: false, error });
  });

  it('turns a call that throws, or a reply of another shape, into an internal error reply', async () => {
    const electron = "Error invoking remote method 'upres:listModels': Error: no handler";
    const throwing = createBridge(async () => {
      throw new Error(electron);
    }, noEvents);
    await expect(throwing.listModels({})).resolves.toEqual({
      ok: false,
      error: { code: 'internal', message: electron },
    });
    const bare = createBridge(async () => [{ id: 'm' }], noEvents);
    const r = await bare.listModels({});
    expect(r.ok).toBe(false);
    if (!r.ok) {
      expect(r.error.code).toBe('internal');
      expect(r.error.message).toMatch(/^upres:listModels: .*no \{ok, value \| error\} reply/);
    }
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
      return { ok: true, value: ['/photos'] };
    }, noEvents);
    expect(bridge.imageUrl('0123abcd')).toBe('upres-image://0123abcd');
    await expect(bridge.choosePaths('folder')).resolves.toEqual({ ok: true, value: ['/photos'] });
    expect(calls).toEqual([[CHOOSE_PATHS_CHANNEL, 'folder']]);
  });
});
