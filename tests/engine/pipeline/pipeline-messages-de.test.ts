// The pipeline's sentences reach the UI with their catalogue keys: a real render's notes and real
// refusals (a text file given as a photo, a missing file, a folder that cannot be made) are said
// in German as the German catalogue words them, written out here by hand, while the English text
// the CLI prints stays what it was.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { msg, textOf } from '../../../src/shared/engine-message';
import { decodeImage, inspectImage } from '../../../src/main/engine/pipeline/decode';
import { checkOutputSize } from '../../../src/main/engine/pipeline/encode';
import { renderToFile } from '../../../src/main/engine/pipeline/render-to-file';
import { diskError } from '../../../src/main/engine/storage/disk-errors';
import { makeFolder } from '../../../src/main/engine/storage/make-folder';
import { loadWeights, type LoadedModel } from '../../../src/main/engine/runtime/loaded-model';
import { engineText } from '../../../src/renderer/i18n/engine-text';
import { errorMessage } from '../../../src/renderer/i18n/errors';
import { setLanguage } from '../../../src/renderer/i18n/translate';
import { TINY_SRVGG, randomWeights } from '../../helpers/random-models';

let dir: string;
let model: LoadedModel;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'upres-msg-de-'));
  model = await loadWeights('tiny', TINY_SRVGG, randomWeights(TINY_SRVGG), { device: 'cpu' });
});
afterEach(() => setLanguage('en'));
afterAll(async () => {
  setLanguage('en');
  await model?.dispose();
  await rm(dir, { recursive: true, force: true });
});

/** The error a promise rejects with (fails the test when it resolves). */
async function caught(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('pipeline messages in German', () => {
  it("a transparent PNG rendered to JPEG notes the flattening, in the UI's language", async () => {
    const input = join(dir, 'logo.png');
    await sharp({ create: { width: 8, height: 6, channels: 4, background: '#20804080' } })
      .png()
      .toFile(input);
    const r = await renderToFile(model, input, {
      tmp: join(dir, 'logo.jpg'),
      plan: { format: 'jpeg', width: 32, height: 24 },
    });
    expect(r.notes.map(textOf)).toEqual(['transparency flattened onto white: JPEG has none']);
    setLanguage('de');
    expect(r.notes.map(engineText)).toEqual(['Transparenz auf Weiß reduziert: JPEG kennt keine']);
  });

  it('a CMYK JPEG without a profile is noted as converted, in English and in German', async () => {
    const input = join(dir, 'print.jpg');
    await sharp({ create: { width: 8, height: 8, channels: 3, background: '#c04020' } })
      .toColourspace('cmyk')
      .jpeg()
      .toFile(input);
    const img = await decodeImage(input);
    // The file holds no profile of its own (sharp writes none with these settings).
    expect(img.notes.map((n) => n.key)).toEqual(['pipeline.cmykGeneric']);
    expect(img.notes.map(textOf)).toEqual([
      "CMYK converted to RGB through libvips' generic CMYK profile; written as sRGB",
    ]);
    setLanguage('de');
    expect(img.notes.map(engineText)).toEqual([
      'CMYK über das allgemeine CMYK-Profil von libvips in RGB umgewandelt; als sRGB geschrieben',
    ]);
  });

  it('a text file given as a photo is refused with a German headline and detail', async () => {
    const input = join(dir, 'shopping-list.txt');
    await writeFile(input, 'milk, eggs, bread\n');
    const err = await caught(inspectImage(input));
    expect(err).toMatchObject({
      code: 'input.unsupported',
      detail: { key: 'pipeline.inputNotImage' },
    });
    expect((err as Error).message).toBe(
      `${input}: not a readable image (unrecognised format: is it really an image file?)`,
    );
    setLanguage('de');
    expect(errorMessage(err)).toBe(
      `Format nicht unterstützt: ${input}: kein lesbares Bild (unbekanntes Format: ` +
        'Ist es wirklich eine Bilddatei?)',
    );
    // Across the wire (IPC / HTTP) the key travels with it.
    const wire = JSON.parse(JSON.stringify((err as { toPayload(): unknown }).toPayload()));
    expect(errorMessage(wire)).toBe(errorMessage(err));
  });

  it('a missing file and a folder that cannot be made are said in German', async () => {
    const missing = join(dir, 'gone.png');
    const gone = await caught(decodeImage(missing));
    expect((gone as Error).message).toBe(`${missing}: no such file (or a broken link)`);

    const file = join(dir, 'a-file');
    await writeFile(file, 'x');
    const target = join(file, 'out');
    const blocked = await caught(makeFolder(target));
    expect((blocked as Error).message).toBe(
      `cannot write to ${target}: ${file} is a file, not a folder`,
    );

    const full = diskError(Object.assign(new Error('ENOSPC'), { code: 'ENOSPC' }), '/photos/out');
    expect(full.message).toBe('cannot write to /photos/out: the disk is full');

    setLanguage('de');
    expect(errorMessage(gone)).toBe(
      `Datei nicht gefunden: ${missing}: Datei nicht vorhanden (oder eine defekte Verknüpfung)`,
    );
    expect(errorMessage(blocked)).toBe(
      `Datenträgerfehler: ${target} kann nicht beschrieben werden: ${file} ist eine Datei, kein Ordner`,
    );
    expect(errorMessage(full)).toBe(
      'Datenträger voll: /photos/out kann nicht beschrieben werden: Der Datenträger ist voll',
    );
  });

  it('the HEIF note keeps its English wording and inflects the German by the count', () => {
    const one = msg('pipeline.heifImages', { count: 2, others: 1 });
    const two = msg('pipeline.heifImages', { count: 3, others: 2 });
    expect(textOf(one)).toBe(
      'HEIF file holds 2 images: the primary one was upscaled, the other 1 left out',
    );
    setLanguage('de');
    expect(engineText(one)).toBe(
      'Die HEIF-Datei enthält 2 Bilder: Das Hauptbild wurde vergrößert, das andere wurde weggelassen',
    );
    expect(engineText(two)).toBe(
      'Die HEIF-Datei enthält 3 Bilder: Das Hauptbild wurde vergrößert, die anderen 2 wurden weggelassen',
    );
  });

  it('an output too large for its format names the file, in both languages', () => {
    let err: unknown;
    try {
      checkOutputSize('webp', 20000, 100, '/p/wide.png');
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({
      code: 'output.too-large',
      message:
        '/p/wide.png: WebP cannot hold 20000×100 (max 16383 px per side); choose TIFF or PNG, or a smaller size',
    });
    setLanguage('de');
    expect(errorMessage(err)).toBe(
      'Ausgabe zu groß: /p/wide.png: WebP kann 20000×100 nicht aufnehmen (höchstens 16383 px je ' +
        'Seite); wählen Sie TIFF oder PNG oder eine kleinere Größe',
    );
  });
});
