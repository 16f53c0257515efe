/**
 * Undo window for photo deletion: deleted photos are hidden at once and removed from the library
 * only when the window closes (or the studio shuts down), so "Undo" needs no copy of the files.
 */
import { randomUUID } from 'node:crypto';

interface Pending {
  ids: number[];
  timer: NodeJS.Timeout;
}

export class PendingDeletes {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly commit: (ids: number[]) => Promise<unknown>,
    readonly windowMs = 10_000,
  ) {}

  schedule(ids: number[]): { undoToken: string; expiresAt: string } {
    const undoToken = randomUUID();
    const timer = setTimeout(() => void this.flush(undoToken), this.windowMs);
    timer.unref?.();
    this.pending.set(undoToken, { ids, timer });
    return { undoToken, expiresAt: new Date(Date.now() + this.windowMs).toISOString() };
  }

  undo(token: string): number[] | null {
    const p = this.pending.get(token);
    if (!p) return null;
    clearTimeout(p.timer);
    this.pending.delete(token);
    return p.ids;
  }

  isHidden(id: number): boolean {
    for (const p of this.pending.values()) if (p.ids.includes(id)) return true;
    return false;
  }

  hiddenIds(): Set<number> {
    const all = new Set<number>();
    for (const p of this.pending.values()) for (const id of p.ids) all.add(id);
    return all;
  }

  async flush(token?: string): Promise<void> {
    const tokens = token ? [token] : [...this.pending.keys()];
    for (const t of tokens) {
      const p = this.pending.get(t);
      if (!p) continue;
      clearTimeout(p.timer);
      this.pending.delete(t);
      await this.commit(p.ids).catch(() => undefined);
    }
  }
}
