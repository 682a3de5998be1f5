import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { msg } from '../../../shared/engine-message';
import { UpresError } from '../../../shared/errors';
import {
  Preset,
  PresetsDocument,
  type PresetListing,
  type PresetProblem,
  type PresetSettings,
} from '../../../shared/presets';
import { JsonFile } from '../storage/json-file';

/** Where the presets live in the per-user folder (the app and the command line share it). */
export function presetsPath(userData: string): string {
  return join(userData, 'presets.json');
}

/** The file's entries as read: valid presets, and every raw entry (kept as it is on a write). */
interface ReadState {
  raw: unknown[];
  presets: Preset[];
  problems: PresetProblem[];
}

const sameName = (a: string, b: string): boolean =>
  a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();

/** The name an entry claims, valid or not (so an invalid entry can still be named and removed). */
function nameOf(entry: unknown): string | undefined {
  const name = (entry as { name?: unknown } | null)?.name;
  return typeof name === 'string' ? name : undefined;
}

/**
 * The user's presets in one JSON file, `<user data>/presets.json`, read afresh on every call (the
 * app and the command line may both change it) and written atomically. Each entry is validated on
 * its own: an invalid one is reported by name and kept in the file untouched; a file that does not
 * parse is set aside (`presets.json.corrupt-<time>`, never lost) and reported.
 */
export class PresetStore {
  private readonly file: JsonFile<typeof PresetsDocument>;
  /** Read-change-write steps of this process, one after another. */
  private changing: Promise<unknown> = Promise.resolve();

  constructor(readonly path: string) {
    this.file = new JsonFile(path, PresetsDocument);
  }

  private async read(): Promise<ReadState> {
    const { value, setAside } = await this.file.read();
    const problems: PresetProblem[] = [];
    if (setAside)
      problems.push({
        message: `the presets file ${this.path} was unreadable (not JSON, or not a presets file); it was kept as ${setAside}`,
      });
    const raw = value?.presets ?? [];
    const presets: Preset[] = [];
    for (const entry of raw) {
      const parsed = Preset.safeParse(entry);
      const name = nameOf(entry);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
        problems.push({
          name,
          message: `preset ${name === undefined ? '(without a name)' : `"${name}"`} in ${this.path} is invalid: ${where}${issue?.message ?? 'not a preset'}`,
        });
      } else if (presets.some((p) => sameName(p.name, parsed.data.name))) {
        problems.push({
          name,
          message: `preset "${name}" appears twice in ${this.path}; the first one is used`,
        });
      } else presets.push(parsed.data);
    }
    return { raw, presets, problems };
  }

  /** Earlier unreadable presets files set aside beside this one (newest last). */
  private async setAsideFiles(): Promise<string[]> {
    const prefix = `${basename(this.path)}.corrupt-`;
    const names = await readdir(dirname(this.path)).catch(() => [] as string[]);
    return names
      .filter((n) => n.startsWith(prefix))
      .sort()
      .map((n) => join(dirname(this.path), n));
  }

  /** Every valid preset, and what is wrong with the other entries. */
  async list(): Promise<PresetListing> {
    const { presets, problems } = await this.read();
    return { path: this.path, presets, problems };
  }

  /**
   * The preset of that name (case does not matter). An unknown name is `not-found`, an entry that
   * is not a valid preset `request.invalid`; both messages name the preset and the file.
   */
  async get(name: string): Promise<Preset> {
    const { presets, problems } = await this.read();
    const found = presets.find((p) => sameName(p.name, name));
    if (found) return found;
    const broken = problems.find((p) => p.name !== undefined && sameName(p.name, name));
    if (broken) throw new UpresError('request.invalid', broken.message);
    const aside = await this.setAsideFiles();
    const said = { name: name.trim(), file: this.path };
    const names = presets.map((p) => p.name).join(', ');
    const last = aside.at(-1);
    throw new UpresError(
      'not-found',
      last === undefined
        ? presets.length
          ? msg('batch.presetMissingSaved', { ...said, names })
          : msg('batch.presetMissingNone', said)
        : presets.length
          ? msg('batch.presetMissingSavedAside', { ...said, names, aside: last })
          : msg('batch.presetMissingNoneAside', { ...said, aside: last }),
    );
  }

  private change<T>(step: () => Promise<T>): Promise<T> {
    const next = this.changing.catch(() => undefined).then(step);
    this.changing = next;
    return next;
  }

  /**
   * Saves a preset. A name that exists is refused (`output.exists`) unless `replace`, which keeps
   * its place in the list. Other entries, invalid ones too, are written back as they were.
   */
  save(name: string, settings: PresetSettings, opt: { replace?: boolean } = {}): Promise<Preset> {
    return this.change(async () => {
      const parsed = Preset.safeParse({ name, settings });
      if (!parsed.success)
        throw new UpresError(
          'request.invalid',
          // zod's own wording of each issue (a field and what it expected): a value here.
          msg('batch.presetInvalid', {
            name,
            issues: parsed.error.issues
              .map((i) => `${i.path.join('.') || 'name'}: ${i.message}`)
              .join('; '),
          }),
        );
      const preset = parsed.data;
      const { raw } = await this.read();
      const at = raw.findIndex((e) => {
        const n = nameOf(e);
        return n !== undefined && sameName(n, preset.name);
      });
      if (at >= 0 && !opt.replace)
        throw new UpresError(
          'output.exists',
          msg('batch.presetExists', { name: nameOf(raw[at]) ?? preset.name, file: this.path }),
        );
      const next = [...raw];
      if (at >= 0) next[at] = preset;
      else next.push(preset);
      await this.file.write({ version: 1, presets: next });
      return preset;
    });
  }

  /** Removes the preset (or invalid entry) of that name; an unknown name is `not-found`. */
  remove(name: string): Promise<void> {
    return this.change(async () => {
      const { raw } = await this.read();
      const next = raw.filter((e) => {
        const n = nameOf(e);
        return n === undefined || !sameName(n, name);
      });
      if (next.length === raw.length)
        throw new UpresError(
          'not-found',
          msg('batch.presetMissing', { name: name.trim(), file: this.path }),
        );
      await this.file.write({ version: 1, presets: next });
    });
  }
}
