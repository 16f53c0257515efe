import type { LibraryErrorCode } from './types';

/** Every failure the library reports carries a stable `code` the UI can branch on. */
export class LibraryError extends Error {
  readonly code: LibraryErrorCode;

  constructor(code: LibraryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'LibraryError';
    this.code = code;
  }
}

const DISK_FULL = new Set(['ENOSPC', 'EDQUOT', 'SQLITE_FULL']);
const READ_ONLY = new Set([
  'EROFS',
  'EACCES',
  'EPERM',
  'SQLITE_READONLY',
  'SQLITE_READONLY_DBMOVED',
  'SQLITE_READONLY_RECOVERY',
  'SQLITE_READONLY_CANTINIT',
  'SQLITE_READONLY_CANTLOCK',
  'SQLITE_READONLY_ROLLBACK',
  'SQLITE_READONLY_DIRECTORY',
  'SQLITE_CANTOPEN',
]);

function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

/** Turn an fs or SQLite failure into a LibraryError with a sentence a user can act on. */
export function toLibraryError(err: unknown, doing: string): LibraryError {
  if (err instanceof LibraryError) return err;
  const code = errorCode(err);
  const detail = err instanceof Error ? err.message : String(err);
  if (code && DISK_FULL.has(code)) {
    return new LibraryError('disk-full', `The disk is full while ${doing}; free some space and retry.`, {
      cause: err,
    });
  }
  if (code && READ_ONLY.has(code)) {
    return new LibraryError(
      'read-only',
      `The library folder cannot be written while ${doing} (${code}); check that the disk is not read-only.`,
      { cause: err },
    );
  }
  return new LibraryError('io', `Failed while ${doing}: ${detail}`, { cause: err });
}

export function isLibraryError(err: unknown, code?: LibraryErrorCode): err is LibraryError {
  return err instanceof LibraryError && (code === undefined || err.code === code);
}
