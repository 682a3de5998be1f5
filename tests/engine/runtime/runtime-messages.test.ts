// The runtime's sentences (why a provider is left out, where a model runs, a device's fault, what
// a retry did) are catalogue messages: the English is the wording the CLI has always printed
// (written out here), and the UI says the same in German (written out by hand from de/runtime.json).
import { afterEach, describe, expect, it } from 'vitest';
import type { DeviceChoice } from '../../../src/shared/device';
import { textOf } from '../../../src/shared/engine-message';
import { UpresError } from '../../../src/shared/errors';
import { engineText } from '../../../src/renderer/i18n/engine-text';
import { errorMessage } from '../../../src/renderer/i18n/errors';
import { setLanguage } from '../../../src/renderer/i18n/translate';
import { nextAttempt } from '../../../src/main/engine/queue/attempt-policy';
import { choiceLine, choiceMessages } from '../../../src/main/engine/runtime/open-session';
import { planProviders, type PlatformInfo } from '../../../src/main/engine/runtime/provider-select';
import { providerStatuses } from '../../../src/main/engine/runtime/provider-status';
import { DeviceChoiceStore } from '../../../src/main/engine/runtime/device-choice-store';
import { faultMessage, runtimeError } from '../../../src/main/engine/runtime/runtime-errors';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const linux = (extra: Partial<PlatformInfo> = {}): PlatformInfo => ({
  platform: 'linux',
  arch: 'x64',
  backends: [
    { name: 'cpu', bundled: true },
    { name: 'cuda', bundled: false },
    { name: 'webgpu', bundled: true },
  ],
  isInstalled: () => false,
  ...extra,
});

const ADAPTER =
  'webgpu_context.cc:136 Init ORT_ENFORCE(adapter) was false. Failed to get a WebGPU adapter: No supported adapters';

afterEach(() => setLanguage('en'));

describe('the provider plan in both languages', () => {
  it('keeps the English the CLI printed, and says it in German', () => {
    const forced = planProviders('coreml', linux()).notes;
    const app = planProviders('auto', linux({ hasNvidia: true, audience: 'app' })).notes;
    const noGpu = planProviders('cuda', linux()).notes;
    expect([...forced, ...app, ...noGpu].map(textOf)).toEqual([
      'coreml is not available in this build of onnxruntime for linux-x64',
      'An NVIDIA GPU is present, but this copy of Upres has no CUDA support installed',
      'cuda needs an NVIDIA GPU, and none was found',
    ]);
    setLanguage('de');
    expect([...forced, ...app, ...noGpu].map(engineText)).toEqual([
      'CoreML gibt es in diesem onnxruntime-Build für linux-x64 nicht',
      'Eine NVIDIA-GPU ist vorhanden, aber in dieser Upres-Installation ist keine CUDA-Unterstützung installiert',
      'CUDA braucht eine NVIDIA-GPU, und es wurde keine gefunden',
    ]);
  });

  it('a provider that failed to start, for the app and for the CLI', () => {
    const err = runtimeError(ADAPTER, 'webgpu');
    const app = faultMessage(err, 'webgpu', 'app');
    const cli = faultMessage(err, 'webgpu', 'cli', 64);
    expect(textOf(app)).toBe('webgpu failed to start: WebGPU found no usable graphics adapter');
    expect(textOf(cli)).toBe(
      'webgpu failed a 64 px tile: WebGPU found no usable graphics adapter: Failed to get a WebGPU adapter: No supported adapters',
    );
    setLanguage('de');
    expect(engineText(app)).toBe(
      'WebGPU ließ sich nicht starten: WebGPU hat keine nutzbare Grafikkarte gefunden',
    );
    expect(engineText(cli)).toBe(
      'WebGPU scheiterte an einer Kachel von 64 px: WebGPU hat keine nutzbare Grafikkarte gefunden: „Failed to get a WebGPU adapter: No supported adapters“',
    );
  });
});

describe('where a model runs', () => {
  const choice: DeviceChoice = {
    requested: 'auto',
    device: 'cpu',
    fp16: false,
    decided: { how: 'order' },
    fallbackReason: 'webgpu failed to start: WebGPU found no usable graphics adapter',
    fallbackReasons: [faultMessage(runtimeError(ADAPTER, 'webgpu'), 'webgpu', 'app')],
  };

  it('prints the CLI’s line as before', () => {
    expect(choiceLine(choice)).toBe(
      'running on cpu (fp32); auto: the platform order; using CPU: webgpu failed to start: WebGPU found no usable graphics adapter',
    );
    expect(choiceLine({ requested: 'webgpu', device: 'webgpu', fp16: true })).toBe(
      'running on webgpu (fp16)',
    );
    expect(choiceLine({ requested: 'cuda', device: 'cpu', fp16: false })).toBe(
      'running on cpu (fp32); cuda was asked for',
    );
  });

  it('the UI gets the reasons, then where it runs, each in German', () => {
    const messages = choiceMessages(choice);
    setLanguage('de');
    expect(messages.map(engineText)).toEqual([
      'WebGPU ließ sich nicht starten: WebGPU hat keine nutzbare Grafikkarte gefunden',
      'Läuft auf CPU (fp32); automatisch gewählt nach der Reihenfolge der Plattform',
    ]);
    const asked = choiceMessages({ requested: 'cuda', device: 'cpu', fp16: false });
    expect(asked.map(engineText)).toEqual(['Läuft auf CPU (fp32); gewünscht war CUDA']);
  });
});

describe('device errors and retries', () => {
  it('an out-of-memory error keeps onnxruntime’s message, and reads in German under its headline', () => {
    const err = runtimeError('std::bad_alloc', 'cuda');
    expect([err.code, err.message]).toEqual(['device.out-of-memory', 'std::bad_alloc']);
    setLanguage('de');
    const german = 'CUDA hatte nicht genug Speicher: „std::bad_alloc“';
    expect(errorMessage(err)).toBe(`Zu wenig Speicher auf dem Gerät: ${german}`);
    // Across the wire too (HTTP / IPC carry the detail).
    const back = UpresError.fromPayload(JSON.parse(JSON.stringify(err.toPayload())));
    expect(errorMessage(back)).toBe(`Zu wenig Speicher auf dem Gerät: ${german}`);
    setLanguage('en');
    expect(errorMessage(err)).toBe('std::bad_alloc');
  });

  it('a lost device and a GPU without fp16 are told apart in German', () => {
    setLanguage('de');
    expect(errorMessage(runtimeError('Device lost: VK_ERROR_DEVICE_LOST', 'webgpu'))).toBe(
      'Zu wenig Speicher auf dem Gerät: die Grafikkarte reagiert nicht mehr (WebGPU): „Device lost: VK_ERROR_DEVICE_LOST“',
    );
    const f16 = 'Program Transpose requires f16 but the device does not support it.';
    expect(errorMessage(runtimeError(f16, 'webgpu'))).toBe(
      `Gerät nicht verfügbar: die Grafikkarte kann nicht mit halber Genauigkeit (fp16) rechnen: „${f16}“`,
    );
  });

  it('says what a retry did, in English as before and in German', () => {
    const oom = new UpresError('device.out-of-memory', 'bad_alloc');
    const smaller = nextAttempt(oom, { lastTile: 256, requested: 'auto' })!.note;
    // WebGPU is last before the CPU on every platform.
    const provider = new UpresError('device.provider', 'Dawn: shader compilation failed');
    const cpu = nextAttempt(provider, {
      lastTile: 256,
      requested: 'webgpu',
      device: 'webgpu',
    })!.note;
    expect([smaller, cpu].map(textOf)).toEqual([
      'out of memory with 256 px tiles; retried with 128 px',
      'provider error (Dawn: shader compilation failed); retried on the CPU',
    ]);
    setLanguage('de');
    expect([smaller, cpu].map(engineText)).toEqual([
      'Nicht genug Speicher bei Kacheln von 256 px; erneut versucht mit 128 px',
      'Fehler des Anbieters („Dawn: shader compilation failed“); erneut versucht auf der CPU',
    ]);
  });
});

describe('Settings’ provider list', () => {
  it('gives each unavailable provider its reason as a message; old plain-string reasons still load', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'upres-provider-status-'));
    try {
      const file = join(dir, 'device-choices.json');
      // A file written before keys: its reason is a plain string.
      writeFileSync(
        file,
        JSON.stringify({
          version: 1,
          choices: [
            {
              family: 'f',
              signature: 's',
              device: 'cpu',
              fp16: false,
              speeds: [{ device: 'cpu', fp16: false, secondsPerMegapixel: 9 }],
              failed: [{ device: 'webgpu', reason: 'webgpu failed to start' }],
              measuredAt: '2026-01-01T00:00:00.000Z',
            },
          ],
        }),
      );
      const statuses = await providerStatuses(new DeviceChoiceStore(file), 'app', linux());
      expect(statuses.map((s) => [s.name, s.state, s.note && textOf(s.note)])).toEqual([
        ['cuda', 'unavailable', 'cuda needs an NVIDIA GPU, and none was found'],
        ['webgpu', 'unavailable', 'webgpu failed to start'],
        ['cpu', 'in-use', undefined],
      ]);
      setLanguage('de');
      expect(statuses.map((s) => engineText(s.note))).toEqual([
        'CUDA braucht eine NVIDIA-GPU, und es wurde keine gefunden',
        // Written before keys: shown as it was written.
        'webgpu failed to start',
        '',
      ]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
