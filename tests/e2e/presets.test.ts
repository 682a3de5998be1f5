// Presets in the app, against a real `upres serve`: the presets file the command line writes is
// listed (an invalid entry reported by name), a preset naming a model that is not installed is
// refused with its file named, one is applied to two photos that are then exported, a preset is
// saved from a photo (a taken name offered to replace), and `upres upscale --preset` writes the
// same pixels as the app (max difference ≤ 1) and lists what the app saved.
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli';
import { randomPng } from '../helpers/app-engine';
import { addPath, rows } from './helpers/app-page';
import { maxPixelDiff } from './helpers/pixels';
import { useServedApp } from './helpers/served-app';
import { PAIR } from './helpers/serve-world';

const SOFT = {
  model: PAIR,
  alpha: 0.3,
  scale: 2,
  format: 'jpeg',
  quality: 85,
  nameTemplate: '{name}_soft',
};

let photos: string;
let presetsFile: string;

const app = useServedApp('upres-e2e-presets-', async (world) => {
  photos = join(world.dir, 'photos');
  await randomPng(join(photos, 'a.png'), 24, 18, 3);
  await randomPng(join(photos, 'b.png'), 20, 16, 4);
  presetsFile = join(world.env.UPRES_USER_DIR!, 'presets.json');
  await writeFile(
    presetsFile,
    JSON.stringify({
      version: 1,
      presets: [
        { name: 'soft', settings: SOFT },
        { name: 'ghost', settings: { model: 'gone-x4' } },
        { name: 'broken', settings: { model: PAIR, quality: 500 } },
      ],
    }),
  );
});

const panel = () => app.page.getByTestId('presets');

describe('presets in the app', () => {
  it('lists the saved presets and names an invalid entry and its file', async () => {
    await addPath(app.page, photos);
    await expect.poll(() => rows(app.page, undefined, 'waiting').count()).toBe(2);
    await rows(app.page, 'a.png').getByTestId('queue-row-select').click();
    const choice = panel().getByTestId('preset-choice');
    await choice.waitFor();
    expect(await choice.locator('option').allTextContents()).toEqual(['soft', 'ghost']);
    const problem = await panel().getByTestId('preset-problem').textContent();
    expect(problem).toContain(`preset "broken" in ${presetsFile} is invalid`);
  });

  it('refuses a preset whose model is not installed, changing nothing', async () => {
    await panel().getByTestId('preset-choice').selectOption('ghost');
    await panel().getByTestId('preset-apply-all').click();
    const error = panel().getByTestId('preset-error');
    await error.waitFor();
    expect(await error.textContent()).toContain(
      `preset "ghost" in ${presetsFile}: model "gone-x4" is not installed`,
    );
    expect(await rows(app.page, 'a.png').getByTestId('item-output-name').textContent()).toBe(
      'a_x4.png',
    );
  });

  it('applies a preset to both photos and exports them as the CLI with --preset does', async () => {
    await panel().getByTestId('preset-choice').selectOption('soft');
    await panel().getByTestId('preset-apply-all').click();
    await panel()
      .locator('[data-testid="preset-done"]', { hasText: 'Applied “soft” to 2 photos' })
      .waitFor();
    for (const name of ['a', 'b']) {
      const row = rows(app.page, `${name}.png`);
      await expect
        .poll(() => row.getByTestId('item-output-name').textContent())
        .toBe(`${name}_soft.jpg`);
      expect(await row.getByTestId('item-alpha').textContent()).toBe('α 0.30');
    }
    await app.page.getByTestId('queue-start').click();
    await expect.poll(() => rows(app.page, undefined, 'done').count(), { timeout: 60_000 }).toBe(2);
    const exported = join(app.world.dir, 'photos-upscaled');
    expect((await readdir(exported)).sort()).toEqual(['a_soft.jpg', 'b_soft.jpg']);

    const ref = await mkdtemp(join(app.world.dir, 'cli-'));
    const cli = await runCli(['upscale', photos, '-o', ref, '--preset', 'soft'], app.world.env);
    expect(cli.code, cli.stderr).toBe(0);
    expect((await readdir(ref)).sort()).toEqual(['a_soft.jpg', 'b_soft.jpg']);
    for (const f of ['a_soft.jpg', 'b_soft.jpg'])
      expect(await maxPixelDiff(join(exported, f), join(ref, f)), f).toBeLessThanOrEqual(1);
    // The comparison can fail: the same preset at the pair's default α writes other pixels.
    const other = await mkdtemp(join(app.world.dir, 'cli-'));
    const at08 = ['upscale', join(photos, 'a.png'), '-o', other, '--preset', 'soft', '-m', PAIR];
    expect((await runCli(at08, app.world.env)).code).toBe(0);
    expect(
      await maxPixelDiff(join(exported, 'a_soft.jpg'), join(other, 'a_soft.jpg')),
    ).toBeGreaterThan(1);
  });

  it('saves a photo’s settings as a preset the CLI lists; a taken name is offered to replace', async () => {
    await rows(app.page, 'b.png').getByTestId('queue-row-select').click();
    const name = panel().getByTestId('preset-name');
    await name.fill('Soft');
    await panel().getByTestId('preset-save').click();
    await panel().getByTestId('preset-error').waitFor();
    expect(await panel().getByTestId('preset-error').textContent()).toContain(
      `a preset "soft" already exists in ${presetsFile}`,
    );
    await name.fill('mine');
    await panel().getByTestId('preset-save').click();
    await panel()
      .locator('[data-testid="preset-done"]', { hasText: 'Saved preset “mine”' })
      .waitFor();
    await name.fill('MINE');
    await panel().getByTestId('preset-save').click();
    await panel().getByTestId('preset-replace').click();
    await panel()
      .locator('[data-testid="preset-done"]', { hasText: 'Saved preset “MINE”' })
      .waitFor();
    const listed = await runCli(['presets', '--json'], app.world.env);
    const listing = JSON.parse(listed.stdout) as {
      presets: { name: string; settings: object }[];
    };
    expect(listing.presets.map((p) => p.name)).toEqual(['soft', 'ghost', 'MINE']);
    expect(listing.presets[2].settings).toEqual({
      ...SOFT,
      keepMetadata: 'all',
      transparency: 'resize',
      tta: false,
      onExists: 'suffix',
    });
    // The invalid entry is still in the file, as the user wrote it.
    const doc = JSON.parse(await readFile(presetsFile, 'utf8'));
    expect(doc.presets).toContainEqual({ name: 'broken', settings: { model: PAIR, quality: 500 } });
  });

  it('logged no errors in the page', () => {
    // The refusals above answered errors with their codes (a missing model once, a taken name
    // twice); nothing else failed.
    const expected = [
      [/presetApply.* model\.unknown$/, 1],
      [/presetSave.* output\.exists$/, 2],
    ] as const;
    for (const [e, n] of expected)
      expect(
        app.errors.filter((x) => e.test(x)),
        `${e}`,
      ).toHaveLength(n);
    expect(app.errors.filter((x) => !expected.some(([e]) => e.test(x)))).toEqual([]);
  });
});
