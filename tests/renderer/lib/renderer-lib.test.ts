import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createBridge } from '../../../src/preload/bridge';
import { channelOf, type UpresApi } from '../../../src/shared/api';
import { UpresError } from '../../../src/shared/errors';

// tsconfig.node.json (which type-checks tests) does not list src/renderer, so a static import of
// renderer code fails `tsc`; these DOM-free modules are loaded by path and their used surface is
// restated here. The renderer's own type-check (svelte-check) covers the real signatures.
interface Transport {
  name: string;
  connect(): Promise<UpresApi | undefined>;
}
type Connection =
  | { kind: 'connected'; transport: string; api: UpresApi }
  | { kind: 'disconnected'; reason: string };

const rendererLib = (name: string): string =>
  fileURLToPath(new URL(`../../../src/renderer/lib/${name}.ts`, import.meta.url));

const {
  architectureLabel,
  familyLabel,
  formatParameters,
  formatScale,
  formatSpeed,
  providerLabel,
} = (await import(/* @vite-ignore */ rendererLib('format'))) as {
  architectureLabel(kind: string): string;
  familyLabel(family: string): string;
  formatSpeed(secondsPerMegapixel: number): string;
  providerLabel(name: string): string;
  formatParameters(count: number): string;
  formatScale(scale: number): string;
};
const { connectEngine, electronTransport } = (await import(
  /* @vite-ignore */ rendererLib('transport')
)) as {
  connectEngine(transports: readonly Transport[]): Promise<Connection>;
  electronTransport: Transport;
};

describe('format', () => {
  it('shows parameter counts in millions', () => {
    expect(formatParameters(16_697_987)).toBe('16.7 M');
    expect(formatParameters(1_213_296)).toBe('1.21 M');
    expect(formatParameters(43_000)).toBe('0.0430 M');
    expect(formatParameters(1_234_567_890)).toBe('1235 M');
  });

  it('names architectures, providers and scales', () => {
    expect(architectureLabel('rrdbnet')).toBe('RRDBNet');
    expect(architectureLabel('srvgg')).toBe('SRVGGNetCompact');
    expect(architectureLabel('newnet')).toBe('newnet');
    expect(providerLabel('dml')).toBe('DirectML');
    expect(providerLabel('webgpu')).toBe('WebGPU');
    expect(providerLabel('cpu')).toBe('CPU');
    expect(formatScale(4)).toBe('×4');
  });

  it('says measured speeds and the family they were measured on', () => {
    expect(formatSpeed(14.2)).toBe('14 s per megapixel');
    expect(formatSpeed(2.345)).toBe('2.3 s per megapixel');
    expect(formatSpeed(0.0834)).toBe('0.083 s per megapixel');
    expect(formatSpeed(Number.NaN)).toBe('');
    expect(familyLabel(JSON.stringify({ kind: 'rrdbnet', features: 64 }))).toBe('RRDBNet');
    expect(familyLabel('onnx:my-model')).toBe('ONNX');
    expect(familyLabel('something else')).toBe('something else');
  });
});

describe('connectEngine', () => {
  const fakeApi = {} as UpresApi;
  const scope = globalThis as { upres?: unknown };
  const noEvents = (): (() => void) => () => undefined;
  afterEach(() => {
    delete scope.upres;
  });

  it("uses the preload's bridge, unwrapping replies into values and typed errors", async () => {
    scope.upres = createBridge(async (channel) => {
      if (channel === channelOf('listModels')) return { ok: true, value: [] };
      return { ok: false, error: { code: 'not-found', message: 'queueUpdate: no item "x"' } };
    }, noEvents);
    const c = await connectEngine([electronTransport]);
    expect(c.kind === 'connected' && c.transport).toBe('Electron IPC');
    if (c.kind !== 'connected') return;
    await expect(c.api.listModels({})).resolves.toEqual([]);
    const failure = await c.api.queueUpdate({ ids: ['x'], settings: {} }).catch((e: unknown) => e);
    expect(failure).toBeInstanceOf(UpresError);
    expect(failure).toMatchObject({ code: 'not-found', message: 'queueUpdate: no item "x"' });
  });

  it('reports no connection, rather than failing, outside the app', async () => {
    const c = await connectEngine([electronTransport]);
    expect(c.kind).toBe('disconnected');
    if (c.kind === 'disconnected') expect(c.reason).toMatch(/Electron IPC/);
  });

  it('falls through to the next transport, keeping what went wrong', async () => {
    const broken: Transport = {
      name: 'Loopback',
      connect: async () => {
        throw new Error('ECONNREFUSED');
      },
    };
    const working: Transport = { name: 'Other', connect: async () => fakeApi };
    expect(await connectEngine([broken, working])).toMatchObject({
      kind: 'connected',
      transport: 'Other',
    });
    const c = await connectEngine([broken]);
    expect(c.kind === 'disconnected' && c.reason).toMatch(/Loopback: ECONNREFUSED/);
  });
});
