import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { hardcodedStrings } from './hardcoded';

const RENDERER = fileURLToPath(new URL('../../../src/renderer/', import.meta.url));

function svelteFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? svelteFiles(join(dir, e.name))
      : e.name.endsWith('.svelte')
        ? [join(dir, e.name)]
        : [],
  );
}

describe('hard-coded strings', () => {
  it('no component under src/renderer shows text that is not from a catalogue', () => {
    const files = svelteFiles(RENDERER);
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((f) =>
      hardcodedStrings(readFileSync(f, 'utf8'), f).map(
        (h) => `${relative(RENDERER, f)}:${h.line}: ${JSON.stringify(h.text)}`,
      ),
    );
    expect(found).toEqual([]);
  });

  it('finds literal text, read attributes and shown literals, and nothing else', () => {
    const source = `<script lang="ts">
  const label = 'not shown here';
</script>
<p class="big words" data-kind="queue">Add photos</p>
<button aria-label="Close" title={busy ? 'Saving…' : t('common.save')}>×</button>
<input placeholder={\`Folder of \${name}\`} />
{#if mode === 'split word'}<img alt="" src="a.png" />{/if}
<Section heading="Output">{name || 'None'} {t('queue.add')} α</Section>
<style>
  p::after { content: 'style text'; }
</style>`;
    expect(hardcodedStrings(source)).toEqual([
      { line: 4, text: 'Add photos' },
      { line: 5, text: 'Close' },
      { line: 5, text: 'Saving…' },
      { line: 6, text: 'Folder of' },
      { line: 8, text: 'Output' },
      { line: 8, text: 'None' },
    ]);
  });
});
