import { textOf } from '../../src/shared/engine-message';
// The GPU side of tests/integration/webgpu.test.ts. These run in a child process whose environment
// points Vulkan at SwiftShader (see webgpu-env.ts); each case writes the tensors it produced to
// `out` and returns what it observed, and the test compares them against the CPU's.
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import type { ArchitectureSpec, EdsrSpec, SrResNetSpec } from '../../src/shared/architecture';
import type { DeviceChoice } from '../../src/shared/device';
import { isError } from '../../src/shared/errors';
import { readModelFile } from '../../src/main/engine/models/read-model-file';
import { ModelRenderer } from '../../src/main/engine/queue/model-renderer';
import { UpscaleQueue } from '../../src/main/engine/queue/upscale-queue';
import { planTiles } from '../../src/main/engine/pipeline/tile-plan';
import { tiledUpscale } from '../../src/main/engine/pipeline/tiled-upscale';
import { DeviceChoiceStore } from '../../src/main/engine/runtime/device-choice-store';
import {
  loadPairWeights,
  loadWeights,
  type LoadedModel,
} from '../../src/main/engine/runtime/loaded-model';
import { ModelCache } from '../../src/main/engine/runtime/model-cache';
import type { OpenSessionOptions } from '../../src/main/engine/runtime/open-session';
import { currentPlatform } from '../../src/main/engine/runtime/open-session';
import { randomImage, randomWeights, TINY_RRDB, TINY_SRVGG } from './random-models';

export const TINY_SRRESNET: SrResNetSpec = {
  kind: 'srresnet',
  variant: 'msrresnet',
  inChannels: 3,
  outChannels: 3,
  features: 8,
  blocks: 1,
  scale: 4,
};
export const TINY_EDSR: EdsrSpec = {
  kind: 'edsr',
  inChannels: 3,
  outChannels: 3,
  features: 8,
  blocks: 1,
  scale: 2,
  resScale: 1,
  rgbRange: 255,
};

const FAMILIES: [string, ArchitectureSpec][] = [
  ['rrdbnet', TINY_RRDB],
  ['srvgg', TINY_SRVGG],
  ['srresnet', TINY_SRRESNET],
  ['edsr', TINY_EDSR],
];

type Choice = Pick<DeviceChoice, 'device' | 'fp16' | 'fallbackReason' | 'precisionNote'> & {
  decidedBy?: string;
};
const choiceOf = (m: LoadedModel): Choice => ({
  device: m.choice.device,
  fp16: m.choice.fp16,
  fallbackReason: m.choice.fallbackReason,
  precisionNote: m.choice.precisionNote,
  decidedBy: m.choice.decidedBy,
});

const save = (out: string, name: string, data: Float32Array) =>
  writeFile(join(out, `${name}.f32`), Buffer.from(data.buffer, data.byteOffset, data.byteLength));

const SIDE = 16; // the probe tile's side: its shaders are compiled already
const input = () => ({ data: randomImage(3, SIDE, SIDE), dims: [1, 3, SIDE, SIDE] });

/** Runs one tile through a model on `device`, saving the output as `<name>.f32`. */
async function runOn(
  out: string,
  name: string,
  load: (o: OpenSessionOptions) => Promise<LoadedModel>,
  device: 'cpu' | 'webgpu',
  alphas: (number | undefined)[] = [undefined],
  precision: 'fp32' | 'fp16' = 'fp32',
): Promise<Choice> {
  const m = await load({ device, precision });
  try {
    for (const a of alphas) {
      const r = await m.run(input(), a);
      await save(out, `${name}${a === undefined ? '' : `-a${a}`}-${device}`, r.data);
    }
    return choiceOf(m);
  } finally {
    await m.dispose();
  }
}

/**
 * One fixture per new architecture (tools/fixtures/make_modern_fixtures.py, calibrated outputs);
 * RealPLKSR's with DySample, whose blocks are the pixel-shuffle model's plus GridSample. Each takes
 * ~30 s to start on SwiftShader (shader compilation), so one each.
 */
export const MODERN = ['span-x4', 'realplksr-dysample-x4', 'rcan-x2', 'swinir-classical-x2'];

export const cases: Record<string, (out: string) => Promise<unknown>> = {
  /** SPAN, RealPLKSR (pixel shuffle and DySample), RCAN and SwinIR on WebGPU (fp32) and the CPU. */
  async modernParity(out) {
    const dir = join(import.meta.dirname, '..', 'fixtures', 'arch-modern');
    const choices: Record<string, Choice> = {};
    for (const name of MODERN) {
      const m = await readModelFile(join(dir, `${name}.pth`));
      for (const d of ['cpu', 'webgpu'] as const)
        choices[`${name}-${d}`] = await runOn(
          out,
          name,
          (o) => loadWeights(name, m.spec, m.weights, o),
          d,
        );
    }
    return { choices };
  },

  /** Every architecture family and a pair's blend graph at two α, on WebGPU (fp32) and the CPU. */
  async parity(out) {
    const choices: Record<string, Choice> = {};
    for (const [name, spec] of FAMILIES) {
      const w = randomWeights(spec, 11);
      for (const d of ['cpu', 'webgpu'] as const)
        choices[`${name}-${d}`] = await runOn(out, name, (o) => loadWeights(name, spec, w, o), d);
    }
    const f = randomWeights(TINY_SRVGG, 21);
    const p = randomWeights(TINY_SRVGG, 22);
    const pair = (o: OpenSessionOptions) =>
      loadPairWeights(
        'pair',
        { id: 'f', spec: TINY_SRVGG, weights: f },
        { id: 'p', spec: TINY_SRVGG, weights: p },
        0.5,
        o,
      );
    for (const d of ['cpu', 'webgpu'] as const)
      choices[`pair-${d}`] = await runOn(out, 'pair', pair, d, [0.25, 0.9]);
    return { choices };
  },

  /** An fp16 request on an adapter without f16 (SwiftShader): fp32 on WebGPU, with the reason. */
  async fp16(out) {
    const w = randomWeights(TINY_SRVGG, 5);
    const load = (o: OpenSessionOptions) => loadWeights('srvgg', TINY_SRVGG, w, o);
    const gpu = await runOn(out, 'fp16', load, 'webgpu', [undefined], 'fp16');
    await runOn(out, 'fp16', load, 'cpu');
    return { gpu };
  },

  /** WebGPU forced with no adapter at all: the CPU runs it, and says why. */
  async noAdapter() {
    const m = await loadWeights('srvgg', TINY_SRVGG, randomWeights(TINY_SRVGG, 5), {
      device: 'webgpu',
    });
    await m.dispose();
    return { choice: choiceOf(m) };
  },

  /**
   * Through the queue that ships: an out-of-memory on WebGPU for every tile bigger than the 32 px
   * plan's makes the queue halve the tile (64 → 32); the PNGs of both devices are written to `out`.
   */
  async oomHalves(out) {
    const w = randomWeights(TINY_SRVGG, 9);
    const cpu = await loadWeights('srvgg', TINY_SRVGG, w, { device: 'cpu' });
    const size = 64;
    const overlap = cpu.defaultOverlap;
    const max = (tile: number) =>
      Math.max(...planTiles(size, size, tile, overlap).map((t) => t.region.w * t.region.h));
    const limit = max(32);
    const gpu = await loadWeights('srvgg', TINY_SRVGG, w, {
      device: 'webgpu',
      precision: 'fp32',
      inject: { oomAbovePixels: limit },
    });
    const img = join(out, 'in.png');
    const px = Buffer.from(randomImage(3, size, size).map((v) => Math.round(v * 255)));
    await sharp(px, { raw: { width: size, height: size, channels: 3 } })
      .png()
      .toFile(img);
    const results: Record<string, { output: string; notes: string[] }> = {};
    for (const [name, model] of [
      ['cpu', cpu],
      ['webgpu', gpu],
    ] as const) {
      const renderer = new ModelRenderer(new ModelCache(async () => model), () => model.scale);
      const q = await UpscaleQueue.open({
        journalPath: join(out, `${name}-queue.json`),
        render: renderer.render,
        modelScale: renderer.modelScale,
      });
      await q.add(
        [img],
        { model: 'srvgg', tile: 64, device: name, precision: 'fp32' },
        { outDir: join(out, name) },
      );
      await q.start();
      const item = q.snapshot()[0];
      await q.close({ deleteJournal: true });
      if (item.state !== 'done') throw new Error(item.error ?? item.state);
      results[name] = { output: item.output!, notes: item.notes.map(textOf) };
    }
    const choice = choiceOf(gpu);
    await cpu.dispose();
    await gpu.dispose();
    return { results, limit, firstPlanMax: max(64), choice };
  },

  /** A cancel between tiles on WebGPU stops the upscale with `cancelled` before the last tiles. */
  async cancel() {
    const m = await loadWeights('srvgg', TINY_SRVGG, randomWeights(TINY_SRVGG, 3), {
      device: 'webgpu',
      precision: 'fp32',
    });
    const size = 48;
    const src = {
      width: size,
      height: size,
      channels: 3,
      data: new Uint8Array(size * size * 3).fill(100),
    };
    const abort = new AbortController();
    let runs = 0;
    let seen = 0;
    let code: string | undefined;
    const tiles = planTiles(size, size, 16, m.defaultOverlap).length;
    try {
      await tiledUpscale(
        src,
        (t) => {
          runs++;
          return m.run(t);
        },
        {
          scale: m.scale,
          tile: 16,
          overlap: m.defaultOverlap,
          signal: abort.signal,
          onTile: () => {
            seen++;
            if (seen === 1) abort.abort();
          },
        },
      );
    } catch (err) {
      code = isError(err, 'cancelled') ? 'cancelled' : String(err);
    }
    const choice = choiceOf(m);
    await m.dispose();
    return { code, runs, seen, tiles, choice };
  },

  /** `auto` measures once per family and device set, reuses it, and measures again on a new set. */
  async measure(out) {
    const store = new DeviceChoiceStore(join(out, 'device-choices.json'));
    const w = randomWeights(TINY_SRVGG, 4);
    const load = async (o: OpenSessionOptions) => {
      const m = await loadWeights('srvgg', TINY_SRVGG, w, {
        device: 'auto',
        store,
        measureSide: 16,
        ...o,
      });
      await m.dispose();
      return choiceOf(m);
    };
    const first = await load({});
    const second = await load({});
    // The same machine with a CUDA library "installed": a new device list, so measured again.
    const withCuda = { ...currentPlatform(), isInstalled: () => true };
    const third = await load({ platform: withCuda });
    return { first, second, third, kept: await new DeviceChoiceStore(store.path).all() };
  },
};
