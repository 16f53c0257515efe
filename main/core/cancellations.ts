/**
 * Renderer-chosen request ids for cancellable work (aging previews, age strips). `begin` returns
 * the AbortSignal to pass to `supervisor.request(..., { signal })`; a newer request under the same
 * supersede key (e.g. `preview:<photoId>`) aborts the older one, and `cancel` aborts by id.
 */
export class Cancellations {
  private readonly byId = new Map<string, { controller: AbortController; key: string | null }>();
  private readonly latestByKey = new Map<string, string>();

  begin(requestId: string, supersedeKey: string | null = null): AbortSignal {
    this.cancel(requestId);
    const controller = new AbortController();
    if (supersedeKey !== null) {
      const previous = this.latestByKey.get(supersedeKey);
      if (previous !== undefined) this.cancel(previous);
      this.latestByKey.set(supersedeKey, requestId);
    }
    this.byId.set(requestId, { controller, key: supersedeKey });
    return controller.signal;
  }

  /** Aborts a running request; false when it is unknown or already finished. */
  cancel(requestId: string): boolean {
    const entry = this.byId.get(requestId);
    if (!entry) return false;
    entry.controller.abort();
    this.end(requestId);
    return true;
  }

  /** Call when a request finishes (in a finally). */
  end(requestId: string): void {
    const entry = this.byId.get(requestId);
    if (!entry) return;
    this.byId.delete(requestId);
    if (entry.key !== null && this.latestByKey.get(entry.key) === requestId) this.latestByKey.delete(entry.key);
  }

  get running(): number {
    return this.byId.size;
  }
}
