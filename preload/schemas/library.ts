/** Library channels: projects, photos (import, list, delete with undo, tags) and faces. */
import { z } from 'zod';
import {
  AgeSchema,
  BytesSchema,
  EncodedImageSchema,
  IdSchema,
  PageRequestSchema,
  RectSchema,
  TimestampSchema,
  pageOf,
} from './common';

/**
 * Faces are editable from this many pixels between the eyes: models/face/analyze.ts
 * MIN_EYE_DISTANCE_FOR_EDITING, repeated here for the UI's words (a test keeps the two equal).
 */
export const MIN_EYE_DISTANCE_PX = 40;

export const ProjectNameSchema = z.string().trim().min(1).max(120);
export const TagSchema = z.string().trim().min(1).max(60);

export const ProjectSchema = z.object({
  id: IdSchema,
  name: z.string(),
  createdAt: TimestampSchema,
  photoCount: z.number().int().min(0),
});
export type Project = z.infer<typeof ProjectSchema>;

export const ProjectCreateSchema = z.strictObject({ name: ProjectNameSchema });
export const ProjectRenameSchema = z.strictObject({ projectId: IdSchema, name: ProjectNameSchema });
export const ProjectDeleteSchema = z.strictObject({ projectId: IdSchema });
export const ProjectListResponseSchema = z.object({ projects: z.array(ProjectSchema) });
export const DeletedSchema = z.object({ deleted: z.boolean() });

export const PhotoSchema = z.object({
  id: IdSchema,
  projectId: IdSchema.nullable(),
  name: z.string(),
  mime: z.string(),
  width: z.number().int().min(0),
  height: z.number().int().min(0),
  sizeBytes: z.number().int().min(0),
  /** SHA-256 of the file bytes: importing the same file twice yields the same photo. */
  contentHash: z.string(),
  /** Centre of the largest face as fractions of the photo (0..1): thumbnails crop around it. */
  faceFocus: z.object({ x: z.number().min(0).max(1), y: z.number().min(0).max(1) }).nullable().optional(),
  importedAt: TimestampSchema,
  /** Faces found at import (null until detection ran). */
  faceCount: z.number().int().min(0).nullable(),
  /** Estimated age of the largest face (null until detection ran or when no face). */
  estimatedAge: z.number().nullable(),
  tags: z.array(z.string()),
});
export type Photo = z.infer<typeof PhotoSchema>;

/** One file picked in the renderer (<input type=file> or drag and drop): bytes, never a path. */
export const ImportFileSchema = z.strictObject({
  name: z.string().min(1).max(255),
  bytes: BytesSchema,
});

export const PhotoImportSchema = z.strictObject({
  projectId: IdSchema.nullable().default(null),
  /** Either bytes from the renderer, or grants from dialogs:openFiles / dialogs:openFolder. */
  source: z.discriminatedUnion('kind', [
    z.strictObject({ kind: z.literal('bytes'), files: z.array(ImportFileSchema).min(1).max(500) }),
    z.strictObject({ kind: z.literal('grants'), grantIds: z.array(IdSchema).min(1).max(100) }),
  ]),
  tags: z.array(TagSchema).max(20).default([]),
  /** Optional id chosen by the renderer; photos:importProgress events carry it. */
  importId: IdSchema.optional(),
});

/** Event: one file of an import was handled (imports run the face pipeline, ~1 s per photo). */
export const PhotoImportProgressEventSchema = z.object({
  importId: IdSchema.nullable(),
  done: z.number().int().min(0),
  total: z.number().int().min(0),
  name: z.string(),
  status: z.enum(['imported', 'duplicate', 'error']),
});

export const PhotoImportResponseSchema = z.object({
  imported: z.array(PhotoSchema),
  /** Files whose content was already in the library (the existing photo is returned). */
  duplicates: z.array(PhotoSchema),
  failed: z.array(z.object({ name: z.string(), code: z.string(), message: z.string() })),
});

export const PhotoSortSchema = z.enum(['imported-desc', 'imported-asc', 'name', 'age']);

export const PhotoListSchema = PageRequestSchema.extend({
  projectId: IdSchema.optional(),
  /** Case-insensitive substring of the file name. */
  search: z.string().max(200).optional(),
  ageMin: AgeSchema.optional(),
  ageMax: AgeSchema.optional(),
  tag: TagSchema.optional(),
  sort: PhotoSortSchema.default('imported-desc'),
});
export type PhotoListRequest = z.input<typeof PhotoListSchema>;
export const PhotoPageSchema = pageOf(PhotoSchema);

export const PhotoIdSchema = z.strictObject({ photoId: IdSchema });

export const PhotoImageRequestSchema = z.strictObject({
  photoId: IdSchema,
  /** Longest edge in pixels; omitted = original file bytes. */
  maxEdge: z.number().int().min(16).max(8192).optional(),
});

export const PhotoDeleteSchema = z.strictObject({ photoIds: z.array(IdSchema).min(1).max(1000) });
export const PhotoDeleteResponseSchema = z.object({
  deleted: z.number().int().min(0),
  /** Pass to photos:undoDelete before expiresAt to bring the photos back. */
  undoToken: IdSchema,
  expiresAt: TimestampSchema,
});
export const PhotoUndoDeleteSchema = z.strictObject({ undoToken: IdSchema });
export const PhotoUndoDeleteResponseSchema = z.object({ restored: z.number().int().min(0) });

export const PhotoTagSchema = z.strictObject({
  photoIds: z.array(IdSchema).min(1).max(1000),
  add: z.array(TagSchema).max(20).default([]),
  remove: z.array(TagSchema).max(20).default([]),
});
export const PhotoTagResponseSchema = z.object({ photos: z.array(PhotoSchema) });
export const TagListResponseSchema = z.object({
  tags: z.array(z.object({ tag: z.string(), count: z.number().int().min(0) })),
});

export const PointSchema = z.tuple([z.number(), z.number()]);

export const FaceSchema = z.object({
  /** Position in the photo's face list (largest face first). */
  index: z.number().int().min(0),
  box: RectSchema,
  score: z.number().min(0).max(1),
  /** 68 landmarks in photo pixels, [x, y] each. */
  landmarks: z.array(PointSchema),
  estimatedAge: z.number().nullable(),
});
export type Face = z.infer<typeof FaceSchema>;

export const FaceListResponseSchema = z.object({ photoId: IdSchema, faces: z.array(FaceSchema) });
export const FaceDetectSchema = z.strictObject({
  photoId: IdSchema,
  /** Run detection again even when faces are stored. */
  force: z.boolean().default(false),
});
export const FaceCropSchema = z.strictObject({ photoId: IdSchema, faceIndex: z.number().int().min(0) });
export const FaceCropResponseSchema = z.object({ image: EncodedImageSchema });

/** Event: the library changed (import, delete, undo, tag), so lists should refresh. */
export const LibraryChangedEventSchema = z.object({
  kind: z.enum(['projects', 'photos', 'faces', 'models', 'runs', 'exports']),
  ids: z.array(IdSchema),
});
