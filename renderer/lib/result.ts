/** Helpers for the contract's Result values on the renderer side. */
import type { Result, StudioError } from '../../preload/contract';

/** Thrown by `unwrap` so React Query-style code can use exceptions when it prefers. */
export class StudioRequestError extends Error {
  readonly code: StudioError['code'];
  constructor(error: StudioError) {
    super(error.message);
    this.code = error.code;
  }
}

export function unwrap<T>(result: Result<T>): T {
  if (!result.ok) throw new StudioRequestError(result.error);
  return result.value;
}

/** A blob: URL for an encoded image from main; revoke it when the image is gone. */
export function imageUrl(image: { mime: string; bytes: Uint8Array }): string {
  return URL.createObjectURL(new Blob([image.bytes as Uint8Array<ArrayBuffer>], { type: image.mime }));
}
