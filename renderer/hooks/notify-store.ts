/** Snackbar messages raised anywhere in the renderer; the screen frame shows them one at a time. */
import { useSyncExternalStore } from 'react';
import type { StudioError } from '../../preload/contract';
import { errorText } from '../components/describe-error';

export interface Notice {
  id: number;
  severity: 'success' | 'info' | 'warning' | 'error';
  message: string;
  action?: { label: string; run: () => void };
  /** ms; null keeps it until dismissed. */
  autoHideMs: number | null;
}

let notices: Notice[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of [...listeners]) l();
};

export function notify(n: Omit<Notice, 'id' | 'autoHideMs'> & { autoHideMs?: number | null }): number {
  const id = nextId++;
  notices = [...notices, { autoHideMs: n.severity === 'error' ? 8000 : 5000, ...n, id }];
  emit();
  return id;
}

export function notifyError(error: StudioError, action?: string): number {
  return notify({ severity: 'error', message: errorText(error, action) });
}

export function dismiss(id: number): void {
  notices = notices.filter((n) => n.id !== id);
  emit();
}

export function useNotices(): Notice[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => notices,
    () => notices,
  );
}
