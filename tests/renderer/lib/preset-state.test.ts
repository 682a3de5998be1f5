import { describe, expect, it } from 'vitest';
import { UpresError } from '../../../src/shared/errors';
import { loadSvelteModule, rendererLib } from '../helpers/svelte-module';

// ---- the surface used, restated (tsconfig.node.json does not list the renderer) ----

interface Preset {
  name: string;
  settings: { model: string };
}
interface PresetState {
  readonly presets: readonly Preset[];
  readonly problems: readonly { name?: string; message: string }[];
  readonly error: string | undefined;
  readonly nameTaken: boolean;
  readonly done: string;
  load(): Promise<void>;
  save(name: string, id: string, replace?: boolean): Promise<boolean>;
  apply(name: string, ids: string[]): Promise<number | undefined>;
  remove(name: string): Promise<void>;
}

const { PresetState } = (await loadSvelteModule(rendererLib('preset-state.svelte.ts'))) as {
  PresetState: new (api: object) => PresetState;
};

/** An engine stand-in holding presets in memory, answering as the engine does. */
function fakeApi() {
  const presets: Preset[] = [{ name: 'Web', settings: { model: 'm' } }];
  const calls: string[] = [];
  return {
    calls,
    presetList: async () => ({
      path: '/u/presets.json',
      presets: [...presets],
      problems: [{ name: 'bad', message: 'preset "bad" in /u/presets.json is invalid' }],
    }),
    presetSave: async ({ name, replace }: { name: string; id: string; replace?: boolean }) => {
      calls.push(`save ${name}${replace ? ' replace' : ''}`);
      const at = presets.findIndex((p) => p.name.toLowerCase() === name.toLowerCase());
      if (at >= 0 && !replace)
        throw new UpresError('output.exists', `a preset "${presets[at].name}" already exists`);
      const p = { name, settings: { model: 'm' } };
      if (at >= 0) presets[at] = p;
      else presets.push(p);
      return p;
    },
    presetApply: async ({ name, ids }: { name: string; ids: string[] }) => {
      if (name === 'ghost')
        throw new UpresError('model.unknown', 'preset "ghost" in /u/presets.json: model "x"');
      return { updated: ids.length };
    },
    presetRemove: async ({ name }: { name: string }) => {
      presets.splice(
        presets.findIndex((p) => p.name === name),
        1,
      );
      return { removed: name };
    },
  };
}

describe('PresetState', () => {
  it('lists the presets and the problems the engine reports', async () => {
    const s = new PresetState(fakeApi());
    await s.load();
    expect(s.presets.map((p) => p.name)).toEqual(['Web']);
    expect(s.problems[0].message).toContain('"bad"');
  });

  it('a taken name is kept as an error with the offer to replace; replacing saves it', async () => {
    const api = fakeApi();
    const s = new PresetState(api);
    await s.load();
    expect(await s.save('web', 'i1')).toBe(false);
    expect(s.error).toBe('a preset "Web" already exists');
    expect(s.nameTaken).toBe(true);
    expect(await s.save('web', 'i1', true)).toBe(true);
    expect(s.error).toBeUndefined();
    expect(s.nameTaken).toBe(false);
    // The confirmation survives the reload that follows the save.
    expect(s.done).toBe('Saved preset “web”');
    expect(s.presets.map((p) => p.name)).toEqual(['web']);
    expect(api.calls).toEqual(['save web', 'save web replace']);
  });

  it('applying reports how many changed, or the engine’s refusal word for word', async () => {
    const s = new PresetState(fakeApi());
    expect(await s.apply('Web', ['a', 'b'])).toBe(2);
    expect(s.done).toBe('Applied “Web” to 2 photos');
    expect(await s.apply('ghost', ['a'])).toBeUndefined();
    expect(s.error).toBe('preset "ghost" in /u/presets.json: model "x"');
    expect(s.nameTaken).toBe(false);
    expect(s.done).toBe('');
  });

  it('removes a preset and reads the list again', async () => {
    const s = new PresetState(fakeApi());
    await s.load();
    await s.remove('Web');
    expect(s.presets).toEqual([]);
    expect(s.done).toBe('Removed preset “Web”');
  });
});
