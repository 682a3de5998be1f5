// Sandboxed preload: exposes the typed API and nothing else (no generic send or invoke).
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld(
  'upres',
  createBridge((channel, request) => ipcRenderer.invoke(channel, request)),
);
