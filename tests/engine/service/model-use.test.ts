// Removing a model the user still needs is refused in the app: photos waiting or running with it,
// alone or as a stage of a chain, or the model Settings gives new photos. Finished photos do not
// hold it (their outputs exist; a re-export would name the missing model clearly).
import { describe, expect, it } from 'vitest';
import type { QueueItem } from '../../../src/shared/queue';
import { modelInUse as keyedInUse } from '../../../src/main/engine/service/model-use';
import { textOf } from '../../../src/shared/engine-message';

/** The refusal's English text (the CLI's and the log's), undefined when nothing uses it. */
const modelInUse = (...args: Parameters<typeof keyedInUse>): string | undefined => {
  const m = keyedInUse(...args);
  return m && textOf(m);
};

const item = (input: string, model: string, state: QueueItem['state']): QueueItem =>
  ({ id: input, input, state, settings: { model } }) as unknown as QueueItem;

describe('modelInUse', () => {
  it('names the photos still waiting or running with the model', () => {
    const items = [
      item('/p/done.jpg', 'mine', 'done'),
      item('/p/a.jpg', 'mine', 'waiting'),
      item('/p/b.jpg', 'other', 'waiting'),
      item('/p/c.jpg', 'mine', 'running'),
    ];
    expect(modelInUse('mine', items, { model: 'other' })).toBe(
      'mine cannot be removed: 2 photos in the queue still use it (first: /p/a.jpg); choose another model for them or remove them first',
    );
  });

  it('sees a model used as a stage of a chain, and not one whose id only starts alike', () => {
    const items = [item('/p/a.jpg', 'jpeg-clean,mine', 'waiting')];
    expect(modelInUse('jpeg-clean', items, { model: 'x' })).toMatch(
      /^jpeg-clean cannot be removed: 1 photo/,
    );
    expect(modelInUse('jpeg', items, { model: 'x' })).toBeUndefined();
  });

  it('keeps the model for new photos, and frees one only finished photos used', () => {
    expect(modelInUse('mine', [], { model: 'mine' })).toMatch(/Settings gives it to new photos/);
    const items = [item('/p/a.jpg', 'mine', 'done'), item('/p/b.jpg', 'mine', 'failed')];
    expect(modelInUse('mine', items, { model: 'other' })).toBeUndefined();
  });
});

describe('modelInUse and saved presets', () => {
  it('keeps a model a preset names (alone or in a chain), saying which', () => {
    const presets = [
      { name: 'Print', settings: { model: 'other' } },
      { name: 'Web', settings: { model: 'jpeg-clean,mine' } },
      { name: 'Archive', settings: { model: 'mine' } },
    ];
    expect(modelInUse('mine', [], { model: 'x' }, presets)).toBe(
      'mine cannot be removed: 2 presets use it (first: “Web”); change or delete them first',
    );
    expect(modelInUse('other', [], { model: 'x' }, presets)).toBe(
      'other cannot be removed: the preset “Print” uses it; change or delete that preset first',
    );
    expect(modelInUse('unused', [], { model: 'x' }, presets)).toBeUndefined();
  });
});
