// Sandboxed preload: exposes the typed API and nothing else (no generic send or invoke).
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import { EVENT_CHANNEL, PATHS_OPENED_CHANNEL, type EngineEvent } from '../shared/api';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld(
  'upres',
  createBridge(
    (channel, request) => ipcRenderer.invoke(channel, request),
    (listener) => {
      const forward = (_event: IpcRendererEvent, e: EngineEvent): void => listener(e);
      ipcRenderer.on(EVENT_CHANNEL, forward);
      return () => void ipcRenderer.removeListener(EVENT_CHANNEL, forward);
    },
    // Electron 32+ no longer puts a path on dropped File objects; this is the supported way.
    (file) => webUtils.getPathForFile(file),
    (notice) => {
      const forward = (): void => notice();
      ipcRenderer.on(PATHS_OPENED_CHANNEL, forward);
      return () => void ipcRenderer.removeListener(PATHS_OPENED_CHANNEL, forward);
    },
  ),
);
