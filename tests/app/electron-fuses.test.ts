// The packaged app's Electron fuses (issue 17): read through electron-builder's own config loader and
// schema validation, so a misspelt key or a value electron-builder would ignore fails here.
import { describe, expect, it } from 'vitest';
import { getConfig, validateConfiguration } from 'app-builder-lib/out/util/config/config';
import { DebugLogger } from 'builder-util';

const repo = new URL('../..', import.meta.url).pathname;

describe('electron-builder fuses', () => {
  it('turns off run-as-node, NODE_OPTIONS and --inspect, encrypts cookies, loads only the checked asar', async () => {
    const config = await getConfig(repo, null, null);
    await validateConfiguration(config, new DebugLogger(false));
    expect(config.electronFuses).toEqual({
      runAsNode: false,
      enableCookieEncryption: true,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
    });
  });

  it('the schema check would catch a misspelt fuse', async () => {
    const config = await getConfig(repo, null, null);
    const bad = { ...config, electronFuses: { ...config.electronFuses, runAsNod: false } };
    await expect(validateConfiguration(bad as never, new DebugLogger(false))).rejects.toThrow();
  });
});
