/**
 * Building blocks shared by every channel schema: ids, the typed error union, encoded images,
 * paging. Everything here is plain data that survives structured clone (Electron IPC and the
 * contextBridge) and the browser host's wire codec (preload/wire-codec.ts).
 */
import { z } from 'zod';

/** Opaque ids minted by main (library rows, runs, exports, dialog grants). */
export const IdSchema = z.string().min(1).max(128);
export type Id = z.infer<typeof IdSchema>;

/** ISO-8601 timestamp as produced by `new Date().toISOString()`. */
export const TimestampSchema = z.string().min(10).max(40);

/** Hard cap on one binary payload crossing the boundary (one photo file, one encoded image). */
export const MAX_BYTES = 80 * 1024 * 1024;

export const BytesSchema = z
  .instanceof(Uint8Array)
  .refine((b) => b.byteLength <= MAX_BYTES, { message: `payload larger than ${MAX_BYTES} bytes` });

export const ImageMimeSchema = z.enum(['image/png', 'image/jpeg', 'image/webp', 'image/gif']);
export type ImageMime = z.infer<typeof ImageMimeSchema>;

/** An encoded image returned by main; the renderer turns it into a blob: URL (see renderer/lib). */
export const EncodedImageSchema = z.object({
  mime: ImageMimeSchema,
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  bytes: BytesSchema,
});
export type EncodedImage = z.infer<typeof EncodedImageSchema>;

/** Pixel rectangle in the coordinates of the original photo. */
export const RectSchema = z.object({
  x: z.number(),
  y: z.number(),
  width: z.number().nonnegative(),
  height: z.number().nonnegative(),
});
export type Rect = z.infer<typeof RectSchema>;

export const AgeSchema = z.number().min(0).max(100);

export const PageRequestSchema = z.strictObject({
  offset: z.number().int().min(0).default(0),
  limit: z.number().int().min(1).max(500).default(50),
});

export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: z.number().int().min(0),
    /** Offset of the next page, or null when this page is the last. */
    nextOffset: z.number().int().min(0).nullable(),
  });
}

/** Every error that can cross the boundary. Add codes at the end; never rename one. */
export const ERROR_CODES = [
  'invalid-payload',
  'not-found',
  'engine-crashed',
  'engine-unavailable',
  'cancelled',
  'not-available-yet',
  'bad-image',
  'no-face',
  'unsupported',
  'forbidden',
  'conflict',
  'busy',
  'io-error',
  'internal',
  /** The transport to main is gone (window closing, browser host stopped). */
  'disconnected',
] as const;

export const ErrorCodeSchema = z.enum(ERROR_CODES);
export type ErrorCode = z.infer<typeof ErrorCodeSchema>;

export const StudioErrorSchema = z.object({
  code: ErrorCodeSchema,
  message: z.string(),
  /** Optional machine-readable detail, e.g. zod issues for 'invalid-payload'. */
  details: z.unknown().optional(),
});
export type StudioError = z.infer<typeof StudioErrorSchema>;

/** What every request resolves to: a value or a typed error, never a thrown exception. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: StudioError };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail(code: ErrorCode, message: string, details?: unknown): { ok: false; error: StudioError } {
  return details === undefined ? { ok: false, error: { code, message } } : { ok: false, error: { code, message, details } };
}

/** An empty request body; `{}` is the only accepted value. */
export const EmptySchema = z.strictObject({});
