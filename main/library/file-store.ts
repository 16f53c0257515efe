import { promises as nodeFs } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { toLibraryError } from './errors';

// The library's file store: every file a row points at lives under <library>/files, addressed by a
// relative POSIX path stored in the row. Files are made durable before any row points at them:
// write to <library>/tmp, fsync, rename into place, fsync the directory. A crash leaves at worst a
// temp file or an unreferenced file, both removed by startup recovery.

/** The fs/promises calls the store uses; tests inject failing versions to simulate ENOSPC. */
export type FsOps = Pick<
  typeof nodeFs,
  'open' | 'rename' | 'mkdir' | 'rm' | 'readdir' | 'stat' | 'readFile' | 'copyFile' | 'rmdir' | 'access'
>;

export const defaultFsOps: FsOps = nodeFs;

function isMissing(err: unknown): boolean {
  return (err as { code?: string } | null)?.code === 'ENOENT';
}

export class FileStore {
  readonly root: string;
  readonly tmpRoot: string;
  private readonly fs: FsOps;

  constructor(libraryDir: string, fs: FsOps = defaultFsOps) {
    this.root = path.join(libraryDir, 'files');
    this.tmpRoot = path.join(libraryDir, 'tmp');
    this.fs = fs;
  }

  abs(rel: string): string {
    if (rel.includes('..') || path.isAbsolute(rel)) throw new Error(`Bad store path: ${rel}`);
    return path.join(this.root, ...rel.split('/'));
  }

  async init(): Promise<void> {
    await this.fs.mkdir(this.root, { recursive: true });
    await this.fs.mkdir(this.tmpRoot, { recursive: true });
  }

  /** Write bytes durably at `rel`; the file is complete or absent, never partial. */
  async writeAtomic(rel: string, bytes: Buffer | Uint8Array, doing = `writing ${rel}`): Promise<void> {
    const dir = await this.writeUnsyncedRename(rel, bytes, doing);
    await this.syncDirs([dir], doing);
  }

  /**
   * writeAtomic without the final directory fsync, for batches: write many files concurrently,
   * then syncDirs() once over the folders returned, before any row points at them.
   */
  async writeUnsyncedRename(rel: string, bytes: Buffer | Uint8Array, doing = `writing ${rel}`): Promise<string> {
    const tmp = path.join(this.tmpRoot, `${randomUUID()}.tmp`);
    try {
      const fh = await this.fs.open(tmp, 'wx');
      try {
        let off = 0;
        while (off < bytes.byteLength) {
          const { bytesWritten } = await fh.write(bytes, off, bytes.byteLength - off);
          off += bytesWritten;
        }
        await fh.sync();
      } finally {
        await fh.close();
      }
      const dest = this.abs(rel);
      await this.ensureDir(path.dirname(dest));
      await this.fs.rename(tmp, dest);
      return path.dirname(dest);
    } catch (err) {
      await this.fs.rm(tmp, { force: true }).catch(() => undefined);
      throw toLibraryError(err, doing);
    }
  }

  /** fsync each folder once, making the renames into them durable. */
  async syncDirs(absDirs: string[], doing = 'saving files'): Promise<void> {
    try {
      await Promise.all([...new Set(absDirs)].map((d) => this.syncDir(d)));
    } catch (err) {
      throw toLibraryError(err, doing);
    }
  }

  /**
   * Copy a folder (recursively, every file fsynced) to `rel` via a temp folder and one rename, so
   * the store holds either the whole folder or nothing. `rel` must not exist yet.
   */
  async importDir(srcDir: string, rel: string, doing = `copying ${srcDir}`): Promise<number> {
    const staging = path.join(this.tmpRoot, randomUUID());
    try {
      const bytes = await this.copyTree(srcDir, staging);
      const dest = this.abs(rel);
      await this.ensureDir(path.dirname(dest));
      await this.fs.rename(staging, dest);
      await this.syncDir(path.dirname(dest));
      return bytes;
    } catch (err) {
      await this.fs.rm(staging, { recursive: true, force: true }).catch(() => undefined);
      throw toLibraryError(err, doing);
    }
  }

  async read(rel: string): Promise<Buffer> {
    try {
      return await this.fs.readFile(this.abs(rel));
    } catch (err) {
      throw toLibraryError(err, `reading ${rel}`);
    }
  }

  async exists(rel: string): Promise<boolean> {
    try {
      await this.fs.stat(this.abs(rel));
      return true;
    } catch (err) {
      if (isMissing(err)) return false;
      throw err;
    }
  }

  /** Remove a file or folder; absent is fine. */
  async remove(rel: string): Promise<void> {
    await this.fs.rm(this.abs(rel), { recursive: true, force: true });
  }

  /** Delete everything in tmp/ (only startup recovery calls this: no write is in flight then). */
  async clearTemp(): Promise<number> {
    let entries: string[];
    try {
      entries = await this.fs.readdir(this.tmpRoot);
    } catch (err) {
      if (isMissing(err)) return 0;
      throw err;
    }
    for (const e of entries) await this.fs.rm(path.join(this.tmpRoot, e), { recursive: true, force: true });
    return entries.length;
  }

  /** Every regular file under files/, as store-relative POSIX paths. */
  async listFiles(): Promise<string[]> {
    const out: string[] = [];
    const walk = async (absDir: string, relDir: string): Promise<void> => {
      let entries;
      try {
        entries = await this.fs.readdir(absDir, { withFileTypes: true });
      } catch (err) {
        if (isMissing(err)) return;
        throw err;
      }
      for (const e of entries) {
        const rel = relDir ? `${relDir}/${e.name}` : e.name;
        if (e.isDirectory()) await walk(path.join(absDir, e.name), rel);
        else out.push(rel);
      }
    };
    await walk(this.root, '');
    return out;
  }

  /** Remove empty folders below files/ (left behind by deletes and orphan cleanup). */
  async pruneEmptyDirs(): Promise<void> {
    const prune = async (absDir: string): Promise<boolean> => {
      const entries = await this.fs.readdir(absDir, { withFileTypes: true });
      let empty = true;
      for (const e of entries) {
        if (e.isDirectory() && (await prune(path.join(absDir, e.name)))) {
          await this.fs.rmdir(path.join(absDir, e.name));
        } else {
          empty = false;
        }
      }
      return empty;
    };
    try {
      await prune(this.root);
    } catch (err) {
      if (!isMissing(err)) throw err;
    }
  }

  private async copyTree(src: string, dest: string): Promise<number> {
    await this.fs.mkdir(dest, { recursive: true });
    let total = 0;
    const entries = await this.fs.readdir(src, { withFileTypes: true });
    for (const e of entries) {
      const from = path.join(src, e.name);
      const to = path.join(dest, e.name);
      if (e.isDirectory()) {
        total += await this.copyTree(from, to);
      } else if (e.isFile()) {
        await this.fs.copyFile(from, to);
        const fh = await this.fs.open(to, 'r+');
        try {
          await fh.sync();
          total += (await fh.stat()).size;
        } finally {
          await fh.close();
        }
      }
    }
    await this.syncDir(dest);
    return total;
  }

  private async ensureDir(absDir: string): Promise<void> {
    const created = await this.fs.mkdir(absDir, { recursive: true });
    if (!created) return;
    // A new folder's entry lives in its parent: sync every parent from the topmost folder created
    // down to absDir's parent (absDir itself is synced after the rename into it).
    const top = path.dirname(created);
    for (let d = path.dirname(absDir); ; d = path.dirname(d)) {
      await this.syncDir(d);
      if (d === top || d === path.dirname(d)) break;
    }
  }

  private async syncDir(absDir: string): Promise<void> {
    // Windows cannot open or fsync a directory; NTFS journals the rename itself.
    if (process.platform === 'win32') return;
    const fh = await this.fs.open(absDir, 'r');
    try {
      await fh.sync();
    } finally {
      await fh.close();
    }
  }
}
