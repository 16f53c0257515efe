/** Export channels: photos x ages into files, a contact sheet or an animated timeline. */
import { z } from 'zod';
import { AgeSchema, BytesSchema, IdSchema, TimestampSchema } from './common';

export const ExportFormatSchema = z.enum(['png', 'jpeg', 'webp']);
export const ExportLayoutSchema = z.enum(['files', 'contact-sheet', 'animated-timeline']);

/** Destination: a grant from dialogs:chooseExportDestination (Electron), or a download the renderer fetches. */
export const ExportDestinationSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('grant'), grantId: IdSchema }),
  z.strictObject({ kind: z.literal('download') }),
]);

export const ExportStartSchema = z.strictObject({
  photoIds: z.array(IdSchema).min(1).max(1000),
  ages: z.array(AgeSchema).min(1).max(32),
  modelId: IdSchema,
  /** 'all' ages every detected face; a number picks one face per photo. */
  faces: z.union([z.literal('all'), z.number().int().min(0)]).default('all'),
  format: ExportFormatSchema.default('png'),
  /** 1..100, used by jpeg and webp. */
  quality: z.number().int().min(1).max(100).default(92),
  layout: ExportLayoutSchema.default('files'),
  /**
   * Copy the original photo's location (GPS EXIF) into 'files' outputs. Off by default: exports
   * carry no metadata at all unless asked (sheets and timelines never carry any).
   */
  keepLocation: z.boolean().default(false),
  /** Animated timeline frame time. */
  frameMs: z.number().int().min(20).max(10_000).default(400),
  destination: ExportDestinationSchema,
});
export type ExportStartRequest = z.input<typeof ExportStartSchema>;

export const ExportStateSchema = z.enum(['queued', 'running', 'done', 'failed', 'cancelled']);

export const ExportJobSchema = z.object({
  exportId: IdSchema,
  state: ExportStateSchema,
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  createdAt: TimestampSchema,
  /** Files written (names only; for grants they live in the chosen folder). */
  outputs: z.array(z.string()),
  error: z.string().nullable(),
});
export type ExportJob = z.infer<typeof ExportJobSchema>;

export const ExportStartResponseSchema = z.object({ exportId: IdSchema });
export const ExportIdSchema = z.strictObject({ exportId: IdSchema });
export const ExportListResponseSchema = z.object({ exports: z.array(ExportJobSchema) });

/** For 'download' destinations: the finished files, which the renderer saves through a download. */
export const ExportResultResponseSchema = z.object({
  files: z.array(z.object({ name: z.string(), mime: z.string(), bytes: BytesSchema })),
});

/** Event: export progress, emitted per written image and once at the end. */
export const ExportProgressEventSchema = ExportJobSchema.extend({ currentName: z.string().nullable() });
