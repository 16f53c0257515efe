import path from 'node:path';
import { toLibraryError } from './errors';
import type { FsOps } from './file-store';

// On a completely full disk even a DELETE fails: SQLite must append the change to the WAL first.
// The library keeps a small reserve file beside the database; a delete that hits SQLITE_FULL
// releases it and retries, so the user can always free space from inside the studio. The reserve
// is re-created when there is room again (after the delete, or at the next open).

export const RESERVE_FILE = 'space-reserve.bin';
export const DEFAULT_RESERVE_BYTES = 512 * 1024;

export class SpaceReserve {
  private readonly file: string;

  constructor(
    libraryDir: string,
    private readonly fs: FsOps,
    private readonly bytes: number = DEFAULT_RESERVE_BYTES,
  ) {
    this.file = path.join(libraryDir, RESERVE_FILE);
  }

  /** Make sure the reserve exists; best effort (no room is not an error here). */
  async ensure(): Promise<boolean> {
    if (this.bytes <= 0) return false;
    try {
      const st = await this.fs.stat(this.file);
      if (st.size >= this.bytes) return true;
    } catch {
      // absent: create it below
    }
    try {
      const fh = await this.fs.open(this.file, 'w');
      try {
        await fh.write(Buffer.alloc(this.bytes));
        await fh.sync();
      } finally {
        await fh.close();
      }
      return true;
    } catch {
      await this.fs.rm(this.file, { force: true }).catch(() => undefined);
      return false;
    }
  }

  /** Free the reserve; true when there was one to free. */
  async release(): Promise<boolean> {
    try {
      await this.fs.stat(this.file);
      await this.fs.rm(this.file, { force: true });
      return true;
    } catch {
      return false;
    }
  }
}

function isFull(err: unknown): boolean {
  const code = (err as { code?: string } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

/** Run a deleting transaction; on a full disk, spend the reserve and try once more. */
export async function withReserve<T>(reserve: SpaceReserve, doing: string, tx: () => T): Promise<T> {
  try {
    return tx();
  } catch (err) {
    if (!isFull(err) || !(await reserve.release())) throw toLibraryError(err, doing);
    try {
      return tx();
    } catch (again) {
      throw toLibraryError(again, doing);
    }
  }
}
