// Model files sent by a browser page to `upres serve` (it cannot send paths): imported with the
// same checks as `upres models import`, refusals typed and naming the file as the user named it
// (never the staging folder), nothing staged left behind, and the upload guarded as the API is.
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_UPLOAD_PATH } from '../../src/shared/api';
import { ErrorPayload, UpresError } from '../../src/shared/errors';
import { engineOf, type Engine } from '../../src/main/engine';
import { encodeModel } from '../../src/main/engine/models/write-model';
import { startLoopbackServer, type LoopbackServer } from '../../src/main/server/loopback-server';
import { uploadedFiles } from '../../src/main/server/model-upload';
import { engineWorld, type EngineWorld } from '../helpers/app-engine';
import { writeNcnnSrvgg } from '../helpers/ncnn-writer';
import { randomWeights, TINY_SRVGG } from '../helpers/random-models';
import { errorMessage } from '../../src/renderer/i18n/errors';
import { setLanguage } from '../../src/renderer/i18n/translate';

const PTH = join(import.meta.dirname, '..', 'fixtures', 'pth');

let world: EngineWorld;
let engine: Engine;
let server: LoopbackServer;

beforeAll(async () => {
  world = await engineWorld('upres-upload-');
  engine = engineOf(await world.open());
  server = await startLoopbackServer({ engine, rendererDir: world.dir, port: 0 });
});
afterAll(async () => {
  await server?.close();
  await engine?.close();
  await world?.cleanup();
});

const staged = (): string[] => readdirSync(tmpdir()).filter((n) => n.startsWith('upres-upload-'));

/** POSTs files as the page does; answers the status and the JSON body. */
async function send(
  files: { name: string; bytes: Uint8Array }[],
  headers: Record<string, string> = { 'X-Upres-Token': server.token },
  query = `?${files.map((f) => `name=${encodeURIComponent(f.name)}&size=${f.bytes.length}`).join('&')}`,
): Promise<{
  status: number;
  body: { error?: { code: string; message: string } } & Record<string, unknown>;
}> {
  const res = await fetch(`http://127.0.0.1:${server.port}${MODEL_UPLOAD_PATH}${query}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body: Buffer.concat(files.map((f) => f.bytes)),
  });
  return { status: res.status, body: (await res.json()) as never };
}

const tiny = (seed: number): Uint8Array =>
  encodeModel({
    id: 'x',
    name: 'x',
    role: 'general',
    spec: TINY_SRVGG,
    weights: randomWeights(TINY_SRVGG, seed),
    provenance: { source: 't', sourceFiles: [], licence: 'MIT', credit: 't' },
    dtype: 'float32',
  }).bytes;

describe('model upload', () => {
  it('imports a sent file under the name it was sent with, and leaves nothing staged', async () => {
    const before = staged();
    const r = await send([{ name: 'Sent Model.safetensors', bytes: tiny(21) }]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.model).toMatchObject({
      id: 'sent-model',
      importedFrom: 'Sent Model.safetensors',
      origin: 'user',
    });
    const listed = (await engine.handlers.listModels({})).map((m) => m.id);
    expect(listed).toContain('sent-model');
    expect(staged()).toEqual(before);
  });

  it('refuses a hostile pickle with its message, naming the file and not the staging folder', async () => {
    const before = staged();
    const bytes = await readFile(join(PTH, 'evil-os-system.pth'));
    const r = await send([{ name: 'evil-os-system.pth', bytes }]);
    expect(r.status).toBe(422);
    expect(r.body.error?.code).toBe('model.refused');
    expect(r.body.error?.message).toMatch(
      /^evil-os-system\.pth: refuses to load: .*"(os|posix)\.system"/,
    );
    expect(r.body.error?.message).not.toContain(tmpdir());
    // The sentence keeps its catalogue key over HTTP, so the page can say it in its language.
    const error = UpresError.fromPayload(ErrorPayload.parse(r.body.error));
    expect(error.detail?.key).toBe('modelFiles.pickleGlobal');
    expect(error.detail?.params?.file).toBe('evil-os-system.pth');
    const global = String(error.detail?.params?.global);
    expect(global).toMatch(/^(os|posix)\.system$/);
    setLanguage('de');
    try {
      expect(errorMessage(error)).toBe(
        `Modell abgelehnt: evil-os-system.pth: Laden verweigert: die Datei verweist auf das Global „${global}“, das ein Modell-Checkpoint nie braucht`,
      );
    } finally {
      setLanguage('en');
    }
    expect(staged()).toEqual(before);
  });

  it('imports an ncnn model sent as its .param and .bin', async () => {
    const { param, bin } = writeNcnnSrvgg(TINY_SRVGG, randomWeights(TINY_SRVGG, 23), 'fp32');
    const r = await send([
      { name: 'anime.param', bytes: Buffer.from(param) },
      { name: 'anime.bin', bytes: bin },
    ]);
    expect(r.status, JSON.stringify(r.body)).toBe(200);
    expect(r.body.model).toMatchObject({ id: 'anime', importedFrom: 'anime.param + anime.bin' });
  });

  it('refuses a body shorter than its sizes, and names that are paths', async () => {
    const short = await send(
      [{ name: 'a.pth', bytes: new Uint8Array(4) }],
      undefined,
      '?name=a.pth&size=9',
    );
    expect(short.status).toBe(400);
    expect(short.body.error?.message).toContain('the body ended inside a.pth');
    expect(() => uploadedFiles(new URL('http://h/?name=../x.pth&size=1'))).toThrow(
      'is not a plain file name',
    );
    expect(() => uploadedFiles(new URL('http://h/?name=photo.jpg&size=1'))).toThrow(
      'photo.jpg: not a model file Upres reads',
    );
    expect(() => uploadedFiles(new URL('http://h/?name=a.pth'))).toThrow('each with its size');
  });

  it('is refused without the session or token, like an API call', async () => {
    const r = await send([{ name: 'b.safetensors', bytes: tiny(22) }], {});
    expect(r.status).toBe(401);
    expect((await engine.handlers.listModels({})).map((m) => m.id)).not.toContain('b');
  });
});
