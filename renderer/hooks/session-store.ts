/**
 * The working session shared by the screens (which photo, face, model and target age are being
 * worked on). Screens mount one at a time, so this lives in a small external store rather than in
 * a component; `createSessionStore` makes fresh stores for tests.
 */
export const AGE_MIN = 0;
export const AGE_MAX = 90;

export type PendingAction = 'import' | 'export' | null;

export interface SessionState {
  projectId: string | null;
  /** Photo being aged/compared. */
  photoId: string | null;
  faceIndex: number;
  modelId: string | null;
  targetAge: number;
  /** Space toggles between the original (true) and the aged preview. */
  showBefore: boolean;
  /** Photos picked in the library grid (delete, export). */
  selectedPhotoIds: string[];
  /** An action a shortcut asked for, performed by the screen that owns it once it is shown. */
  pending: PendingAction;
}

export const INITIAL_SESSION: SessionState = {
  projectId: null,
  photoId: null,
  faceIndex: 0,
  modelId: null,
  targetAge: 60,
  showBefore: false,
  selectedPhotoIds: [],
  pending: null,
};

export interface SessionStore {
  get(): SessionState;
  set(next: SessionState | ((s: SessionState) => SessionState)): void;
  subscribe(listener: () => void): () => void;
}

export function createSessionStore(initial: SessionState = INITIAL_SESSION): SessionStore {
  let state = initial;
  const listeners = new Set<() => void>();
  return {
    get: () => state,
    set(next) {
      const value = typeof next === 'function' ? next(state) : next;
      if (value === state) return;
      state = value;
      for (const l of [...listeners]) l();
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

export function clampAge(age: number): number {
  if (!Number.isFinite(age)) return AGE_MIN;
  return Math.min(AGE_MAX, Math.max(AGE_MIN, Math.round(age * 10) / 10));
}

/** The one store the running renderer uses. */
export const sessionStore = createSessionStore();
