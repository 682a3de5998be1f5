import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  isAllowedResource,
  isRendererUrl,
  rendererLocation,
  trustedSenderCheck,
} from '../../src/main/app/renderer-origin';

const built = join('/opt', 'Upres', 'out', 'renderer', 'index.html');
const fileLocation = { kind: 'file', path: built } as const;
const devLocation = { kind: 'dev-server', url: 'http://localhost:5173/' } as const;

describe('rendererLocation', () => {
  it('uses the built page when packaged, whatever the environment says', () => {
    const loc = rendererLocation({
      isPackaged: true,
      devServerUrl: 'http://localhost:5173',
      builtIndexHtml: built,
    });
    expect(loc).toEqual(fileLocation);
  });

  it('uses the dev server when unpackaged and one is announced', () => {
    const loc = rendererLocation({
      isPackaged: false,
      devServerUrl: 'http://localhost:5173',
      builtIndexHtml: built,
    });
    expect(loc).toEqual(devLocation);
  });

  it('uses the built page for `electron-vite preview` (no dev server)', () => {
    const loc = rendererLocation({
      isPackaged: false,
      devServerUrl: undefined,
      builtIndexHtml: built,
    });
    expect(loc).toEqual(fileLocation);
  });

  it('refuses a dev server that is not on loopback', () => {
    expect(() =>
      rendererLocation({
        isPackaged: false,
        devServerUrl: 'http://evil.example:5173',
        builtIndexHtml: built,
      }),
    ).toThrow(/loopback/);
  });
});

describe('isRendererUrl', () => {
  it('matches the built page only', () => {
    const page = pathToFileURL(built).href;
    expect(isRendererUrl(fileLocation, page)).toBe(true);
    expect(isRendererUrl(fileLocation, `${page}#/compare`)).toBe(true);
    expect(
      isRendererUrl(fileLocation, pathToFileURL('/opt/Upres/out/renderer/other.html').href),
    ).toBe(false);
    expect(isRendererUrl(fileLocation, 'not a url')).toBe(false);
  });

  it('compares paths, not spellings of them', () => {
    const odd = {
      kind: 'file',
      path: '/Users/Jörg/My Apps/Upres/out/renderer/index.html',
    } as const;
    const chromiumUrl = 'file:///Users/J%C3%B6rg/My%20Apps/Upres/out/renderer/index.html';
    expect(isRendererUrl(odd, chromiumUrl)).toBe(true);
    expect(isAllowedResource(odd, chromiumUrl.replace('index.html', 'assets/a.js'))).toBe(true);
  });

  it('matches the dev server by origin', () => {
    expect(isRendererUrl(devLocation, 'http://localhost:5173/index.html')).toBe(true);
    expect(isRendererUrl(devLocation, 'http://localhost:5174/')).toBe(false);
    expect(isRendererUrl(devLocation, 'https://localhost:5173/')).toBe(false);
  });

  it('gives a sender check usable on IPC events', () => {
    const check = trustedSenderCheck(devLocation);
    expect(check({ senderFrame: { url: 'http://localhost:5173/' } })).toBe(true);
    expect(check({ senderFrame: { url: 'https://evil.example' } })).toBe(false);
    expect(check({ senderFrame: null })).toBe(false);
  });
});

describe('isAllowedResource', () => {
  it('allows the renderer folder and in-memory URLs, nothing remote', () => {
    expect(isAllowedResource(fileLocation, pathToFileURL(built).href)).toBe(true);
    expect(
      isAllowedResource(
        fileLocation,
        pathToFileURL('/opt/Upres/out/renderer/assets/index.js').href,
      ),
    ).toBe(true);
    expect(isAllowedResource(fileLocation, 'data:image/png;base64,AAAA')).toBe(true);
    expect(isAllowedResource(fileLocation, 'blob:file:///1234')).toBe(true);
    expect(isAllowedResource(fileLocation, 'https://cdn.example/x.js')).toBe(false);
    expect(isAllowedResource(fileLocation, 'file:///etc/passwd')).toBe(false);
    expect(isAllowedResource(fileLocation, 'file:///opt/Upres/out/renderer/../../secret')).toBe(
      false,
    );
    expect(isAllowedResource(fileLocation, 'file:///opt/Upres/out/renderer-evil/x.js')).toBe(false);
    expect(isAllowedResource(fileLocation, 'file://server/share/x.js')).toBe(false);
  });

  it('allows the dev server (HTTP and its HMR socket) in dev', () => {
    expect(isAllowedResource(devLocation, 'http://localhost:5173/@vite/client')).toBe(true);
    expect(isAllowedResource(devLocation, 'ws://localhost:5173/')).toBe(true);
    expect(isAllowedResource(devLocation, 'http://localhost:8080/')).toBe(false);
    expect(isAllowedResource(devLocation, pathToFileURL(built).href)).toBe(false);
  });
});
