/** Turns a typed studio error into a sentence a person can act on. */
import type { StudioError } from '../../preload/contract';

const HINTS: Partial<Record<StudioError['code'], string>> = {
  'not-available-yet': 'This part of the studio is still being built; the rest keeps working.',
  'engine-unavailable': 'The engine is not running. It restarts by itself; try again in a moment.',
  'engine-crashed': 'The engine stopped unexpectedly and is restarting. Try again in a moment.',
  disconnected: 'The connection to the studio was lost. Reload the window if this persists.',
  'no-face': 'No face was found in this photo, or it is too small to age. Try a larger photo with a clear, front-facing face.',
  'bad-image': 'The file could not be read as an image.',
  unsupported: 'This is not supported here.',
  busy: 'The engine is busy with another job. Try again when it finishes.',
  'not-found': 'It no longer exists; the list has been refreshed.',
  'io-error': 'A file could not be read or written. Check free disk space and permissions.',
};

export interface ReadableError {
  title: string;
  detail: string;
}

/** `action` names what was attempted, e.g. "Aging preview". */
export function describeError(error: StudioError, action?: string): ReadableError {
  const hint = HINTS[error.code];
  const what = action ? `${action} failed` : 'Something went wrong';
  if (error.code === 'not-available-yet') {
    return { title: `${action ?? 'This feature'} is not available yet`, detail: `${hint} (${error.message})` };
  }
  if (error.code === 'cancelled') return { title: `${action ?? 'The operation'} was cancelled`, detail: error.message };
  return { title: what, detail: hint ? `${hint} (${error.message})` : error.message };
}

export function errorText(error: StudioError, action?: string): string {
  const { title, detail } = describeError(error, action);
  return `${title}. ${detail}`;
}
