// "Clean first with …" in the app, in Chromium against `upres serve`: a photo of the pair is set
// to be cleaned first with the 1× model (the chain "tiny-clean,tiny-pair"), the panel and its row
// say so in words, the dial still dials the pair, and the export equals the command line's
// `upres upscale --chain` of the same photo at the same α (an independent render: no queue, no
// server, no UI).
import { mkdir, mkdtemp, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { addPath, dragAlpha, rows } from './helpers/app-page';
import { maxPixelDiff } from './helpers/pixels';
import { useServedApp } from './helpers/served-app';
import { CLEAN, PAIR } from './helpers/serve-world';
import { runCli } from '../helpers/run-cli';

const SET5 = join(import.meta.dirname, '..', '..', '..', 'shared', 'datasets', 'Set5');

let photo: string;

const app = useServedApp('upres-e2e-chain-', async (world) => {
  await mkdir(join(world.dir, 'chain'));
  photo = join(world.dir, 'chain', 'bird.png');
  await sharp(join(SET5, 'bird.png'))
    .extract({ left: 100, top: 90, width: 64, height: 48 })
    .png()
    .toFile(photo);
});

/** `upres upscale` of the photo with these model options at α; the path of what it wrote. */
async function cli(model: string[], alpha: number): Promise<string> {
  const out = await mkdtemp(join(app.world.dir, 'reference-'));
  const args = ['upscale', photo, '-o', out, ...model, '--alpha', String(alpha)];
  const r = await runCli(args, app.world.env);
  if (r.code !== 0) throw new Error(`reference render failed (${r.code}): ${r.stderr}`);
  const files = await readdir(out);
  if (files.length !== 1) throw new Error(`reference render wrote ${files.join(', ')}`);
  return join(out, files[0]);
}

describe('clean first with a 1× model, in the app', () => {
  it('makes the photo’s model the chain, dials its pair, and exports what the CLI’s --chain does', async () => {
    const page = app.page;
    await addPath(page, photo);
    const row = rows(page, 'bird.png', 'waiting');
    await row.getByTestId('queue-row-select').click();
    const cleanup = page.getByTestId('settings-cleanup');
    // The installed 1× models are offered, and nothing (the default) is chosen.
    expect(await cleanup.locator('option').allTextContents()).toEqual([
      'Nothing',
      'Tiny clean · ×1',
    ]);
    expect(await cleanup.inputValue()).toBe('');
    await cleanup.selectOption(CLEAN);
    await page.getByTestId('apply-selected').click();
    // The panel and the row say it in words; the model choice still shows the pair.
    await page
      .locator('[data-testid="inspector-chain"]', { hasText: 'cleaned first with Tiny clean' })
      .waitFor();
    // On the row it shares the size line (rows have one height), whole in the line's tooltip.
    expect(await row.getByTestId('item-chain').textContent()).toBe(
      '\u00a0· Tiny pair, cleaned first with Tiny clean',
    );
    expect(await row.getByTestId('item-size').getAttribute('title')).toBe(
      '64 × 48 → 256 × 192 · Tiny pair, cleaned first with Tiny clean',
    );
    expect(await page.getByTestId('settings-model').inputValue()).toBe(PAIR);
    expect(await cleanup.inputValue()).toBe(CLEAN);

    // The dial dials the chain's pair stage: exact render at the dialled α, kept by the item.
    await page.locator('[data-testid="preview-label"][data-kind="exact"]').waitFor();
    const alpha = await dragAlpha(page, 0.2);
    expect(alpha).toBeLessThan(0.4);
    await page.locator(`[data-testid="exact-render"][data-alpha="${alpha}"]`).waitFor();
    await page.locator('[data-testid="inspector-alpha"]', { hasText: alpha.toFixed(2) }).waitFor();
    expect(await row.getByTestId('item-alpha').textContent()).toBe(`α ${alpha.toFixed(2)}`);

    const folder = (await page.getByTestId('inspector-export-folder').textContent())!.trim();
    const name = (await page.getByTestId('inspector-export-name').textContent())!.trim();
    await page.getByTestId('queue-start').click();
    await rows(page, 'bird.png', 'done').waitFor({ timeout: 60_000 });
    const output = join(folder, name);
    const meta = await sharp(output).metadata();
    expect([meta.width, meta.height]).toEqual([256, 192]);
    const reference = await cli(['--chain', `${CLEAN},${PAIR}`], alpha);
    const diff = await maxPixelDiff(output, reference);
    console.log(`app export vs upres upscale --chain: max difference ${diff}`);
    expect(diff).toBeLessThanOrEqual(1);
    // Negative control: the pair alone at that α is not what was exported (the cleanup ran).
    const alone = await cli(['--model', PAIR], alpha);
    expect(await maxPixelDiff(output, alone)).toBeGreaterThan(1);
  });

  it('logged no errors in the page', () => {
    expect(app.errors).toEqual([]);
  });
});
