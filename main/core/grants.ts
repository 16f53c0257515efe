/**
 * Paths the user picked in a native dialog, handed to the renderer as opaque grant ids. The
 * renderer can only ever refer to a path main obtained from the user through a dialog.
 */
import { randomUUID } from 'node:crypto';
import { basename } from 'node:path';
import { StudioFailure } from './router';

export type GrantKind = 'file' | 'folder' | 'destination';

interface Grant {
  path: string;
  kind: GrantKind;
  expiresAt: number;
}

export class GrantStore {
  private readonly grants = new Map<string, Grant>();

  constructor(
    private readonly ttlMs = 60 * 60 * 1000,
    private readonly now: () => number = Date.now,
  ) {}

  issue(path: string, kind: GrantKind): { grantId: string; name: string } {
    const grantId = randomUUID();
    this.grants.set(grantId, { path, kind, expiresAt: this.now() + this.ttlMs });
    return { grantId, name: basename(path) };
  }

  resolve(grantId: string, kinds: GrantKind[]): string {
    const g = this.grants.get(grantId);
    if (!g || g.expiresAt < this.now()) {
      this.grants.delete(grantId);
      throw new StudioFailure('not-found', 'that file choice has expired; choose the files again');
    }
    if (!kinds.includes(g.kind)) throw new StudioFailure('invalid-payload', `grant is a ${g.kind}, not a ${kinds.join(' or ')}`);
    return g.path;
  }
}
