// A refused model file and an import's notes as the user reads them: the refusal keeps its
// catalogue key across the wire (as HTTP and IPC carry it), the Models screen says it in German
// from the German file (written out here by hand), and the English the CLI prints is unchanged.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { msg } from '../../../src/shared/engine-message';
import { ErrorPayload, UpresError } from '../../../src/shared/errors';
import { DETECTORS } from '../../../src/main/engine/models/architectures';
import { importModel } from '../../../src/main/engine/models/import-model';
import { ModelRegistry, shippedModelsDir } from '../../../src/main/engine/models/model-registry';
import { encodeSafetensors } from '../../../src/main/engine/models/safetensors';
import { engineText } from '../../../src/renderer/i18n/engine-text';
import { errorMessage } from '../../../src/renderer/i18n/errors';
import { setLanguage } from '../../../src/renderer/i18n/translate';

const ARCH = join(import.meta.dirname, '..', '..', 'fixtures', 'arch');

let dir: string;
let registry: ModelRegistry;

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'upres-refusal-'));
  registry = await ModelRegistry.open({ shipped: shippedModelsDir(), user: join(dir, 'user') });
});
afterEach(() => {
  setLanguage('en');
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => setLanguage('en'));

/** The import's failure, after the JSON round trip HTTP gives it. */
async function refusalOf(file: string): Promise<UpresError> {
  const err: unknown = await importModel(registry, file).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UpresError);
  const wire = JSON.parse(JSON.stringify((err as UpresError).toPayload())) as unknown;
  return UpresError.fromPayload(ErrorPayload.parse(wire));
}

describe('model refusals in the UI language', () => {
  it('a pickle that names os-level code: English for the CLI, German in the Models screen', async () => {
    // Protocol 2, then GLOBAL builtins.eval, an empty tuple, REDUCE: eval() if it were unpickled.
    const file = join(dir, 'evil.pth');
    writeFileSync(file, Buffer.from('\x80\x02cbuiltins\neval\n)R.', 'latin1'));
    const err = await refusalOf(file);
    expect(err.code).toBe('model.refused');
    expect(err.message).toBe(
      'evil.pth: refuses to load: the file references global "builtins.eval", which a model checkpoint never needs',
    );
    expect(err.detail?.key).toBe('modelFiles.pickleGlobal');
    expect(errorMessage(err)).toBe(err.message);
    setLanguage('de');
    expect(errorMessage(err)).toBe(
      'Modell abgelehnt: evil.pth: Laden verweigert: die Datei verweist auf das Global „builtins.eval“, das ein Modell-Checkpoint nie braucht',
    );
    expect(engineText(err.detail)).toBe(
      'evil.pth: Laden verweigert: die Datei verweist auf das Global „builtins.eval“, das ein Modell-Checkpoint nie braucht',
    );
  });

  it('weights of a layout no detector knows, named with their tensors', async () => {
    const file = join(dir, 'mystery.safetensors');
    const values = new Float32Array(4 * 3 * 3 * 3).fill(0.5);
    const tensors = [{ name: 'encoder.conv.weight', shape: [4, 3, 3, 3], values }];
    writeFileSync(file, encodeSafetensors(tensors, 'F32'));
    const err = await refusalOf(file);
    // The supported list is the architecture registry's, in its order.
    const supported = DETECTORS.map((d) => d.name).join(', ');
    expect(supported).toMatch(/^RRDBNet/);
    expect(err.message).toBe(
      `mystery.safetensors: unknown architecture (1 tensor: encoder.conv.weight); supported: ${supported}`,
    );
    setLanguage('de');
    expect(errorMessage(err)).toBe(
      `Modell abgelehnt: mystery.safetensors: unbekannte Architektur (1 Tensor: encoder.conv.weight); unterstützt: ${supported}`,
    );
  });

  it('a safetensors tensor of a dtype Upres does not read', async () => {
    const file = join(dir, 'ints.safetensors');
    const header = JSON.stringify({ w: { dtype: 'I32', shape: [1], data_offsets: [0, 4] } });
    const bytes = Buffer.alloc(8 + header.length + 4);
    bytes.writeBigUInt64LE(BigInt(header.length), 0);
    bytes.write(header, 8, 'utf8');
    writeFileSync(file, bytes);
    const err = await refusalOf(file);
    expect(err.message).toBe('ints.safetensors: tensor w has unsupported dtype I32');
    setLanguage('de');
    expect(errorMessage(err)).toBe(
      'Modell abgelehnt: ints.safetensors: Tensor w hat den nicht unterstützten Datentyp I32',
    );
  });

  it('a file imported twice is refused by the name it was imported under', async () => {
    await importModel(registry, join(ARCH, 'edsr-x2.pth'), { id: 'first' });
    await registry.refresh();
    const err = await importModel(registry, join(ARCH, 'edsr-x2.pth'), { id: 'second' }).then(
      () => undefined,
      (e: unknown) => e as UpresError,
    );
    expect(err?.message).toBe('edsr-x2.pth: already imported as first (edsr-x2.pth)');
    setLanguage('de');
    expect(errorMessage(err)).toBe(
      'Modell abgelehnt: edsr-x2.pth: schon importiert als first (edsr-x2.pth)',
    );
  });
});

describe('import notes in the UI language', () => {
  it('says what an EDSR import assumed, in English and in German', async () => {
    const r = await importModel(registry, join(ARCH, 'edsr-x2.pth'));
    const spec = r.manifest.architecture;
    if (spec.kind !== 'edsr') throw new Error(`edsr-x2.pth read as ${spec.kind}`);
    const note = r.notes.find((n) => n.key === 'modelFiles.noteResScaleAssumed');
    expect(note?.text).toBe(
      `residual scaling 1 assumed from the width (${spec.features} features; EDSR-large uses 0.1, the baseline 1)`,
    );
    setLanguage('de');
    expect(engineText(note)).toBe(
      `Residual-Skalierung 1 aus der Breite angenommen (${spec.features} Features; EDSR-large nutzt 0.1, die Basisversion 1)`,
    );
  });

  it('counts in the note agree with their number in both languages', () => {
    expect(msg('modelFiles.noteOnnxConstants', { count: 1 }).text).toBe(
      '1 Constant node stored as initializers',
    );
    expect(msg('modelFiles.noteOnnxConstants', { count: 3 }).text).toBe(
      '3 Constant nodes stored as initializers',
    );
    setLanguage('de');
    expect(engineText(msg('modelFiles.noteOnnxInputCast'))).toBe(
      'float16-Eingabe wird aus float32 umgewandelt',
    );
    expect(engineText(msg('modelFiles.unknownPair', { id: 'p', count: 0, known: '' }))).toBe(
      'unbekanntes Paar „p“; bekannte Paare: keine',
    );
  });
});
