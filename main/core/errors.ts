/** Maps library failures onto the contract's error codes, keeping the library's message. */
import { isLibraryError } from '../library/errors';
import type { LibraryErrorCode } from '../library/types';
import type { ErrorCode } from '../../preload/contract';
import { StudioFailure } from './router';

// Partial so a new library code degrades to 'internal' instead of breaking the build.
const LIBRARY_TO_CONTRACT: Partial<Record<LibraryErrorCode, ErrorCode>> = {
  'not-an-image': 'bad-image',
  truncated: 'bad-image',
  'too-large': 'bad-image',
  'unsupported-format': 'bad-image',
  'no-face': 'no-face',
  'face-too-small': 'no-face',
  animated: 'bad-image',
  'read-failed': 'io-error',
  duplicate: 'conflict',
  'not-found': 'not-found',
  'invalid-input': 'invalid-payload',
  'invalid-transition': 'conflict',
  'base-model-immutable': 'forbidden',
  'disk-full': 'io-error',
  'read-only': 'io-error',
  locked: 'busy',
  io: 'io-error',
};

export function libraryErrorCode(code: LibraryErrorCode): ErrorCode {
  return LIBRARY_TO_CONTRACT[code] ?? 'internal';
}

/** Run a library call, turning LibraryError into a StudioFailure the router reports. */
export async function viaLibrary<T>(fn: () => T | Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isLibraryError(err)) throw new StudioFailure(libraryErrorCode(err.code), err.message);
    throw err;
  }
}

/** Contract ids are strings; the library's are integers. */
export function toLibraryId(id: string, what: string): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n <= 0) throw new StudioFailure('not-found', `${what} ${id} does not exist`);
  return n;
}
