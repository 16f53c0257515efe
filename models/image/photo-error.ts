/**
 * One typed error for everything that can go wrong between "the user dropped a file" and "we have
 * an aligned face". `code` is stable (the UI and the library switch on it); `message` is meant to
 * be shown to a person as is.
 */
export type PhotoErrorCode =
  | 'read-failed' // the file could not be read from disk
  | 'not-an-image' // the bytes are not an image at all (text, truncated, random)
  | 'unsupported-format' // a real document/image type we do not edit (PDF, SVG, ...)
  | 'animated' // several frames (animated GIF / WebP)
  | 'too-large' // more pixels than the configured limit
  | 'no-face' // no face was found
  | 'face-too-small'; // a face was found but is too small to edit

export class PhotoError extends Error {
  readonly code: PhotoErrorCode;

  constructor(code: PhotoErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'PhotoError';
    this.code = code;
  }
}

export function isPhotoError(e: unknown): e is PhotoError {
  return e instanceof PhotoError;
}
