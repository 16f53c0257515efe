/**
 * User settings in one JSON file, written atomically (temp file + rename). Unknown or invalid
 * fields in the file fall back to defaults rather than stopping the studio from starting.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { SettingsSchema, type Settings } from '../../preload/schemas/system';

const StoredSchema = z.object({
  backendOverride: SettingsSchema.shape.backendOverride.catch('auto'),
  threads: SettingsSchema.shape.threads.catch(null),
  theme: SettingsSchema.shape.theme.catch('system'),
  /** Null = the host's default location. */
  libraryDir: z.string().nullable().catch(null),
});
type Stored = z.infer<typeof StoredSchema>;

const DEFAULTS: Stored = { backendOverride: 'auto', threads: null, theme: 'system', libraryDir: null };

export class SettingsStore {
  private stored: Stored;

  /**
   * `libraryDirOverride` (a host's --library flag) is the library in use until the user picks
   * another, so settings report that folder rather than the stored or default one.
   */
  constructor(
    private readonly file: string,
    private readonly defaultLibraryDir: string,
    private libraryDirOverride: string | null = null,
  ) {
    this.stored = SettingsStore.load(file);
  }

  private static load(file: string): Stored {
    try {
      return StoredSchema.parse({ ...DEFAULTS, ...JSON.parse(readFileSync(file, 'utf8')) });
    } catch {
      return { ...DEFAULTS };
    }
  }

  get(): Settings {
    const { libraryDir, ...rest } = this.stored;
    return { ...rest, libraryDir: this.libraryDirOverride ?? libraryDir ?? this.defaultLibraryDir };
  }

  update(patch: Partial<Stored>): Settings {
    if (patch.libraryDir !== undefined) this.libraryDirOverride = null;
    const next = StoredSchema.parse({ ...this.stored, ...patch });
    mkdirSync(dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(next, null, 2)}\n`);
    renameSync(tmp, this.file);
    this.stored = next;
    return this.get();
  }
}
