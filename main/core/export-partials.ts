/**
 * Hidden temp files of exports into a user's folder (`.<name>.<uuid>.partial`, renamed to the
 * final name once complete). A killed studio leaves them behind, in a folder the studio may
 * never be granted again, so every temp path is journaled (a small JSON file in the config
 * folder) before the file is created and dropped from it after the rename. sweep() deletes what
 * the journal still names: at the next start, and when an export job into that folder ends.
 * Only journaled paths whose name has our exact pattern are ever deleted, never anything else.
 */
import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** `.<final name>.<uuid v4>.partial`, as export.ts names its temp files. */
export const PARTIAL_NAME = /^\..+\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.partial$/;

export function partialPath(dir: string, finalName: string): string {
  return join(dir, `.${finalName}.${randomUUID()}.partial`);
}

export class ExportPartials {
  /** Temp files this process is writing right now: a sweep for another job leaves them alone. */
  private readonly live = new Set<string>();
  /** Journal writes in call order (a later write must not be overtaken by an earlier one). */
  private chain: Promise<void> = Promise.resolve();
  /** The last sweep started (startup or job end); tests and shutdown await it. */
  swept: Promise<number> = Promise.resolve(0);

  constructor(private readonly journalFile: string) {}

  /** Journal a temp path; resolves once the journal on disk names it (before the file exists). */
  add(path: string): Promise<void> {
    this.live.add(path);
    return this.update((s) => s.add(path));
  }

  /** The temp file is gone (renamed or removed): forget it. */
  remove(path: string): Promise<void> {
    this.live.delete(path);
    return this.update((s) => s.delete(path));
  }

  /**
   * Deletes journaled temp files (all, or only those in `dir`) and forgets them. Never touches a
   * path that is not in the journal, whose name is not ours, or that this process is still
   * writing. Returns the number deleted.
   */
  sweep(dir?: string): Promise<number> {
    const run = async () => {
      const entries = await this.load();
      let removed = 0;
      for (const p of [...entries]) {
        if (this.live.has(p) || (dir !== undefined && dirname(p) !== dir)) continue;
        if (PARTIAL_NAME.test(basename(p))) {
          try {
            const st = await fs.lstat(p);
            if (st.isFile()) {
              await fs.rm(p);
              removed++;
            }
          } catch (err) {
            // Gone already; a folder that is unreachable now (unmounted drive) stays journaled.
            if ((err as NodeJS.ErrnoException).code !== 'ENOENT') continue;
          }
        }
        entries.delete(p);
      }
      await this.save(entries);
      return removed;
    };
    const p = this.chain.then(run, run);
    this.chain = p.then(() => undefined, () => undefined);
    this.swept = p;
    return p;
  }

  private update(change: (s: Set<string>) => void): Promise<void> {
    const run = async () => {
      const entries = await this.load();
      change(entries);
      await this.save(entries);
    };
    const p = this.chain.then(run, run);
    this.chain = p.catch(() => undefined);
    return p;
  }

  /** Read fresh each time: the file is tiny, and an earlier session may have written it. */
  private async load(): Promise<Set<string>> {
    let list: unknown = [];
    try {
      list = JSON.parse(await fs.readFile(this.journalFile, 'utf8'));
    } catch {
      // No journal yet, or one cut short by a kill mid-write (the rename below makes that rare).
    }
    return new Set(Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : []);
  }

  /**
   * Temp file + rename: a kill leaves the old or the new journal, never half of one. No fsync:
   * the journal only has to survive the process (SIGKILL keeps the page cache), and a power cut
   * costs at most a few hidden temp files.
   */
  private async save(entries: Set<string>): Promise<void> {
    await fs.mkdir(dirname(this.journalFile), { recursive: true });
    const tmp = `${this.journalFile}.${process.pid}.tmp`;
    await fs.writeFile(tmp, JSON.stringify([...entries]));
    await fs.rename(tmp, this.journalFile);
  }
}
